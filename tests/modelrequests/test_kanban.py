"""The kanban: columns with counts and WIP limits, swimlanes, cards with score, age and owner, and
moves (through htmx, a done move answers the board re-rendered for the page's query string; a refused
one is a 403 naming who may, or a 409 naming the moves the user may make, in words into the page's
alert region)."""

import datetime

import pytest
from django.utils import timezone

from apps.modelrequests import services
from apps.modelrequests.models import ModelRequest, RequestStatus, RequestTransition
from apps.modelrequests.selectors import KANBAN_CARDS_PER_CELL
from tests.factories import PlatformTeamFactory, TeamFactory
from tests.modelrequests.factories import ModelRequestFactory, rice_inputs, wsjf_inputs

pytestmark = pytest.mark.django_db

HTMX = {"HTTP_HX_REQUEST": "true"}


def board(client, query=""):
    return client.get(f"/requests/board/{query}").context["board"]


def test_columns_mark_wip_limits_and_cells_keep_a_few_cards(client, browser_login, cast):
    cast.delivering.wip_limit = 1
    cast.delivering.save()
    for _ in range(2):
        ModelRequestFactory(delivering_team=cast.delivering, status=RequestStatus.IN_PROGRESS)
    for _ in range(KANBAN_CARDS_PER_CELL + 2):
        ModelRequestFactory(delivering_team=cast.delivering, requesting_team=cast.requesting)
    browser_login(client, cast["deliver_engineer"])
    response = client.get(f"/requests/board/?delivering_team={cast.delivering.slug}&lanes=none")
    shown = response.context["board"]
    columns = {c.status: c for c in shown.columns}
    assert columns["in_progress"].over_limit and columns["in_progress"].wip_limit == 1
    assert not columns["submitted"].over_limit and columns["submitted"].count == KANBAN_CARDS_PER_CELL + 2
    [lane] = shown.lanes
    cell = lane.cells["submitted"]
    assert (len(cell.cards), cell.more) == (KANBAN_CARDS_PER_CELL, 2)
    page = response.content.decode()
    assert page.count("khead-cell over-limit") == 1
    assert f"{KANBAN_CARDS_PER_CELL + 2} in all · 2 more" in page
    # the engineer may deliver an in-progress request: its menu has that button, no select anywhere
    assert 'name="to" value="delivered"' in page and '<select name="to"' not in page


def test_swimlanes_by_stream_by_delivering_team_or_none(client, browser_login, cast):
    other_team = TeamFactory()
    other_platform = PlatformTeamFactory(name="Zeta Platform")
    ModelRequestFactory(requesting_team=cast.requesting, delivering_team=cast.delivering)
    ModelRequestFactory(requesting_team=cast.requesting, delivering_team=other_platform)
    ModelRequestFactory(requesting_team=other_team, delivering_team=cast.delivering, status="triaged")
    browser_login(client, cast["outsider"])

    by_team = board(client)  # all teams: lanes by delivering team by default
    assert by_team.lane_by == "delivering_team"
    assert {lane.label: lane.count for lane in by_team.lanes} == {
        cast.delivering.name: 2,
        "Zeta Platform": 1,
    }
    by_stream = board(client, f"?delivering_team={cast.delivering.slug}")  # one team: by stream
    assert by_stream.lane_by == "stream"
    lanes = {lane.label: lane for lane in by_stream.lanes}
    assert set(lanes) == {cast.requesting.value_stream.name, other_team.value_stream.name}
    assert lanes[other_team.value_stream.name].cells["triaged"].count == 1
    single = board(client, "?lanes=none")
    assert [(lane.label, lane.count) for lane in single.lanes] == [("All requests", 3)]
    assert board(client, "?lanes=bogus").lane_by == "delivering_team"  # unknown: the default


def test_cards_show_score_by_the_board_method_age_in_column_and_owner(client, browser_login, cast):
    services.board_update(actor=cast["deliver_pm"], team=cast.delivering, data={"scoring_method": "wsjf"})
    request = ModelRequestFactory(
        title="Fraud scorer",
        requesting_team=cast.requesting,
        delivering_team=cast.delivering,
        created_by=cast["request_engineer"],
        submitted_at=timezone.now() - datetime.timedelta(days=10),
        **rice_inputs(100),
        **wsjf_inputs(8, 5, 2, 3),
    )
    services.request_transition(actor=cast["deliver_pm"], request=request, to_status="triaged")
    RequestTransition.objects.filter(request=request, to_status="triaged").update(
        at=timezone.now() - datetime.timedelta(days=4)
    )
    fresh = ModelRequestFactory(
        title="Churn", requesting_team=cast.requesting, created_by=cast["request_pm"], **rice_inputs(900)
    )
    browser_login(client, cast["outsider"])
    cards = {
        card.title: card
        for lane in board(client).lanes
        for cell in lane.cells.values()
        for card in cell.cards
    }
    scorer, churn = cards["Fraud scorer"], cards["Churn"]
    assert (scorer.method, scorer.score, scorer.days_in_column, scorer.owner) == (
        "wsjf",
        5.0,
        4,
        cast["deliver_pm"],  # who moved it into its column
    )
    assert (churn.method, churn.score, churn.days_in_column, churn.owner) == (
        "rice",
        900.0,
        1,
        cast["request_pm"],
    )
    page = client.get("/requests/board/").content.decode()
    assert "WSJF 5" in page and "4 d here" in page and "RICE 900" in page
    assert fresh.pk in {c.pk for c in cards.values()}


def test_move_through_htmx_answers_the_board_of_the_page_and_writes_the_row(client, browser_login, cast):
    request = ModelRequestFactory(
        title="Fraud scorer", delivering_team=cast.delivering, status=RequestStatus.ACCEPTED
    )
    other = ModelRequestFactory(delivering_team=cast.delivering, status=RequestStatus.ACCEPTED)
    elsewhere = ModelRequestFactory(title="Not on this board", status=RequestStatus.ACCEPTED)
    browser_login(client, cast["deliver_engineer"])
    query = f"delivering_team={cast.delivering.slug}&lanes=none"
    response = client.post(f"/requests/{request.pk}/transition/?{query}", {"to": "in_progress"}, **HTMX)
    assert response.status_code == 200 and "HX-Request" in response["Vary"]
    html = response.content.decode()
    # the board of the page's filters, with the card in its new column, and the answer out of band
    assert html.lstrip().startswith('<div class="kboard" id="kanban"') and "<html" not in html
    assert response.context["board"].lane_by == "none"
    [lane] = response.context["board"].lanes
    assert [card.pk for card in lane.cells["in_progress"].cards] == [request.pk]
    assert [card.pk for card in lane.cells["accepted"].cards] == [other.pk]
    assert "Not on this board" not in html
    assert f"#{request.pk} Fraud scorer moved to In progress." in html
    assert '<div id="kanban-answer" hx-swap-oob="innerHTML">' in html
    # the menus of the new board post back with the same query string
    assert f'hx-post="/requests/{other.pk}/transition/?{query.replace("&", "&amp;")}"' in html
    request.refresh_from_db()
    assert request.status == "in_progress" and request.started_at is not None
    last = request.transitions.last()
    assert (last.from_status, last.to_status, last.actor) == (
        "accepted",
        "in_progress",
        cast["deliver_engineer"],
    )
    assert ModelRequest.objects.get(pk=elsewhere.pk).status == "accepted"


def test_a_refused_move_is_a_403_naming_who_may(client, browser_login, cast):
    request = ModelRequestFactory(delivering_team=cast.delivering, status=RequestStatus.TRIAGED)
    browser_login(client, cast["deliver_engineer"])
    url = f"/requests/{request.pk}/transition/?delivering_team={cast.delivering.slug}"
    response = client.post(url, {"to": "accepted"}, **HTMX)
    assert response.status_code == 403
    # into the page's alert region, not over the board
    assert (response["HX-Retarget"], response["HX-Reswap"]) == ("#page-answer", "innerHTML")
    assert 'id="kanban"' not in response.content.decode()
    assert (
        "You may not move this request from Triaged to Accepted: only the product manager of the "
        "delivering team, or platform staff, may."
    ) in response.content.decode()
    impossible = client.post(url, {"to": "delivered"}, **HTMX)
    assert impossible.status_code == 409 and impossible["HX-Retarget"] == "#page-answer"
    assert "cannot move to Delivered" in impossible.content.decode()
    bad = client.post(url, {"to": "doing"}, **HTMX)
    assert bad.status_code == 400 and "Choose a status to move to" in bad.content.decode()
    assert ModelRequest.objects.get(pk=request.pk).status == "triaged"
    assert not RequestTransition.objects.filter(request=request, to_status="accepted").exists()
    # the card's menu says upfront who may make the moves this user may not
    page = client.get(f"/requests/board/?delivering_team={cast.delivering.slug}").content.decode()
    assert "→ Accepted: only the product manager of the delivering team, or platform staff." in page


def test_plain_form_move_goes_back_with_a_message(client, browser_login, cast):
    request = ModelRequestFactory(delivering_team=cast.delivering, status=RequestStatus.TRIAGED)
    browser_login(client, cast["deliver_engineer"])
    response = client.post(
        f"/requests/{request.pk}/transition/", {"to": "accepted", "next": "/requests/board/"}, follow=True
    )
    assert response.redirect_chain[-1][0] == "/requests/board/"
    assert "only the product manager of the delivering team" in response.content.decode()
    assert ModelRequest.objects.get(pk=request.pk).status == "triaged"


def _cell_titles(client, query, status="submitted"):
    [lane] = board(client, query).lanes
    return [card.title for card in lane.cells[status].cards]


def test_the_score_switch_shows_and_orders_by_the_chosen_score_pins_first(client, browser_login, cast):
    """``?method=rice|wsjf``: every card shows that score and, in each cell, the unpinned cards
    follow it (highest first, unscored last) after the pinned ones, as on the backlog."""
    team = cast.delivering
    rice_first = ModelRequestFactory(
        title="High RICE", delivering_team=team, **rice_inputs(900), **wsjf_inputs(1)
    )
    ModelRequestFactory(title="High WSJF", delivering_team=team, **rice_inputs(100), **wsjf_inputs(20))
    ModelRequestFactory(title="Unscored", delivering_team=team)
    pinned = ModelRequestFactory(title="Pinned", delivering_team=team, **rice_inputs(1), **wsjf_inputs(1))
    services.request_rank(actor=cast["deliver_pm"], request=pinned, position=1, reason="Promised")
    browser_login(client, cast["outsider"])
    base = f"?delivering_team={team.slug}&lanes=none"
    assert _cell_titles(client, base + "&method=rice") == ["Pinned", "High RICE", "High WSJF", "Unscored"]
    assert _cell_titles(client, base + "&method=wsjf") == ["Pinned", "High WSJF", "High RICE", "Unscored"]
    # no choice: the board's own method (RICE here)
    assert _cell_titles(client, base) == ["Pinned", "High RICE", "High WSJF", "Unscored"]
    shown = board(client, base + "&method=wsjf")
    assert shown.method == "wsjf"
    cards = {card.title: card for card in shown.lanes[0].cells["submitted"].cards}
    assert (cards["High RICE"].method, cards["High RICE"].score) == ("wsjf", 3.0)
    page = client.get(f"/requests/board/{base}&method=wsjf").content.decode()
    assert 'aria-current="true">WSJF</a>' in page and "WSJF 22" in page and "RICE 900" not in page
    assert cards["High RICE"].pk == rice_first.pk
    # an unknown method is the board's own
    assert board(client, base + "&method=magic").method is None


def test_the_kanban_fragment_is_the_board_alone(client, browser_login, cast):
    ModelRequestFactory(title="Fraud scorer", delivering_team=cast.delivering)
    browser_login(client, cast["deliver_pm"])
    response = client.get(f"/requests/board/?delivering_team={cast.delivering.slug}", HTTP_HX_REQUEST="true")
    html = response.content.decode()
    assert response.status_code == 200 and "HX-Request" in response["Vary"]
    assert html.lstrip().startswith('<div class="kboard" id="kanban"') and "<html" not in html
    assert "Fraud scorer" in html and 'name="csrfmiddlewaretoken"' in html


def test_the_score_switch_is_savable_in_a_kanban_view(client, browser_login, cast):
    browser_login(client, cast["deliver_pm"])
    response = client.post(
        "/requests/views/new/", {"name": "By WSJF", "kind": "kanban", "query": "method=wsjf&lanes=none"}
    )
    assert response.status_code == 302 and response["Location"] == "/requests/board/?lanes=none&method=wsjf"
