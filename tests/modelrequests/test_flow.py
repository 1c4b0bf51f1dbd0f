"""Flow metrics against a hand-built history (explicit timestamps), worked out by hand."""

import datetime

import pytest

from apps.modelrequests import flow_metrics as flow
from apps.modelrequests.models import LabelAvailability, ModelRequest
from apps.modelrequests.models import RequestStatus as S
from tests.factories import PlatformTeamFactory, TeamFactory
from tests.modelrequests.factories import ModelRequestFactory

pytestmark = pytest.mark.django_db

NOW = datetime.datetime(2026, 6, 24, 12, 0, tzinfo=datetime.UTC)
D0 = NOW - datetime.timedelta(days=30)  # 2026-05-25 12:00


def day(n: float) -> datetime.datetime:
    return D0 + datetime.timedelta(days=n)


@pytest.fixture
def history():
    """R1: lead 10, queue 4, cycle 6. R2: lead 18, queue 2, cycle 16. R3: queue 3, still in progress.
    R4: submitted yesterday. Another team's request must not count."""
    team = PlatformTeamFactory(wip_limit=2)
    make = ModelRequestFactory
    make(
        title="R1",
        delivering_team=team,
        submitted_at=day(0),
        history=[(S.IN_PROGRESS, day(4)), (S.DELIVERED, day(10))],
    )
    make(
        title="R2",
        delivering_team=team,
        submitted_at=day(2),
        history=[(S.IN_PROGRESS, day(4)), (S.DELIVERED, day(20))],
    )
    make(
        title="R3",
        delivering_team=team,
        submitted_at=day(5),
        history=[(S.TRIAGED, day(6)), (S.ACCEPTED, day(7)), (S.IN_PROGRESS, day(8))],
    )
    make(title="R4", delivering_team=team, submitted_at=NOW - datetime.timedelta(days=1))
    make(title="other", submitted_at=day(1), history=[(S.IN_PROGRESS, day(2)), (S.DELIVERED, day(3))])
    return team


def report_for(team):
    return flow.flow_report(ModelRequest.objects.filter(delivering_team=team), now=NOW)


def test_lead_queue_cycle_time_and_wip(history):
    report = report_for(history)
    assert report.lead_time_days == 14.0  # (10 + 18) / 2
    assert report.queue_time_days == 3.0  # (4 + 2 + 3) / 3
    assert report.cycle_time_days == 11.0  # (6 + 16) / 2
    assert (report.wip, report.wip_limit) == (1, 2)


def test_weekly_throughput_and_littles_law(history):
    report = report_for(history)
    weeks = {w["week"]: w["delivered"] for w in report.weekly_throughput}
    assert len(weeks) == 26
    assert weeks[datetime.date(2026, 6, 1)] == 1  # R1 on Thursday 4 June
    assert weeks[datetime.date(2026, 6, 8)] == 1  # R2 on Sunday 14 June
    assert sum(weeks.values()) == 2
    assert report.throughput_per_week == round(2 / 26, 2)
    assert report.littles_law_wip == round(2 / 26 / 7 * 11, 2)


def test_cumulative_flow_replays_the_history(history):
    cfd = report_for(history).cfd
    at = {d: i for i, d in enumerate(cfd["days"])}

    def counts(date):
        return {s: cfd["series"][s][at[date]] for s in cfd["series"] if cfd["series"][s][at[date]]}

    assert counts(datetime.date(2026, 5, 24)) == {}
    assert counts(datetime.date(2026, 5, 30)) == {S.IN_PROGRESS: 2, S.SUBMITTED: 1}
    assert counts(datetime.date(2026, 6, 14)) == {S.DELIVERED: 2, S.IN_PROGRESS: 1}
    assert counts(datetime.date(2026, 6, 24)) == {S.DELIVERED: 2, S.IN_PROGRESS: 1, S.SUBMITTED: 1}


def test_ageing_items_oldest_first_flagged_against_lead_time(history):
    ageing = report_for(history).ageing
    assert [(a["title"], a["age_days"], a["older_than_lead_time"]) for a in ageing] == [
        ("R3", 25.0, True),
        ("R4", 1.0, False),
    ]
    assert {a["delivering_team_name"] for a in ageing} == {history.name}  # the page shows names


def test_no_bottleneck_when_queue_shrinks(history):
    bottleneck = report_for(history).bottleneck
    assert (bottleneck.queue_before, bottleneck.queue_now) == (2, 1)
    assert not bottleneck.detected and bottleneck.action == ""


@pytest.mark.parametrize(
    "labels,in_progress,action",
    [
        (LabelAvailability.AVAILABLE, 0, "self_service"),
        (LabelAvailability.NONE, 1, "add_capacity"),
        (LabelAvailability.NONE, 0, "enabling_team"),
    ],
)
def test_bottleneck_when_queue_grows_faster_than_throughput(labels, in_progress, action):
    team = PlatformTeamFactory(wip_limit=1)
    requester = TeamFactory()  # stream-aligned
    for i in range(6):
        ModelRequestFactory(
            delivering_team=team,
            requesting_team=requester,
            label_availability=labels,
            submitted_at=NOW - datetime.timedelta(days=i + 1),
        )
    for _ in range(in_progress):
        ModelRequestFactory(delivering_team=team, submitted_at=D0, history=[(S.IN_PROGRESS, day(1))])
    bottleneck = report_for(team).bottleneck
    assert (bottleneck.queue_before, bottleneck.queue_now) == (0, 6)
    assert bottleneck.queue_growth_per_week == 1.5  # 6 more in 4 weeks
    assert bottleneck.throughput_per_week == 0
    assert bottleneck.detected
    assert bottleneck.action == action
    assert bottleneck.action_text == flow.ACTIONS[action]


def test_breakdown_per_delivering_team_and_per_stream(history):
    report = flow.flow_report(ModelRequest.objects.all(), now=NOW)
    by_team = {g["name"]: g for g in report.by_delivering_team}
    mine = by_team[history.name]
    assert (mine["lead_time_days"], mine["queue_time_days"], mine["cycle_time_days"]) == (14.0, 3.0, 11.0)
    assert (mine["wip"], mine["queued"], mine["throughput_per_week"]) == (1, 1, round(2 / 26, 2))
    (other,) = [g for name, g in by_team.items() if name != history.name]
    assert (other["lead_time_days"], other["queue_time_days"], other["cycle_time_days"]) == (2.0, 1.0, 1.0)
    # every factory request has its own stream here: five streams, one request each
    assert len(report.by_stream) == 5
    assert sum(g["wip"] for g in report.by_stream) == 1
