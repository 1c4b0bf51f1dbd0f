""" "Waiting for me": the decisions on requests waiting for the signed-in person, by role (the
delivering team's lead or PM triages, decides and sizes; the requesting stream's accountable PM and
the requesting team's lead or PM score the value side; platform staff see every team's), as a
filter of the list, the backlog and the kanban (``?waiting=me``, a chip on each page, savable as a
view), on the home page and in the API (``/api/v1/me/waiting/``, in the schema)."""

import datetime

import pytest
from django.utils import timezone

from apps.modelrequests.models import Board, RequestStatus, SavedView, ScoringMethod
from apps.registry.models import Feedback
from apps.teams.models import MemberRole
from tests.factories import (
    MembershipFactory,
    PlatformTeamFactory,
    TeamFactory,
    UserFactory,
    ValueStreamFactory,
)
from tests.modelrequests.factories import ModelRequestFactory
from tests.querycount import assert_queries_independent_of_rows
from tests.registry.factories import RegisteredModelFactory

pytestmark = pytest.mark.django_db

RICE_VALUE = {"reach": 100, "impact": 1, "confidence": 0.8}


@pytest.fixture
def org():
    stream_pm = UserFactory(username="stream-pm")
    stream = ValueStreamFactory(name="Checkout", product_manager=stream_pm)
    checkout = TeamFactory(name="Checkout Experience", value_stream=stream)
    platform = PlatformTeamFactory(name="ML Platform")
    other_platform = PlatformTeamFactory(name="Vision Platform")
    delivering_pm = MembershipFactory(team=platform, role=MemberRole.PRODUCT_MANAGER).user
    checkout_lead = MembershipFactory(team=checkout, role=MemberRole.LEAD).user
    engineer = MembershipFactory(team=checkout, role=MemberRole.ENGINEER).user
    platform_engineer = MembershipFactory(team=platform, role=MemberRole.ENGINEER).user
    now = timezone.now()
    hour = datetime.timedelta(hours=1)
    submitted = ModelRequestFactory(
        title="Basket recommender", requesting_team=checkout, delivering_team=platform, **RICE_VALUE
    )
    triaged = ModelRequestFactory(
        title="Fraud hints",
        requesting_team=checkout,
        delivering_team=platform,
        history=[(RequestStatus.TRIAGED, now)],
        **RICE_VALUE,
    )
    to_size = ModelRequestFactory(
        title="Search ranking",
        requesting_team=checkout,
        delivering_team=platform,
        history=[(RequestStatus.TRIAGED, now - hour), (RequestStatus.ACCEPTED, now)],
        **RICE_VALUE,
    )
    to_score = ModelRequestFactory(
        title="Delivery slots",
        requesting_team=checkout,
        delivering_team=platform,
        effort=2,
        history=[(RequestStatus.TRIAGED, now - hour), (RequestStatus.ACCEPTED, now)],
    )
    done = ModelRequestFactory(
        title="Fully scored",
        requesting_team=checkout,
        delivering_team=platform,
        effort=2,
        history=[(RequestStatus.TRIAGED, now - hour), (RequestStatus.ACCEPTED, now)],
        **RICE_VALUE,
    )
    elsewhere = ModelRequestFactory(
        title="Shelf images", requesting_team=TeamFactory(), delivering_team=other_platform
    )
    return locals()


def _titles(rows):
    return {row.title for row in rows}


def test_the_delivering_pm_waits_on_triage_decisions_and_sizes(client, browser_login, org):
    browser_login(client, org["delivering_pm"])
    response = client.get("/requests/?waiting=me")
    assert response.status_code == 200
    listed = {r.title for r in response.context["page"]}
    assert listed == {"Basket recommender", "Fraud hints", "Search ranking"}
    html = response.content.decode()
    assert "Waiting for: <strong>me</strong>" in html  # the filter in use, as a chip
    assert html.count("data-waiting>waits for you to triage<") == 1
    assert html.count("data-waiting>waits for you to size<") == 1
    assert html.count("data-waiting>waits for you to accept or reject<") == 1
    assert 'data-view="waiting-for-me"' in html and 'aria-current="true">Waiting for me' in html


def test_the_stream_pm_and_the_requesting_lead_wait_on_the_value_side(client, browser_login, org):
    for person in ("stream_pm", "checkout_lead"):
        client.logout()
        browser_login(client, org[person])
        listed = {r.title for r in client.get("/requests/?waiting=me").context["page"]}
        assert listed == {"Delivery slots"}, person


def test_an_engineer_waits_on_nothing_and_staff_on_every_team(client, browser_login, org, staff_user):
    browser_login(client, org["engineer"])
    assert list(client.get("/requests/?waiting=me").context["page"]) == []
    client.logout()
    browser_login(client, staff_user)
    listed = {r.title for r in client.get("/requests/?waiting=me").context["page"]}
    assert listed == {"Basket recommender", "Fraud hints", "Search ranking", "Delivery slots", "Shelf images"}


def test_sizing_follows_the_board_method(client, browser_login, org):
    """On a WSJF board an accepted request waits for its job size, not its effort."""
    Board.objects.create(team=org["platform"], scoring_method=ScoringMethod.WSJF)
    org["done"].job_size = 3
    org["done"].save()
    browser_login(client, org["delivering_pm"])
    listed = {r.title for r in client.get("/requests/?waiting=me").context["page"]}
    # every accepted one lacks a job size but "Fully scored"; triage and decide as before
    assert listed == {"Basket recommender", "Fraud hints", "Search ranking", "Delivery slots"}
    client.logout()
    browser_login(client, org["stream_pm"])
    listed = {r.title for r in client.get("/requests/?waiting=me").context["page"]}
    # WSJF's value inputs are missing on every backlog request
    assert listed == {"Basket recommender", "Fraud hints", "Search ranking", "Delivery slots", "Fully scored"}


def test_the_filter_works_on_the_kanban_and_the_backlog(client, browser_login, org):
    browser_login(client, org["delivering_pm"])
    board = client.get("/requests/board/?waiting=me&lanes=none").context["board"]
    cards = {card.title for lane in board.lanes for cell in lane.cells.values() for card in cell.cards}
    assert cards == {"Basket recommender", "Fraud hints", "Search ranking"}
    response = client.get(f"/requests/backlog/?delivering_team={org['platform'].slug}&waiting=me")
    shown = {row["item"].title for row in response.context["rows"]} | _titles(response.context["unscored"])
    assert shown == {"Basket recommender", "Fraud hints", "Search ranking"}


def test_waiting_for_me_saves_as_a_shared_view_that_each_person_reads_as_theirs(client, browser_login, org):
    browser_login(client, org["delivering_pm"])
    response = client.post(
        "/requests/views/new/",
        {"name": "Waiting for me", "kind": "list", "query": "waiting=me", "shared": "on"},
    )
    assert response.status_code == 302 and response["Location"] == "/requests/?waiting=me"
    view = SavedView.objects.get()
    assert (view.owner, view.query, view.shared) == (org["delivering_pm"], "waiting=me", True)
    client.logout()
    browser_login(client, org["stream_pm"])
    listed = {r.title for r in client.get(view.get_absolute_url()).context["page"]}
    assert listed == {"Delivery slots"}


def test_an_unknown_waiting_value_is_refused_by_the_api(api_as, org):
    response = api_as(org["delivering_pm"]).get("/api/v1/model-requests/?waiting=someone")
    assert response.status_code == 400
    assert "waiting" in response.json()


def test_the_api_lists_and_groups_what_waits(api_as, org):
    api = api_as(org["delivering_pm"])
    listed = api.get("/api/v1/model-requests/?waiting=me").json()
    assert {row["title"] for row in listed["results"]} == {
        "Basket recommender",
        "Fraud hints",
        "Search ranking",
    }
    model = RegisteredModelFactory(
        owning_team=org["platform"], value_stream=org["stream"], name="Basket model"
    )
    Feedback.objects.create(model=model, kind="bug", title="Odd scores on Mondays")
    body = api.get("/api/v1/me/waiting/").json()
    assert body["requests_count"] == 3
    assert [row["title"] for row in body["triage"]["items"]] == ["Basket recommender"]
    assert [row["title"] for row in body["decide"]["items"]] == ["Fraud hints"]
    assert [(row["title"], row["missing"]) for row in body["size"]["items"]] == [
        ("Search ranking", ["effort"])
    ]
    assert body["size"]["label"] == "to size" and body["value"]["count"] == 0
    assert body["feedback_count"] == 1 and body["feedback"][0]["title"] == "Odd scores on Mondays"
    assert body["blocked_versions"] == []

    body = api_as(org["stream_pm"]).get("/api/v1/me/waiting/").json()
    assert body["requests_count"] == 1
    assert [(r["title"], r["missing"]) for r in body["value"]["items"]] == [
        ("Delivery slots", ["reach", "impact", "confidence"])
    ]


def test_the_schema_documents_waiting_for_me(api_as, org):
    schema = api_as(org["engineer"]).get("/api/schema/?format=json").json()
    assert "get" in schema["paths"]["/api/v1/me/waiting/"]
    parameters = {p["name"] for p in schema["paths"]["/api/v1/model-requests/"]["get"]["parameters"]}
    assert "waiting" in parameters


def test_signed_out_callers_get_no_decisions(anon_api):
    assert anon_api.get("/api/v1/me/waiting/").status_code == 401


def test_the_home_page_links_the_full_list(client, browser_login, org):
    browser_login(client, org["delivering_pm"])
    html = client.get("/").content.decode()
    assert 'href="/requests/?waiting=me">List the 3 requests waiting for you</a>' in html


def test_waiting_queries_do_not_grow(api_as, org):
    def add_rows():
        ModelRequestFactory(requesting_team=org["checkout"], delivering_team=org["platform"])
        ModelRequestFactory(
            requesting_team=org["checkout"],
            delivering_team=org["platform"],
            history=[(RequestStatus.TRIAGED, timezone.now())],
        )

    # token, roles, counts, one list per kind (4), feedback list and count, staging versions
    assert_queries_independent_of_rows(
        api_as(org["delivering_pm"]), "/api/v1/me/waiting/", add_rows, expected=10
    )


def test_my_stream_is_a_built_in_view_of_each_page(client, browser_login, org):
    browser_login(client, org["stream_pm"])
    html = client.get("/requests/board/?lanes=none").content.decode()
    stream = org["stream"]
    assert f'href="?lanes=none&amp;stream={stream.slug}" data-view="my-stream"' in html
    assert "My stream · Checkout" in html
    response = client.get(f"/requests/?stream={stream.slug}")
    assert 'aria-current="true">My stream · Checkout' in response.content.decode()
    assert {r.title for r in response.context["page"]} == {
        "Basket recommender",
        "Fraud hints",
        "Search ranking",
        "Delivery slots",
        "Fully scored",
    }
    client.logout()
    browser_login(client, org["platform_engineer"])  # a platform team has no stream: no chip
    assert 'data-view="my-stream"' not in client.get("/requests/").content.decode()
