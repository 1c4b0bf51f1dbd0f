"""The flow metrics' SQL gives the same numbers on PostgreSQL and on SQLite (the quick start), and
its cumulative flow matches a replay of the transitions, on a random history with backward moves,
same-instant transitions and moves before the period."""

import datetime
import random
from collections import Counter

import pytest
from django.db import connections

from apps.modelrequests import flow_metrics as flow
from apps.modelrequests.models import ModelRequest, RequestTransition
from apps.modelrequests.models import RequestStatus as S
from apps.teams.models import Team, ValueStream
from tests.factories import PlatformTeamFactory, TeamFactory
from tests.modelrequests.conftest import QUICKSTART_DB
from tests.modelrequests.factories import ModelRequestFactory

pytestmark = pytest.mark.django_db(databases=["default", QUICKSTART_DB])

NOW = datetime.datetime(2026, 6, 24, 12, 0, tzinfo=datetime.UTC)
FORWARD = [S.TRIAGED, S.ACCEPTED, S.IN_PROGRESS, S.DELIVERED, S.IN_PRODUCTION]


def random_history(rng: random.Random, submitted: datetime.datetime) -> list[tuple]:
    steps, at = [], submitted
    for status in FORWARD[: rng.randint(0, len(FORWARD))]:
        # every fifth step happens at the same instant as the one before
        at = at if rng.random() < 0.2 else at + datetime.timedelta(seconds=rng.uniform(60, 12 * 86400))
        steps.append((status, min(at, NOW)))
        if status == S.IN_PROGRESS and rng.random() < 0.3:  # sent back, then started again
            at += datetime.timedelta(hours=rng.uniform(1, 72))
            steps += [(S.ACCEPTED, min(at, NOW)), (S.IN_PROGRESS, min(at + datetime.timedelta(hours=5), NOW))]
    return steps


@pytest.fixture
def history():
    rng = random.Random(15)
    deliverers = [PlatformTeamFactory(wip_limit=3), PlatformTeamFactory(wip_limit=5)]
    requesters = [TeamFactory(), TeamFactory()]
    for _ in range(80):
        submitted = NOW - datetime.timedelta(days=rng.uniform(0.5, 240), microseconds=rng.randint(0, 999_999))
        ModelRequestFactory(
            delivering_team=rng.choice(deliverers),
            requesting_team=rng.choice(requesters),
            submitted_at=submitted,
            history=random_history(rng, submitted),
        )
    copy_to_quickstart()
    return deliverers


def copy_to_quickstart():
    for model in (ValueStream, Team, ModelRequest, RequestTransition):
        rows = list(model.objects.all())
        for row in rows:
            if model is ValueStream:
                row.product_manager_id = None
            if model is ModelRequest:
                row.created_by_id = row.ranked_by_id = row.registered_model_id = None
            if model is RequestTransition:
                row.actor_id = None
        model.objects.using(QUICKSTART_DB).bulk_create(rows)


def replayed_cfd(requests, *, start, end) -> dict:
    """The cumulative flow the slow way: each request's status at the end of each day."""
    events = list(
        RequestTransition.objects.filter(request__in=requests)
        .order_by("at", "id")
        .values_list("request_id", "to_status", "at")
    )
    series = {status: [] for status in flow.CFD_ORDER}
    day = start
    while day <= end:
        day_end = datetime.datetime.combine(day + datetime.timedelta(days=1), datetime.time.min, datetime.UTC)
        current = {request_id: status for request_id, status, at in events if at < day_end}
        counts = Counter(current.values())
        for status in flow.CFD_ORDER:
            series[status].append(counts[status])
        day += datetime.timedelta(days=1)
    return series


@pytest.mark.parametrize("scope", ["all", "team"])
def test_postgresql_and_sqlite_give_the_same_report(history, scope):
    def report(database):
        requests = ModelRequest.objects.using(database)
        if scope == "team":
            requests = requests.filter(delivering_team__slug=history[0].slug)
        return flow.flow_report(requests, now=NOW).as_dict()

    assert connections[QUICKSTART_DB].vendor == "sqlite"  # and default is the PostgreSQL of the tests
    on_postgres, on_sqlite = report("default"), report(QUICKSTART_DB)
    assert on_postgres["lead_time_days"] is not None and on_postgres["cycle_time_days"] is not None
    assert sum(on_postgres["cfd"]["series"][S.IN_PROGRESS]) > 0
    assert len(on_postgres["by_delivering_team"]) == (2 if scope == "all" else 1)
    for key in on_postgres:
        assert on_sqlite[key] == on_postgres[key], key


def test_cumulative_flow_matches_a_replay_of_the_transitions(history):
    requests = ModelRequest.objects.all()
    start, end = (NOW - datetime.timedelta(days=flow.PERIOD_DAYS)).date(), NOW.date()
    expected = replayed_cfd(requests, start=start, end=end)
    for database in ("default", QUICKSTART_DB):
        cfd = flow.cumulative_flow(ModelRequest.objects.using(database), start=start, end=end)
        assert cfd["series"] == expected, database


def test_mean_times_match_the_first_times_of_each_request(history):
    since = datetime.datetime.combine(
        (NOW - datetime.timedelta(days=flow.PERIOD_DAYS)).date(), datetime.time.min, datetime.UTC
    )
    lead = []
    for request in ModelRequest.objects.prefetch_related("transitions"):
        firsts = {}
        for t in request.transitions.all():
            firsts.setdefault(t.to_status, t.at)
        done = firsts.get(S.DELIVERED)
        if done and done >= since:
            lead.append((done - firsts[S.SUBMITTED]).total_seconds())
    for database in ("default", QUICKSTART_DB):
        means = flow.time_means(ModelRequest.objects.using(database), since=since)["all"]
        assert means["delivered"] == len(lead) > 5
        assert means["lead"] == round(sum(lead) / len(lead) / 86400, 2), database
