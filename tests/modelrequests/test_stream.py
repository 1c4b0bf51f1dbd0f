"""The value stream PM's view (page and API): every request of the stream across every delivering
team with its rank on that team's backlog (as the team's board ranks it, pins included), its status,
its age and what it waits for; the stream defaults to the one the person is accountable for; the
number of queries does not grow with requests or delivering teams."""

import datetime

import pytest
from django.utils import timezone

from apps.modelrequests import services
from apps.modelrequests.models import Board, RequestStatus
from tests.factories import PlatformTeamFactory, TeamFactory, UserFactory, ValueStreamFactory
from tests.modelrequests.factories import ModelRequestFactory, rice_inputs, wsjf_inputs
from tests.querycount import assert_queries_independent_of_rows

pytestmark = pytest.mark.django_db


def _accepted(**fields):
    now = timezone.now()
    return ModelRequestFactory(
        history=[(RequestStatus.TRIAGED, now - datetime.timedelta(days=3)), (RequestStatus.ACCEPTED, now)],
        **fields,
    )


@pytest.fixture
def stream_setup():
    pm = UserFactory(username="stream-pm")
    stream = ValueStreamFactory(name="Checkout", product_manager=pm)
    checkout = TeamFactory(name="Checkout Experience", value_stream=stream)
    platform = PlatformTeamFactory(name="ML Platform")
    search = PlatformTeamFactory(name="Search Platform")
    Board.objects.create(team=search, scoring_method="wsjf")
    return pm, stream, checkout, platform, search


def test_the_stream_view_ranks_each_request_on_its_own_teams_backlog(
    client, browser_login, api_as, stream_setup
):
    pm, stream, checkout, platform, search = stream_setup
    other_stream_team = TeamFactory(name="Fulfilment")
    top = _accepted(title="Top of ML Platform", delivering_team=platform, **rice_inputs(900))
    ours = _accepted(
        title="Basket recommender", requesting_team=checkout, delivering_team=platform, **rice_inputs(100)
    )
    unsized = _accepted(
        title="Fraud hints",
        requesting_team=checkout,
        delivering_team=platform,
        reach=10,
        impact=1,
        confidence=1,
    )
    on_search = _accepted(
        title="Search ranking", requesting_team=checkout, delivering_team=search, **wsjf_inputs(5)
    )
    _accepted(title="Better on search", delivering_team=search, **wsjf_inputs(20))
    submitted = ModelRequestFactory(title="Just filed", requesting_team=checkout, delivering_team=search)
    ModelRequestFactory(title="Not ours", requesting_team=other_stream_team, delivering_team=platform)
    # a pin on ML Platform's backlog holds ours at the top
    services.request_rank(actor=UserFactory(is_staff=True), request=ours, position=1, reason="Peak season")

    browser_login(client, pm)
    page = client.get("/requests/stream/")  # the stream pm is accountable for
    assert page.status_code == 200 and page.context["stream"] == stream
    rows = {r.title: r for r in page.context["page"]}
    assert set(rows) == {"Basket recommender", "Fraud hints", "Search ranking", "Just filed"}
    assert (rows["Basket recommender"].rank, rows["Basket recommender"].backlog_size) == (1, 4)
    assert rows["Search ranking"].rank == 2 and rows["Search ranking"].method == "wsjf"
    assert rows["Fraud hints"].rank is None
    assert rows["Fraud hints"].waits_for == "Sizing for RICE (effort) by ML Platform's lead or PM"
    assert rows["Just filed"].waits_for == "Triage by Search Platform's PM or lead"
    assert rows["Basket recommender"].waits_for == "A start by ML Platform: rank 1 of 4"
    assert rows["Just filed"].age_days == 1
    html = page.content.decode()
    assert "Sizing for RICE (effort)" in html and '1 <span class="muted small">of 4 (RICE)' in html

    api = api_as(pm).get("/api/v1/model-requests/stream/").json()
    by_id = {row["id"]: row for row in api["results"]}
    assert by_id[on_search.pk]["rank"] == 2 and by_id[on_search.pk]["backlog_size"] == 3
    assert by_id[unsized.pk]["rank"] is None and by_id[submitted.pk]["status"] == "submitted"
    assert by_id[ours.pk]["waits_for"] == "A start by ML Platform: rank 1 of 4"
    assert top.pk not in by_id
    only = api_as(pm).get(
        f"/api/v1/model-requests/stream/?stream={stream.slug}&delivering_team={search.slug}"
    )
    assert {row["id"] for row in only.json()["results"]} == {on_search.pk, submitted.pk}


def test_a_person_without_a_stream_is_asked_for_one_and_bad_filters_are_400(api_as, client, browser_login):
    outsider = UserFactory()
    response = api_as(outsider).get("/api/v1/model-requests/stream/")
    assert response.status_code == 400 and "stream" in response.json()
    bad = api_as(outsider).get("/api/v1/model-requests/stream/?stream=no-such-stream")
    assert bad.status_code == 400 and "stream" in bad.json()
    browser_login(client, outsider)
    page = client.get("/requests/stream/")
    assert page.status_code == 200 and "Choose a value stream above." in page.content.decode()


def test_the_stream_view_query_count_does_not_grow(client, browser_login, api_as, stream_setup):
    pm, stream, checkout, _platform, _search = stream_setup
    browser_login(client, pm)

    def add_rows():  # more requests, each on a new delivering team's backlog
        team = PlatformTeamFactory()
        Board.objects.create(team=team, scoring_method="wsjf")
        _accepted(requesting_team=checkout, delivering_team=team, **wsjf_inputs(3))
        _accepted(requesting_team=checkout, delivering_team=team)
        ModelRequestFactory(requesting_team=checkout, delivering_team=team, status=RequestStatus.IN_PROGRESS)

    assert_queries_independent_of_rows(client, "/requests/stream/", add_rows, expected=11)
    token_client = api_as(pm)
    assert_queries_independent_of_rows(token_client, "/api/v1/model-requests/stream/", add_rows, expected=7)
