import csv
import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.modelrequests.models import Board, ModelRequest, RequestStatus
from tests.modelrequests.factories import ModelRequestFactory, backlog_titles, rice_inputs, wsjf_inputs
from tests.querycount import assert_queries_independent_of_rows

pytestmark = pytest.mark.django_db

PAGES = ["/requests/", "/requests/backlog/", "/requests/board/", "/requests/flow/", "/requests/new/"]


@pytest.mark.parametrize("url", PAGES)
def test_pages_require_login(client, url):
    response = client.get(url)
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def read_csv(response) -> list[dict]:
    return list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))


def test_request_form_files_a_request(client, browser_login, cast):
    browser_login(client, cast["request_engineer"])
    response = client.post(
        "/requests/new/",
        {
            "title": "Predict late deliveries",
            "problem_statement": "Late parcels.",
            "requesting_team": cast.requesting.pk,
            "delivering_team": cast.delivering.pk,
            "value_stream": cast.requesting.value_stream.pk,
            "kpi": "On-time rate",
            "expected_change": "2",
            "affected_volume": "1000",
            "label_availability": "available",
            "simplest_alternative": "A postcode rule.",
            "attachments": "https://wiki.example.com/a\nhttps://wiki.example.com/b",
            "impact": "1.7",
        },
    )
    assert response.status_code == 200
    assert "Must be one of 0.25, 0.5, 1, 2, 3" in response.content.decode()
    assert ModelRequest.objects.count() == 0


def test_request_form_offers_only_the_users_teams(client, browser_login, cast):
    form = browser_login(client, cast["request_engineer"]).get("/requests/new/").context["form"]
    assert list(form.fields["requesting_team"].queryset) == [cast.requesting]
    browser_login(client, cast["staff"])
    assert client.get("/requests/new/").context["form"].fields["requesting_team"].queryset.count() == 2


def test_request_form_names_each_scale(client, browser_login, cast, settings):
    settings.MODELREQUESTS_SCALES = {"impact": (1, 2, 4)}
    page = browser_login(client, cast["request_engineer"]).get("/requests/new/").content.decode()
    assert "One of 1, 2, 4." in page  # impact, as configured
    assert "One of 0.5, 0.8, 1." in page  # confidence
    assert page.count("One of 1, 2, 3, 5, 8, 13, 20.") == 4  # the WSJF inputs


def test_detail_shows_scores_with_inputs_and_allowed_moves(client, browser_login, cast):
    request = ModelRequestFactory(
        delivering_team=cast.delivering, **rice_inputs(1000, 2, 0.8, 4), **wsjf_inputs(8, 5, 3, 5)
    )
    page = browser_login(client, cast["deliver_pm"]).get(f"/requests/{request.pk}/").content.decode()
    # the delivering PM sets the size side (a box), sees the value side (disabled)
    assert (
        'type="number" disabled value="1000"' in page
        and '<select disabled aria-describedby="locked-rice-' in page
    )
    assert "<option>2</option></select>" in page  # the scale as people write it, not "2.0"
    assert 'name="effort" type="number"' in page and 'value="4.0"' in page
    assert 'name="reach"' not in page and 'name="business_value"' not in page
    assert "RICE <strong>400</strong> · rank <strong>1</strong>" in page
    assert "WSJF <strong>3.2</strong> · rank <strong>1</strong>" in page
    assert '<option value="triaged">Triaged</option>' in page
    assert '<option value="rejected">Rejected</option>' in page


def test_refused_move_shows_a_message_naming_the_allowed_moves(client, browser_login, cast):
    request = ModelRequestFactory(delivering_team=cast.delivering, status=RequestStatus.TRIAGED)
    browser_login(client, cast["deliver_lead"])
    response = client.post(f"/requests/{request.pk}/transition/", {"to": "accepted"}, follow=True)
    page = response.content.decode()
    assert "You may not move this request from Triaged to Accepted: only the product manager of the " in page
    browser_login(client, cast["deliver_pm"])
    response = client.post(f"/requests/{request.pk}/transition/", {"to": "delivered"}, follow=True)
    assert "cannot move to Delivered. Moves you may make from Triaged: Accepted, Rejected, Self-service." in (
        response.content.decode()
    )
    request.refresh_from_db()
    assert request.status == RequestStatus.TRIAGED


def test_backlog_move_buttons_rank_without_javascript(client, browser_login, cast):
    a = ModelRequestFactory(title="Alpha", delivering_team=cast.delivering, **rice_inputs(900))
    b = ModelRequestFactory(title="Beta", delivering_team=cast.delivering, **rice_inputs(100))
    browser_login(client, cast["deliver_pm"])
    url = f"/requests/backlog/?delivering_team={cast.delivering.slug}"
    page = client.get(url).content.decode()
    assert f'value="{b.pk}:before:{a.pk}"' in page
    response = client.post(
        "/requests/backlog/rank/",
        {"delivering_team": cast.delivering.slug, "move": f"{b.pk}:before:{a.pk}", "reason": "", "next": url},
        follow=True,
    )
    assert "Say why this request is pinned here" in response.content.decode()
    client.post(
        "/requests/backlog/rank/",
        {
            "delivering_team": cast.delivering.slug,
            "move": f"{b.pk}:before:{a.pk}",
            "reason": "launch",
            "next": url,
        },
    )
    page = client.get(url).content.decode()
    assert page.index("Beta") < page.index("Alpha") and "“launch”" in page


def test_backlog_rank_box_moves_to_any_rank_across_pages_without_javascript(
    client, browser_login, cast, monkeypatch
):
    monkeypatch.setattr("apps.modelrequests.views.BACKLOG_PAGE_SIZE", 2)
    items = {
        title: ModelRequestFactory(title=title, delivering_team=cast.delivering, **rice_inputs(900 - 100 * i))
        for i, title in enumerate("ABCDE")
    }
    browser_login(client, cast["deliver_pm"])
    url = f"/requests/backlog/?delivering_team={cast.delivering.slug}&page=3"
    page = client.get(url).content.decode()
    assert f'name="rank-{items["E"].pk}"' in page and 'max="5"' in page
    # the page's query (filters, page) goes with the form, so htmx gets this page of the board back
    assert f'action="/requests/backlog/rank/?delivering_team={cast.delivering.slug}&amp;page=3"' in page
    post = f"/requests/backlog/rank/?delivering_team={cast.delivering.slug}"
    form = {"delivering_team": cast.delivering.slug, "reason": "board decision", "next": url}
    # Enter in the box: the hidden default button sends move_to="" and the one filled box
    response = client.post(post, {**form, "move_to": "", f"rank-{items['E'].pk}": "1"}, follow=True)
    assert f"Pinned #{items['E'].pk} E at rank 1." in response.content.decode()
    assert ModelRequest.objects.get(pk=items["E"].pk).manual_rank == 1
    # the row's Move button names the row; other boxes typed by mistake do not matter
    move = {"move_to": str(items["A"].pk), f"rank-{items['A'].pk}": "4", f"rank-{items['B'].pk}": "9"}
    client.post(post, {**form, **move})
    assert backlog_titles(cast.delivering) == list("EBCAD")
    pins = ModelRequest.objects.filter(manual_rank__isnull=False).order_by("manual_rank")
    assert [(r.title, r.manual_rank) for r in pins] == [("E", 1), ("A", 4)]  # B, C, D follow the score
    for data, message in [
        ({"move_to": ""}, "Type the new rank in one row&#x27;s box"),
        ({"move_to": str(items["A"].pk)}, f"Give #{items['A'].pk} a rank: a whole number from 1."),
        ({"move_to": "", f"rank-{items['A'].pk}": "x"}, "a whole number from 1"),
        ({"move_to": "", f"rank-{items['A'].pk}": "6"}, "Give a rank from 1 to 5."),
        ({"move_to": "", f"rank-{items['A'].pk}": "2", "reason": ""}, "Say why this request is pinned here"),
    ]:
        response = client.post(post, {**form, **data}, follow=True)
        assert message in response.content.decode(), data


def test_backlog_move_through_htmx_answers_the_board_and_the_answer_in_words(client, browser_login, cast):
    a = ModelRequestFactory(title="Alpha", delivering_team=cast.delivering, **rice_inputs(900))
    b = ModelRequestFactory(title="Beta", delivering_team=cast.delivering, **rice_inputs(100))
    browser_login(client, cast["deliver_pm"])
    page_url = f"/requests/backlog/?delivering_team={cast.delivering.slug}"
    page = client.get(page_url).content.decode()
    post = f"/requests/backlog/rank/?delivering_team={cast.delivering.slug}"
    assert f'hx-post="{post}" hx-target="#backlog-board" hx-swap="outerHTML"' in page
    assert '<div id="backlog-answer" class="backlog-answer" role="status"></div>' in page
    form = {"delivering_team": cast.delivering.slug, "method": "rice", "next": page_url}
    with CaptureQueriesContext(connection) as queries:
        response = client.post(
            post,
            {**form, "move": f"{b.pk}:before:{a.pk}", "reason": "launch"},
            headers={"HX-Request": "true"},
        )
    # 17 for the move (session, user, team, the rows, the service's write and audit entries), 12 for
    # the board the page shows (as the backlog page's board, without its filters and saved views)
    assert len(queries.captured_queries) == 29, "\n".join(q["sql"][:80] for q in queries.captured_queries)
    html = response.content.decode()
    assert response.status_code == 200 and "HX-Request" in response["Vary"]
    assert html.lstrip().startswith('<div id="backlog-board">') and "<html" not in html
    assert html.index("Beta") < html.index("Alpha") and "“launch”" in html
    assert f'<p class="msg msg-success">Pinned #{b.pk} Beta before #{a.pk}.</p>' in html
    assert f'name="next" value="{page_url}&amp;method=rice"' not in html  # the page, not the rank URL
    assert (
        f'<input type="hidden" name="next" value="/requests/backlog/?delivering_team={cast.delivering.slug}">'
        in html
    )
    assert backlog_titles(cast.delivering) == ["Beta", "Alpha"]
    refused = client.post(
        post, {**form, "move": f"{a.pk}:before:{b.pk}", "reason": ""}, headers={"HX-Request": "true"}
    ).content.decode()
    assert '<p class="msg msg-error">Say why this request is pinned here' in refused
    assert backlog_titles(cast.delivering) == ["Beta", "Alpha"]


def test_unpin_and_back_to_ranking_through_htmx_answer_the_board(client, browser_login, cast):
    pinned = ModelRequestFactory(
        title="Pinned one", delivering_team=cast.delivering, manual_rank=1, rank_reason="x", **rice_inputs(1)
    )
    other = ModelRequestFactory(
        title="Other pin", delivering_team=cast.delivering, manual_rank=2, rank_reason="y", **rice_inputs(2)
    )
    ModelRequestFactory(title="Scored", delivering_team=cast.delivering, **rice_inputs(900))
    browser_login(client, cast["deliver_pm"])
    query = f"?delivering_team={cast.delivering.slug}"
    htmx = {"headers": {"HX-Request": "true"}}
    html = client.post(f"/requests/{pinned.pk}/unpin/{query}", {}, **htmx).content.decode()
    assert html.lstrip().startswith('<div id="backlog-board">')
    assert f"Unpinned #{pinned.pk} Pinned one: it follows its score again." in html
    assert "(unpin 1)" in html and ModelRequest.objects.get(pk=pinned.pk).manual_rank is None
    reset = client.post(f"/requests/backlog/reset/{query}", {"delivering_team": cast.delivering.slug}, **htmx)
    html = reset.content.decode()
    assert "Removed 1 pins" in html and "Back to ranking" not in html
    assert ModelRequest.objects.get(pk=other.pk).manual_rank is None


def test_filtered_backlog_shows_and_takes_ranks_of_the_whole_backlog(client, browser_login, cast):
    mine = cast.requesting
    ModelRequestFactory(title="Other", delivering_team=cast.delivering, **rice_inputs(950))
    for title, reach in (("A", 900), ("B", 800), ("C", 700)):
        ModelRequestFactory(
            title=title, delivering_team=cast.delivering, requesting_team=mine, **rice_inputs(reach)
        )
    c = ModelRequest.objects.get(title="C")
    browser_login(client, cast["deliver_pm"])
    query = f"?delivering_team={cast.delivering.slug}&requesting_team={mine.slug}"
    page = client.get(f"/requests/backlog/{query}").content.decode()
    assert "Other" not in page and 'placeholder="2"' in page  # A is 2nd of the whole backlog
    client.post(f"/requests/backlog/rank/{query}", {"move_to": str(c.pk), f"rank-{c.pk}": "1", "reason": "x"})
    assert backlog_titles(cast.delivering) == ["C", "Other", "A", "B"]


def test_backlog_capacity_line_and_unscored_section(client, browser_login, cast):
    cast.delivering.capacity_points = 3
    cast.delivering.save()
    ModelRequestFactory(title="Fits", delivering_team=cast.delivering, **rice_inputs(900, effort=2))
    ModelRequestFactory(title="Waits", delivering_team=cast.delivering, **rice_inputs(100, effort=2))
    ModelRequestFactory(title="Unestimated", delivering_team=cast.delivering)
    page = (
        browser_login(client, cast["outsider"])
        .get(f"/requests/backlog/?delivering_team={cast.delivering.slug}")
        .content.decode()
    )
    assert page.index("Fits") < page.index("capacity-line") < page.index("Waits")
    assert page.index("Unscored (1)") < page.index("Unestimated")
    assert "draggable" not in page  # an outsider sees the board, cannot rank


def test_board_method_saved_per_team_and_overridable(client, browser_login, cast):
    ModelRequestFactory(
        title="Rice winner", delivering_team=cast.delivering, **rice_inputs(900), **wsjf_inputs(1)
    )
    ModelRequestFactory(
        title="Wsjf winner", delivering_team=cast.delivering, **rice_inputs(9), **wsjf_inputs(20)
    )
    browser_login(client, cast["deliver_pm"])
    url = f"/requests/backlog/?delivering_team={cast.delivering.slug}"
    page = client.get(url).content.decode()
    assert page.index("Rice winner") < page.index("Wsjf winner")
    assert (
        "RICE is" in page
        and "Make WSJF the team default" in client.get(url + "&method=wsjf").content.decode()
    )
    client.post(
        "/requests/backlog/board/", {"delivering_team": cast.delivering.slug, "scoring_method": "wsjf"}
    )
    assert Board.objects.get(team=cast.delivering).scoring_method == "wsjf"
    page = client.get(url).content.decode()
    assert page.index("Wsjf winner") < page.index("Rice winner")
    page = client.get(url + "&method=rice").content.decode()
    assert page.index("Rice winner") < page.index("Wsjf winner")


def test_board_settings_forbidden_to_other_teams(client, browser_login, cast):
    browser_login(client, cast["request_pm"])
    response = client.post(
        "/requests/backlog/board/", {"delivering_team": cast.delivering.slug, "scoring_method": "wsjf"}
    )
    assert response.status_code == 403
    assert not Board.objects.exists()


def test_kanban_filters_by_stream_requesting_and_delivering_team(client, browser_login, cast):
    mine = ModelRequestFactory(title="Mine", requesting_team=cast.requesting, delivering_team=cast.delivering)
    ModelRequestFactory(title="Theirs")
    browser_login(client, cast["outsider"])
    for query in (
        f"stream={cast.requesting.value_stream.slug}",
        f"requesting_team={cast.requesting.slug}",
        f"delivering_team={cast.delivering.slug}",
    ):
        page = client.get(f"/requests/board/?{query}").content.decode()
        assert mine.title in page and "Theirs" not in page


@pytest.mark.parametrize(
    "url,count_column",
    [
        ("/requests/?export=csv", "id"),
        ("/requests/board/?export=csv", "id"),
        ("/requests/backlog/?export=csv", "id"),
    ],
)
def test_csv_exports_use_the_same_filters(client, browser_login, cast, url, count_column):
    ModelRequestFactory(
        title="Mine", requesting_team=cast.requesting, delivering_team=cast.delivering, **rice_inputs(5)
    )
    ModelRequestFactory(title="Theirs", **rice_inputs(5))
    browser_login(client, cast["outsider"])
    rows = read_csv(
        client.get(f"{url}&requesting_team={cast.requesting.slug}&delivering_team={cast.delivering.slug}")
    )
    assert [r["title"] for r in rows] == ["Mine"]
    assert rows[0]["rice"] == "5"


def test_backlog_csv_has_positions_and_capacity(client, browser_login, cast):
    cast.delivering.capacity_points = 2
    cast.delivering.save()
    ModelRequestFactory(title="A", delivering_team=cast.delivering, **rice_inputs(900, effort=2))
    ModelRequestFactory(title="B", delivering_team=cast.delivering, **rice_inputs(100, effort=1))
    ModelRequestFactory(title="U", delivering_team=cast.delivering)
    browser_login(client, cast["outsider"])
    rows = read_csv(client.get(f"/requests/backlog/?delivering_team={cast.delivering.slug}&export=csv"))
    assert [(r["title"], r["position"], r["score"], r["above_capacity_line"]) for r in rows] == [
        ("A", "1", "450", "True"),
        ("B", "2", "100", "False"),
        ("U", "", "", ""),
    ]


def test_comment_form(client, browser_login, cast):
    request = ModelRequestFactory(requesting_team=cast.requesting, delivering_team=cast.delivering)
    browser_login(client, cast["request_engineer"])
    client.post(f"/requests/{request.pk}/comments/", {"body": "Is there a baseline?"})
    assert "Is there a baseline?" in client.get(f"/requests/{request.pk}/").content.decode()


@pytest.mark.parametrize(
    ("path", "queries"),
    [
        ("/requests/", 10),
        ("/requests/backlog/", 3),
        ("/requests/backlog/?delivering_team={team}", 23),
        ("/requests/backlog/?delivering_team={team}&method=wsjf", 22),
        # the kanban's cards carry their board's method: no query for the boards; the list, backlog
        # and kanban look up the person's stream for the "my stream" view (two queries)
        ("/requests/board/", 12),
        ("/requests/board/?delivering_team={team}", 14),
        ("/requests/board/?delivering_team={team}&lanes=delivering_team", 14),
        ("/requests/board/?lanes=none", 12),
        ("/requests/board/?lanes=none&method=wsjf", 12),
        ("/requests/?waiting=me", 11),
        ("/requests/board/?waiting=me", 13),
        ("/requests/flow/", 14),
        ("/requests/flow/?delivering_team={team}", 15),
    ],
)
def test_page_query_counts_do_not_grow(client, browser_login, cast, path, queries):
    browser_login(client, cast["deliver_pm"])

    def add_rows():
        for status in ("submitted", "triaged", "accepted", "in_progress", "delivered"):
            ModelRequestFactory(
                delivering_team=cast.delivering, status=status, **rice_inputs(100), **wsjf_inputs(3)
            )
        ModelRequestFactory(delivering_team=cast.delivering)  # unscored

    url = path.format(team=cast.delivering.slug)
    assert_queries_independent_of_rows(client, url, add_rows, expected=queries)


def test_detail_query_count_does_not_grow(client, browser_login, cast):
    request = ModelRequestFactory(delivering_team=cast.delivering)
    browser_login(client, cast["deliver_pm"])
    from apps.modelrequests import services
    from apps.outcomes.models import JobForRequest
    from tests.training.factories import TrainingJobFactory

    def add_rows():
        services.comment_create(actor=cast["staff"], request=request, body="more")
        JobForRequest.objects.create(request=request, job=TrainingJobFactory())

    assert_queries_independent_of_rows(
        client, f"/requests/{request.pk}/", add_rows, expected=14
    )  # +1: the History section (apps.audit); +1: the training jobs for it (apps.outcomes' links)


def test_board_column_wip_limits_override_and_validate(client, browser_login, cast, settings):
    from django.core.exceptions import ValidationError

    from apps.modelrequests import services

    settings.MODELREQUESTS_COLUMN_WIP_LIMITS = {"submitted": 5}
    services.board_update(
        actor=cast["deliver_pm"], team=cast.delivering, data={"column_wip_limits": {"triaged": 1}}
    )
    for _ in range(2):
        ModelRequestFactory(delivering_team=cast.delivering, status=RequestStatus.TRIAGED)
    browser_login(client, cast["outsider"])
    shown = client.get(f"/requests/board/?delivering_team={cast.delivering.slug}").context["board"]
    columns = {c.status: c for c in shown.columns}
    assert (columns["triaged"].wip_limit, columns["triaged"].over_limit) == (1, True)
    assert columns["submitted"].wip_limit == 5
    assert columns["in_progress"].wip_limit == cast.delivering.wip_limit
    with pytest.raises(ValidationError) as error:
        services.board_update(
            actor=cast["deliver_pm"], team=cast.delivering, data={"column_wip_limits": {"doing": 0}}
        )
    assert "Unknown column 'doing'" in error.value.message_dict["column_wip_limits"][0]


def test_csv_quotes_text_that_would_run_as_a_formula(client, browser_login, cast):
    ModelRequestFactory(title='=HYPERLINK("http://evil")', expected_change=-4.0)
    rows = read_csv(browser_login(client, cast["outsider"]).get("/requests/?export=csv"))
    assert rows[0]["title"] == '\'=HYPERLINK("http://evil")'
    assert rows[0]["expected_change_pct"] == "-4.0"


def test_inline_scoring_answers_the_new_score_and_rank_or_the_refusal(client, browser_login, cast):
    ModelRequestFactory(title="Top", delivering_team=cast.delivering, **rice_inputs(5000))
    request = ModelRequestFactory(
        requesting_team=cast.requesting, delivering_team=cast.delivering, **rice_inputs(1000, 2, 0.8, None)
    )
    url = f"/requests/{request.pk}/score/"
    fragment = {"headers": {"HX-Request": "true"}}  # htmx posts one changed input
    browser_login(client, cast["deliver_pm"])
    response = client.post(url, {"method": "rice", "effort": "4"}, **fragment)
    html = response.content.decode()
    assert response.status_code == 200 and html.lstrip().startswith('<form class="score-box"')
    assert "RICE <strong>400</strong> · rank <strong>2</strong>" in html and "Saved." in html
    assert ModelRequest.objects.get(pk=request.pk).effort == 4
    refused = client.post(url, {"method": "rice", "reach": "10"}, **fragment)
    assert refused.status_code == 403 and "can set the reach" in refused.content.decode()
    bad = client.post(url, {"method": "rice", "effort": "many"}, **fragment)
    assert bad.status_code == 400 and "effort:" in bad.content.decode()
    # without the script: back to the page with a message
    response = client.post(
        url, {"method": "rice", "effort": "2", "next": request.get_absolute_url()}, follow=True
    )
    assert "Saved the RICE inputs" in response.content.decode()
    assert ModelRequest.objects.get(pk=request.pk).effort == 2


def test_backlog_shows_pins_and_who_can_do_what(client, browser_login, cast):
    pinned = ModelRequestFactory(
        title="Pinned one",
        delivering_team=cast.delivering,
        manual_rank=1,
        rank_reason="contract",
        ranked_by=cast["deliver_pm"],
        **rice_inputs(1),
    )
    ModelRequestFactory(
        title="Scored", requesting_team=cast.requesting, delivering_team=cast.delivering, **rice_inputs(900)
    )
    url = f"/requests/backlog/?delivering_team={cast.delivering.slug}"
    page = browser_login(client, cast["deliver_pm"]).get(url).content.decode()
    assert "📌 Pinned</span> by " + cast["deliver_pm"].username in page and "“contract”" in page
    # the page's query goes with it, so htmx gets the same board back
    assert f'formaction="/requests/{pinned.pk}/unpin/?delivering_team={cast.delivering.slug}"' in page
    assert "Back to ranking by RICE (unpin 1)" in page
    assert "1 place above its RICE rank (2)" in page  # the pin holds it one above its score
    assert page.index("Pinned one") < page.index("Scored")
    page = browser_login(client, cast["request_pm"]).get(url).content.decode()
    assert "Only a lead or product manager of" in page and "Back to ranking" not in page
    assert cast["deliver_pm"].username in page or cast["deliver_pm"].get_full_name() in page  # who can
    assert 'name="reach"' in page and 'name="effort"' not in page  # the value side is theirs
    response = client.post(f"/requests/{pinned.pk}/unpin/", {"next": url}, follow=True)
    assert "can pin, unpin or rank the backlog of" in response.content.decode()
    browser_login(client, cast["deliver_pm"])
    client.post("/requests/backlog/reset/", {"delivering_team": cast.delivering.slug})
    assert ModelRequest.objects.get(pk=pinned.pk).manual_rank is None


def test_back_to_ranking_unpins_every_row_and_the_order_follows_the_score_again(client, browser_login, cast):
    low = ModelRequestFactory(title="Low", delivering_team=cast.delivering, **rice_inputs(10))
    mid = ModelRequestFactory(title="Mid", delivering_team=cast.delivering, **rice_inputs(500))
    high = ModelRequestFactory(title="High", delivering_team=cast.delivering, **rice_inputs(900))
    other = ModelRequestFactory(title="Other team's pin", manual_rank=1, **rice_inputs(5))
    ModelRequest.objects.filter(pk__in=[low.pk, mid.pk]).update(manual_rank=1, rank_reason="drag")
    url = f"/requests/backlog/?delivering_team={cast.delivering.slug}"
    browser_login(client, cast["deliver_pm"])
    page = client.get(url).content.decode()
    assert page.index(">Low<") < page.index(">High<")  # the pins hold the low scores on top
    assert "Back to ranking by RICE (unpin 2)" in page
    response = client.post(
        "/requests/backlog/reset/", {"delivering_team": cast.delivering.slug, "next": url}, follow=True
    )
    html = response.content.decode()
    assert "Removed 2 pins" in html and "Back to ranking" not in html
    assert html.index(">High<") < html.index(">Mid<") < html.index(">Low<")
    rows = ModelRequest.objects.filter(pk__in=[low.pk, mid.pk, high.pk])
    assert set(rows.values_list("manual_rank", "rank_reason")) == {(None, "")}
    assert ModelRequest.objects.get(pk=other.pk).manual_rank == 1  # another team's pin stays
    # one pin at a time: the row's unpin control
    ModelRequest.objects.filter(pk=low.pk).update(manual_rank=1)
    client.post(f"/requests/{low.pk}/unpin/", {"next": url})
    assert ModelRequest.objects.get(pk=low.pk).manual_rank is None
