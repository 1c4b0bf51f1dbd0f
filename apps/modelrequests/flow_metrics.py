"""Flow metrics of model requests, computed from the append-only transition history.

- lead time = submitted -> first delivered; queue time = submitted -> first in progress;
  cycle time = first in progress -> first delivered (DESIGN.md 3);
- throughput = requests delivered per week; WIP = requests in progress now;
- Little's law: mean WIP = throughput x mean cycle time (shown next to the measured WIP);
- cumulative flow: requests per status at the end of each day of the period;
- bottleneck: the queue (submitted, triaged, accepted) grew faster per week than the throughput over
  the last ``RECENT_WEEKS`` weeks, with a suggested action.

The per-transition work (first times, mean times, the day-by-day cumulative flow) is done in SQL
(``flow_sql``), weekly counts by a GROUP BY: Python only shapes the answer.
"""

import datetime
from dataclasses import asdict, dataclass, field

from django.db.models import Count, Q, QuerySet, Sum
from django.db.models.functions import TruncWeek
from django.utils import timezone

from apps.modelrequests import flow_sql
from apps.modelrequests.models import BACKLOG_STATUSES, RequestStatus, RequestTransition
from apps.teams.models import Team, TeamType

S = RequestStatus
PERIOD_DAYS = 182
RECENT_WEEKS = 4
AGEING_ITEMS = 10
ACTIVE_STATUSES = (*BACKLOG_STATUSES, S.SELF_SERVICE, S.IN_PROGRESS)
# Bottom to top of the cumulative flow diagram: finished work at the bottom.
CFD_ORDER = (
    S.RETIRED,
    S.IN_PRODUCTION,
    S.DELIVERED,
    S.IN_PROGRESS,
    S.SELF_SERVICE,
    S.ACCEPTED,
    S.TRIAGED,
    S.SUBMITTED,
    S.REJECTED,
)

ACTIONS = {
    "self_service": "Send to self-service: most queued requests come from stream-aligned teams with "
    "labelled data; they can train the model themselves on the platform.",
    "add_capacity": "Add capacity: the delivering teams are at their WIP limit, so work waits for people.",
    "enabling_team": "Ask an enabling team to help: work is not blocked by WIP limits, so coaching on "
    "practices (smaller slices, automated tests, CI) should shorten cycle time.",
}


@dataclass
class Bottleneck:
    detected: bool
    queue_now: int
    queue_before: int
    queue_growth_per_week: float
    throughput_per_week: float
    action: str = ""
    action_text: str = ""


@dataclass
class FlowReport:
    period_start: datetime.date
    period_end: datetime.date
    lead_time_days: float | None
    queue_time_days: float | None
    cycle_time_days: float | None
    wip: int
    wip_limit: int | None
    throughput_per_week: float
    littles_law_wip: float | None
    weekly_throughput: list[dict]
    ageing: list[dict]
    cfd: dict = field(default_factory=dict)
    bottleneck: Bottleneck | None = None
    by_delivering_team: list[dict] = field(default_factory=list)
    by_stream: list[dict] = field(default_factory=list)

    def as_dict(self) -> dict:
        return asdict(self)


def _days(value: datetime.timedelta | None) -> float | None:
    return None if value is None else round(value.total_seconds() / 86400, 2)


def _mean_days(row) -> dict:
    lead, queue, cycle, delivered = row
    return {
        "lead": _seconds_to_days(lead),
        "queue": _seconds_to_days(queue),
        "cycle": _seconds_to_days(cycle),
        "delivered": delivered,
    }


def _seconds_to_days(seconds) -> float | None:
    return None if seconds is None else round(float(seconds) / 86400, 2)


def time_means(requests: QuerySet, *, since) -> dict:
    """``{"all": means, "delivering_team": {id: means}, "value_stream": {id: means}}``."""
    result: dict = {"all": None, "delivering_team": {}, "value_stream": {}}
    for group, key, *row in flow_sql.time_means(requests, since=since):
        if group == "all":
            result["all"] = _mean_days(row)
        else:
            result[group][key] = _mean_days(row)
    return result


def breakdown(requests: QuerySet, means: dict, *, by: str, weeks: int) -> list[dict]:
    """The same numbers per delivering team (``by="delivering_team"``) or per stream (``"value_stream"``)."""
    counts = (
        requests.values(f"{by}_id", f"{by}__name", f"{by}__slug")
        .annotate(
            wip=Count("id", filter=Q(status=S.IN_PROGRESS)),
            queued=Count("id", filter=Q(status__in=BACKLOG_STATUSES)),
        )
        .order_by(f"{by}__name", f"{by}_id")
    )
    none = {"lead": None, "queue": None, "cycle": None, "delivered": 0}
    result = []
    for group in counts:
        mean = means[by].get(group[f"{by}_id"], none)
        result.append(
            {
                "name": group[f"{by}__name"],
                "slug": group[f"{by}__slug"],
                "lead_time_days": mean["lead"],
                "queue_time_days": mean["queue"],
                "cycle_time_days": mean["cycle"],
                "wip": group["wip"],
                "queued": group["queued"],
                "throughput_per_week": round(mean["delivered"] / weeks, 2),
            }
        )
    return result


def _weekly_throughput(requests: QuerySet, *, weeks: int, now: datetime.datetime) -> list[dict]:
    this_week = (now - datetime.timedelta(days=now.weekday())).date()
    first_week = this_week - datetime.timedelta(weeks=weeks - 1)
    since = datetime.datetime.combine(first_week, datetime.time.min, tzinfo=datetime.UTC)
    rows = (
        RequestTransition.objects.using(requests.db)
        .filter(request__in=requests.values("pk"), to_status=S.DELIVERED, at__gte=since, at__lte=now)
        .annotate(week=TruncWeek("at"))
        .values("week")
        .annotate(n=Count("request", distinct=True))
        .order_by("week")
    )
    counts = {row["week"].date() if hasattr(row["week"], "date") else row["week"]: row["n"] for row in rows}
    return [
        {"week": week, "delivered": counts.get(week, 0)}
        for week in (first_week + datetime.timedelta(weeks=i) for i in range(weeks))
    ]


def _ageing(requests: QuerySet, *, now: datetime.datetime, lead_time_days: float | None) -> list[dict]:
    rows = (
        requests.filter(status__in=ACTIVE_STATUSES)
        .select_related("delivering_team", "requesting_team")
        .order_by("submitted_at", "id")[:AGEING_ITEMS]
    )
    return [
        {
            "id": r.pk,
            "title": r.title,
            "status": r.status,
            "status_label": r.get_status_display(),
            "delivering_team": r.delivering_team.slug,
            "delivering_team_name": r.delivering_team.name,
            "requesting_team": r.requesting_team.slug,
            "age_days": _days(now - r.submitted_at),
            "older_than_lead_time": lead_time_days is not None
            and _days(now - r.submitted_at) > lead_time_days,
        }
        for r in rows
    ]


def cumulative_flow(requests: QuerySet, *, start: datetime.date, end: datetime.date) -> dict:
    """``{"days": [...], "series": {status: [count per day]}}``: how many requests were in each
    status at the end of each day, from their transitions."""
    days = [start + datetime.timedelta(days=i) for i in range((end - start).days + 1)]
    series = {status: [0] * len(days) for status in CFD_ORDER}
    for status, day, count in flow_sql.cumulative_flow_counts(requests, start=start, end=end):
        series[status][day] = count
    return {"days": days, "series": series}


def _suggest(requests: QuerySet, *, wip: int, wip_limit: int | None) -> str:
    queued = requests.filter(status__in=BACKLOG_STATUSES).aggregate(
        total=Count("id"),
        self_serviceable=Count(
            "id",
            filter=Q(requesting_team__team_type=TeamType.STREAM_ALIGNED, label_availability="available"),
        ),
    )
    if queued["total"] and queued["self_serviceable"] * 2 >= queued["total"]:
        return "self_service"
    if wip_limit is not None and wip >= wip_limit:
        return "add_capacity"
    return "enabling_team"


def bottleneck(
    requests: QuerySet, *, cfd: dict, weekly: list[dict], wip: int, wip_limit: int | None
) -> Bottleneck:
    def queue_on(index: int) -> int:
        return sum(cfd["series"][status][index] for status in BACKLOG_STATUSES)

    days = len(cfd["days"])
    back = min(RECENT_WEEKS * 7, days - 1)
    queue_now, queue_before = queue_on(days - 1), queue_on(days - 1 - back)
    weeks = max(back / 7, 1)
    growth = (queue_now - queue_before) / weeks
    recent = weekly[-RECENT_WEEKS:]
    throughput = sum(w["delivered"] for w in recent) / max(len(recent), 1)
    report = Bottleneck(
        detected=growth > 0 and growth > throughput,
        queue_now=queue_now,
        queue_before=queue_before,
        queue_growth_per_week=round(growth, 2),
        throughput_per_week=round(throughput, 2),
    )
    if report.detected:
        report.action = _suggest(requests, wip=wip, wip_limit=wip_limit)
        report.action_text = ACTIONS[report.action]
    return report


def flow_report(
    requests: QuerySet, *, now: datetime.datetime | None = None, period_days: int = PERIOD_DAYS
) -> FlowReport:
    """Flow metrics of a set of requests (one delivering team's, one stream's, or all)."""
    now = now or timezone.now()
    end = now.date()
    start = end - datetime.timedelta(days=period_days)
    since = datetime.datetime.combine(start, datetime.time.min, tzinfo=datetime.UTC)
    requests = requests.order_by()
    groups = time_means(requests, since=since)
    means = groups["all"]
    weeks = max(period_days // 7, 1)
    weekly = _weekly_throughput(requests, weeks=weeks, now=now)
    throughput = sum(w["delivered"] for w in weekly) / len(weekly)
    in_progress = requests.filter(status=S.IN_PROGRESS)
    wip = in_progress.count()
    wip_limit = _wip_limit(requests)
    cycle, lead = means["cycle"], means["lead"]
    cfd = cumulative_flow(requests, start=start, end=end)
    return FlowReport(
        period_start=start,
        period_end=end,
        lead_time_days=lead,
        queue_time_days=means["queue"],
        cycle_time_days=cycle,
        wip=wip,
        wip_limit=wip_limit,
        throughput_per_week=round(throughput, 2),
        littles_law_wip=None if cycle is None else round(throughput / 7 * cycle, 2),
        weekly_throughput=weekly,
        ageing=_ageing(requests, now=now, lead_time_days=lead),
        cfd=cfd,
        bottleneck=bottleneck(requests, cfd=cfd, weekly=weekly, wip=wip, wip_limit=wip_limit),
        by_delivering_team=breakdown(requests, groups, by="delivering_team", weeks=weeks),
        by_stream=breakdown(requests, groups, by="value_stream", weeks=weeks),
    )


def _wip_limit(requests: QuerySet) -> int | None:
    """The summed WIP limit of the teams delivering these requests."""
    teams = Team.objects.using(requests.db).filter(pk__in=requests.values("delivering_team"))
    return teams.aggregate(total=Sum("wip_limit"))["total"]
