"""Reads for a value stream's product manager: every request of the stream across every delivering
team, with its rank on that team's backlog, its status, its age and what it waits for. The page and
the API (``GET /api/v1/model-requests/stream/``) share it and the one request filterset; the number
of queries does not depend on the number of requests or delivering teams."""

from django.db.models import Case, IntegerField, OuterRef, QuerySet, Subquery, Value, When
from django.utils import timezone

from apps.modelrequests import policy, ranking, scoring
from apps.modelrequests.models import (
    BACKLOG_STATUSES,
    Board,
    ModelRequest,
    RequestStatus,
    RequestTransition,
    ScoringMethod,
)
from apps.teams.models import ValueStream
from apps.teams.selectors import teams_of_user

# Backlog first, work under way next, then what is done or closed.
STATUS_ORDER = [
    RequestStatus.SUBMITTED,
    RequestStatus.TRIAGED,
    RequestStatus.ACCEPTED,
    RequestStatus.SELF_SERVICE,
    RequestStatus.IN_PROGRESS,
    RequestStatus.DELIVERED,
    RequestStatus.IN_PRODUCTION,
    RequestStatus.REJECTED,
    RequestStatus.RETIRED,
]


def default_stream(*, user) -> ValueStream | None:
    """The stream a person looks at first: the one they are accountable for, else their first team's."""
    own = ValueStream.objects.filter(product_manager=user).order_by("name").first()
    if own is not None:
        return own
    team = teams_of_user(user=user).filter(value_stream__isnull=False).order_by("name").first()
    return team.value_stream if team is not None else None


def stream_requests(queryset: QuerySet, *, stream: ValueStream) -> QuerySet[ModelRequest]:
    """The stream's requests (``queryset`` already filtered), backlog first, with ``status_since``
    (when it entered its status)."""
    entered = RequestTransition.objects.filter(request=OuterRef("pk")).order_by("-at", "-id").values("at")[:1]
    position = Case(
        *(When(status=status, then=Value(index)) for index, status in enumerate(STATUS_ORDER)),
        output_field=IntegerField(),
    )
    return (
        queryset.filter(value_stream=stream)
        .select_related("value_stream")
        .annotate(status_since=Subquery(entered), status_position=position)
        .order_by("status_position", "delivering_team__name", "-submitted_at", "-id")
    )


def with_ranks(items: list[ModelRequest], *, now=None) -> list[ModelRequest]:
    """Give each request of a page ``rank`` / ``backlog_size`` (on its delivering team's backlog as
    that team's board ranks it, None off the backlog or unscored), ``method``, ``age_days``,
    ``in_status_days`` and ``waits_for`` (in words). Two queries for the whole page: the boards and
    the backlog entries of every delivering team on it."""
    now = now or timezone.now()
    teams = {item.delivering_team_id for item in items if item.status in BACKLOG_STATUSES}
    methods = dict(Board.objects.filter(team_id__in=teams).values_list("team_id", "scoring_method"))
    rows = (
        ModelRequest.objects.filter(delivering_team_id__in=teams, status__in=BACKLOG_STATUSES)
        .annotate(rice=scoring.rice_expression(), wsjf=scoring.wsjf_expression())
        .order_by()
        .values_list("pk", "delivering_team_id", "rice", "wsjf", "manual_rank", "ranked_at", "submitted_at")
    )
    entries: dict[int, list[ranking.Entry]] = {team: [] for team in teams}
    for pk, team, rice, wsjf, pin, pinned_at, submitted in rows:
        score = rice if methods.get(team, ScoringMethod.RICE) == ScoringMethod.RICE else wsjf
        entries[team].append(
            ranking.Entry(pk=pk, score=score, pin=pin, pinned_at=pinned_at, submitted_at=submitted)
        )
    ranks: dict[int, int] = {}
    sizes: dict[int, int] = {}
    for team, team_entries in entries.items():
        ordered = ranking.order(team_entries)
        sizes[team] = len(team_entries)
        ranks.update({entry.pk: position for position, entry in enumerate(ordered, start=1)})
    for item in items:
        item.method = methods.get(item.delivering_team_id, ScoringMethod.RICE)
        on_backlog = item.status in BACKLOG_STATUSES
        item.rank = ranks.get(item.pk) if on_backlog else None
        item.backlog_size = sizes.get(item.delivering_team_id) if on_backlog else None
        item.age_days = (now - item.submitted_at).days
        since = getattr(item, "status_since", None) or item.submitted_at
        item.in_status_days = (now - since).days
        item.waits_for = waits_for(item)
    return items


def waits_for(item: ModelRequest) -> str:
    """What the request waits for, and from whom, in words."""
    delivering, requesting = item.delivering_team.name, item.requesting_team.name
    status = item.status
    if status == RequestStatus.SUBMITTED:
        return f"Triage by {delivering}'s PM or lead"
    if status == RequestStatus.TRIAGED:
        return f"A decision (accept, reject or self-service) by {delivering}'s PM"
    if status == RequestStatus.ACCEPTED:
        missing = scoring.missing_inputs(item, item.method)
        label = ScoringMethod(item.method).label
        value = [name for name in missing if name.replace(" ", "_") not in policy.SIZE_FIELDS]
        size = [name for name in missing if name.replace(" ", "_") in policy.SIZE_FIELDS]
        if value:
            return f"Its value for {label} ({', '.join(value)}) from {requesting} or the stream's PM"
        if size:
            return f"Sizing for {label} ({', '.join(size)}) by {delivering}'s lead or PM"
        return f"A start by {delivering}: rank {item.rank} of {item.backlog_size}"
    if status == RequestStatus.SELF_SERVICE:
        return f"A start by {requesting} (self-service)"
    if status == RequestStatus.IN_PROGRESS:
        return f"Delivery by {delivering}: a model in production"
    if status == RequestStatus.DELIVERED:
        return f"Confirmation by {requesting} that it runs in production"
    if status == RequestStatus.IN_PRODUCTION:
        return "Nothing: it is live (its impact is measured on Outcomes)"
    return "Nothing: it is closed"
