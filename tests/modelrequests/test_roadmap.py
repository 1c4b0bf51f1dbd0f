"""The roadmap: Now / Next / Later per delivering team from status, rank and capacity; a stream's view
keeps the team's whole-backlog ranks. Page, CSV and API."""

import csv
import io

import pytest

from apps.modelrequests.models import Board, RequestStatus
from tests.factories import PlatformTeamFactory, TeamFactory
from tests.modelrequests.factories import ModelRequestFactory, rice_inputs
from tests.querycount import assert_queries_independent_of_rows, count_queries

# the page, a stream's page (its filter looks the stream up), the API and the CSV: each the same
# whatever the teams, four of them the roadmap's (teams with boards, backlog entries, the requests
# shown among them, their rows)
PINNED_ROADMAP_QUERIES = (9, 10, 5, 6)

pytestmark = pytest.mark.django_db


@pytest.fixture
def planned(cast):
    cast.delivering.capacity_points = 4
    cast.delivering.save()
    other = TeamFactory()
    make = ModelRequestFactory
    make(title="Building", delivering_team=cast.delivering, status=RequestStatus.IN_PROGRESS)
    make(title="First", delivering_team=cast.delivering, requesting_team=other, **rice_inputs(900, effort=2))
    make(
        title="Second",
        delivering_team=cast.delivering,
        requesting_team=cast.requesting,
        **rice_inputs(500, effort=2),
    )
    make(
        title="Third",
        delivering_team=cast.delivering,
        requesting_team=cast.requesting,
        **rice_inputs(100, effort=2),
    )
    make(title="Unscored", delivering_team=cast.delivering, requesting_team=cast.requesting)
    make(title="Done", delivering_team=cast.delivering, status=RequestStatus.DELIVERED)
    return cast


def titles(items):
    return [item["title"] for item in items]


def test_now_next_later_follow_status_rank_and_capacity(api_as, planned):
    api = api_as(planned["outsider"])
    [lane] = api.get(f"/api/v1/model-requests/roadmap/?delivering_team={planned.delivering.slug}").json()[
        "teams"
    ]
    assert (lane["team"], lane["capacity_points"], lane["method"]) == (planned.delivering.slug, 4, "rice")
    assert titles(lane["now"]) == ["Building"]
    assert titles(lane["next"]) == ["First", "Second"]  # 2 + 2 points fit a capacity of 4
    assert titles(lane["later"]) == ["Third", "Unscored"] and lane["later_count"] == 2
    assert [item["position"] for item in lane["next"]] == [1, 2]


def test_a_streams_roadmap_keeps_the_teams_ranks(api_as, planned):
    api = api_as(planned["outsider"])
    stream = planned.requesting.value_stream.slug
    [lane] = api.get(f"/api/v1/model-requests/roadmap/?stream={stream}").json()["teams"]
    assert titles(lane["next"]) == ["Second"] and lane["next"][0]["position"] == 2
    assert titles(lane["later"]) == ["Third", "Unscored"]
    bad = api.get("/api/v1/model-requests/roadmap/?stream=nowhere")
    assert bad.status_code == 400 and "stream" in bad.json()


def test_page_and_csv(client, browser_login, planned):
    browser_login(client, planned["outsider"])
    page = client.get(f"/requests/roadmap/?delivering_team={planned.delivering.slug}").content.decode()
    assert page.index("Building") < page.index("First") < page.index("Second") < page.index("Third")
    assert "capacity 4 points per cycle" in page
    response = client.get(f"/requests/roadmap/?delivering_team={planned.delivering.slug}&export=csv")
    rows = list(csv.DictReader(io.StringIO(b"".join(response.streaming_content).decode())))
    assert [(r["horizon"], r["title"], r["position"]) for r in rows] == [
        ("now", "Building", ""),
        ("next", "First", "1"),
        ("next", "Second", "2"),
        ("later", "Third", "3"),
        ("later", "Unscored", ""),
    ]


def test_roadmap_query_counts_do_not_grow(client, browser_login, api_as, cast):
    browser_login(client, cast["deliver_pm"])

    def add_rows():
        for status in ("submitted", "triaged", "accepted", "in_progress"):
            ModelRequestFactory(delivering_team=cast.delivering, status=status, **rice_inputs(100))
        ModelRequestFactory(delivering_team=cast.delivering)

    url = f"/requests/roadmap/?delivering_team={cast.delivering.slug}"
    assert_queries_independent_of_rows(client, url, add_rows, expected=10)
    api = api_as(cast["deliver_pm"])
    api_url = f"/api/v1/model-requests/roadmap/?delivering_team={cast.delivering.slug}"
    assert_queries_independent_of_rows(api, api_url, add_rows, expected=6)


def test_roadmap_query_count_does_not_grow_with_the_teams(client, browser_login, api_as, cast):
    """The same number of queries for one delivering team and for three (the page, the API and the
    CSV, for every team and for a stream across teams)."""
    browser_login(client, cast["deliver_pm"])
    api = api_as(cast["deliver_pm"])
    stream = cast.requesting.value_stream.slug

    def team_with_work(team):
        for status in ("submitted", "accepted", "in_progress"):
            ModelRequestFactory(
                delivering_team=team, requesting_team=cast.requesting, status=status, **rice_inputs(100)
            )
        ModelRequestFactory(delivering_team=team, requesting_team=cast.requesting)

    def counts():
        return (
            count_queries(client, "/requests/roadmap/"),
            count_queries(client, f"/requests/roadmap/?stream={stream}"),
            count_queries(api, "/api/v1/model-requests/roadmap/"),
            count_queries(client, "/requests/roadmap/?export=csv"),
        )

    team_with_work(cast.delivering)
    one = counts()
    assert len(selectors_roadmap_teams(client)) == 1
    for _ in range(2):
        team = PlatformTeamFactory()
        Board.objects.create(team=team, scoring_method="wsjf")
        team_with_work(team)
    three = counts()
    assert len(selectors_roadmap_teams(client)) == 3
    assert one == three == PINNED_ROADMAP_QUERIES, (one, three)


def selectors_roadmap_teams(client):
    return client.get("/requests/roadmap/").context["lanes"]
