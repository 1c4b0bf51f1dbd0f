"""Reads for model requests and the boards; they own query shape. Scores are computed in the
database (``scoring.*_expression``) so thousands of requests sort and page without Python loops."""

from dataclasses import dataclass, field

from django.conf import settings
from django.db.models import Count, F, Prefetch, QuerySet, Sum, Window
from django.db.models.functions import RowNumber
from django.shortcuts import get_object_or_404

from apps.modelrequests import policy, ranking, scoring
from apps.modelrequests.models import (
    BACKLOG_STATUSES,
    Board,
    ModelRequest,
    RequestComment,
    RequestStatus,
    RequestTransition,
    ScoreInput,
    ScoringMethod,
)
from apps.registry.models import ModelVersion, Stage
from apps.teams.models import Membership, Team
from apps.teams.permissions import TEAM_EDITOR_ROLES

# Kanban columns show this many cards each; the rest are one "more" link away (the filtered list).
KANBAN_CARDS_PER_COLUMN = 12
# Default WIP limits per kanban column (None: no limit). "in_progress" defaults to the delivering
# team's wip_limit; a team's Board.column_wip_limits overrides any of them.
DEFAULT_COLUMN_WIP_LIMITS = {
    RequestStatus.TRIAGED: 10,
    RequestStatus.ACCEPTED: 8,
    RequestStatus.DELIVERED: 6,
}


def roles_by_team(*, user) -> dict[int, set[str]]:
    """The user's roles per team id, loaded once (workflow and policy rules read it for every row)."""
    return policy.roles_of(user)


def team_rankers(*, team: Team) -> list[str]:
    """The names of the people who may pin, unpin and rank ``team``'s backlog (besides platform
    staff), for the page to say who to ask."""
    people = (
        Membership.objects.filter(team=team, role__in=TEAM_EDITOR_ROLES)
        .select_related("user")
        .order_by("user__username")
    )
    return [m.user.get_full_name() or m.user.username for m in people]


def board_for(*, team: Team) -> Board:
    return Board.objects.filter(team=team).first() or Board(team=team)


def board_method(*, team: Team, requested: str | None = None) -> str:
    """A board's method: ``requested`` (``?method=``) when valid, else the team's saved choice."""
    if requested in ScoringMethod.values:
        return requested
    return board_for(team=team).scoring_method


def request_list() -> QuerySet[ModelRequest]:
    return ModelRequest.objects.select_related(
        "requesting_team", "delivering_team", "value_stream", "registered_model"
    ).annotate(rice=scoring.rice_expression(), wsjf=scoring.wsjf_expression())


def request_detail(*, pk: int) -> ModelRequest:
    return get_object_or_404(
        request_list()
        .select_related("created_by", "ranked_by", "value_stream__product_manager")
        .prefetch_related(
            Prefetch("score_inputs", queryset=ScoreInput.objects.select_related("set_by")),
            Prefetch("transitions", queryset=RequestTransition.objects.select_related("actor")),
            Prefetch("comments", queryset=RequestComment.objects.select_related("author")),
        ),
        pk=pk,
    )


def request_work(*, request: ModelRequest) -> dict:
    """The work answering a request: the training jobs started for it (newest first; the link is
    apps.outcomes' ``JobForRequest``, reached through its reverse relation), the model that answers
    it and that model's production version. Three queries."""
    links = list(
        request.training_jobs.select_related(
            "job__dataset_version", "job__registered_version__model", "job__created_by"
        ).order_by("-job__created_at", "-job_id")
    )
    production = None
    if request.registered_model_id:
        production = ModelVersion.objects.filter(
            model_id=request.registered_model_id, stage=Stage.PRODUCTION
        ).first()
    return {"jobs": [link.job for link in links], "model": request.registered_model, "production": production}


def delivering_teams() -> QuerySet[Team]:
    """Teams with anything on their backlog, for the board's team picker."""
    return (
        Team.objects.filter(requests_to_deliver__status__in=BACKLOG_STATUSES)
        .annotate(backlog_count=Count("requests_to_deliver"))
        .order_by("name")
    )


def _backlog_base(queryset: QuerySet, *, team: Team, method: str) -> QuerySet:
    return queryset.filter(delivering_team=team, status__in=BACKLOG_STATUSES).annotate(
        score=scoring.score_expression(method)
    )


def backlog_entries(*, team: Team, method: str) -> list[ranking.Entry]:
    """The team's whole backlog as small tuples (one query), for ``ranking.order``."""
    size = scoring.size_field(method)
    rows = (
        _backlog_base(ModelRequest.objects.all(), team=team, method=method)
        .order_by()
        .values_list("pk", "score", "manual_rank", "ranked_at", "submitted_at", size)
    )
    return [
        ranking.Entry(pk=pk, score=score, pin=pin, pinned_at=at, submitted_at=submitted, size=float(s or 0))
        for pk, score, pin, at, submitted, s in rows
    ]


def backlog_order_ids(*, team: Team, method: str) -> list[int]:
    """The ids of the ranked backlog in order: pins at their ranks, the others by score."""
    return [entry.pk for entry in ranking.order(backlog_entries(team=team, method=method))]


class RankedBacklog:
    """The ranked backlog of a team, restricted to the requests of ``queryset`` (a filtered page),
    as a sequence a paginator can slice: the order is computed once from small tuples, and only the
    rows of the page asked for are loaded (one query, with their related rows).

    Each row carries ``position`` (its rank in the team's whole backlog), ``cumulative_size`` (the
    sizes of the whole backlog down to it), ``pinned``, ``score_rank`` (its rank were nothing pinned)
    and ``pin_offset`` (``position - score_rank``: negative when a pin holds it higher), and the capacity
    line: ``fits`` (the backlog
    down to it fits the team's capacity this cycle) and ``line_above`` (it is the first that does
    not: the line is drawn right above it)."""

    def __init__(self, queryset: QuerySet, *, team: Team, method: str):
        self.method = method
        self.capacity = team.capacity_points
        self._queryset = _backlog_base(queryset, team=team, method=method)
        entries = backlog_entries(team=team, method=method)
        ordered = ranking.order(entries)
        self._score_ranks = ranking.score_ranks(entries)
        shown = set(self._queryset.order_by().values_list("pk", flat=True))
        cumulative = 0.0
        self._rows = []  # (pk, position, cumulative size, own size) of the requests shown
        for position, entry in enumerate(ordered, start=1):
            cumulative += entry.size
            if entry.pk in shown:
                self._rows.append((entry.pk, position, cumulative, entry.size))

    def __len__(self) -> int:
        return len(self._rows)

    def count(self) -> int:
        return len(self._rows)

    def ids(self) -> list[int]:
        return [pk for pk, *_ in self._rows]

    def __getitem__(self, index):
        rows = self._rows[index] if isinstance(index, slice) else [self._rows[index]]
        loaded = (
            self._queryset.select_related("ranked_by")
            .prefetch_related("score_inputs__set_by")
            .in_bulk([pk for pk, *_ in rows])
        )
        items = []
        for pk, position, cumulative, size in rows:
            item = loaded[pk]
            item.position, item.cumulative_size = position, cumulative
            item.pinned = item.manual_rank is not None
            item.score_rank = self._score_ranks.get(pk)  # its rank by score alone, None unscored
            item.pin_offset = position - item.score_rank if item.score_rank else None
            item.fits = cumulative <= self.capacity
            item.line_above = cumulative > self.capacity >= cumulative - size
            items.append(item)
        return items if isinstance(index, slice) else items[0]

    def __iter__(self):
        for start in range(0, len(self._rows), 500):
            yield from self[start : start + 500]


def backlog(queryset: QuerySet, *, team: Team, method: str) -> RankedBacklog:
    return RankedBacklog(queryset, team=team, method=method)


def backlog_unscored(queryset: QuerySet, *, team: Team, method: str) -> QuerySet:
    """Requests missing an input of the method and not pinned: listed apart, never scored."""
    return _backlog_base(queryset, team=team, method=method).filter(
        manual_rank__isnull=True, score__isnull=True
    )


UNSCORED_SHOWN = 50


@dataclass
class BacklogView:
    """What a backlog page or the backlog endpoint shows: the ranked rows (a sequence, to page) and
    the first unscored requests, each with the inputs it still misses."""

    ranked: RankedBacklog
    unscored: QuerySet
    first_unscored: list
    unscored_count: int


def backlog_view(queryset: QuerySet, *, team: Team, method: str) -> BacklogView:
    unscored = backlog_unscored(queryset, team=team, method=method).order_by("submitted_at", "id")
    first = list(unscored.prefetch_related("score_inputs__set_by")[:UNSCORED_SHOWN])
    for item in first:
        item.missing = scoring.missing_inputs(item, method)
    return BacklogView(
        ranked=backlog(queryset, team=team, method=method),
        unscored=unscored,
        first_unscored=first,
        unscored_count=unscored.count(),
    )


def backlog_rank_of(*, request: ModelRequest, method: str) -> int | None:
    """The rank of one request on its delivering team's backlog (None when it has no place)."""
    ids = backlog_order_ids(team=request.delivering_team, method=method)
    return ids.index(request.pk) + 1 if request.pk in ids else None


@dataclass
class Column:
    status: str
    label: str
    count: int = 0
    wip_limit: int | None = None
    cards: list = field(default_factory=list)

    @property
    def over_limit(self) -> bool:
        return self.wip_limit is not None and self.count > self.wip_limit

    @property
    def has_more(self) -> bool:
        return self.count > len(self.cards)


def column_wip_limits(*, team: Team | None, queryset: QuerySet) -> dict[str, int | None]:
    limits = {**DEFAULT_COLUMN_WIP_LIMITS, **getattr(settings, "MODELREQUESTS_COLUMN_WIP_LIMITS", {})}
    if team is not None:
        limits[RequestStatus.IN_PROGRESS] = team.wip_limit
        limits.update(board_for(team=team).column_wip_limits or {})
    else:
        # All teams on the board: the sum of the WIP limits of the teams with work in progress.
        busy = queryset.filter(status=RequestStatus.IN_PROGRESS).order_by().values("delivering_team")
        limits[RequestStatus.IN_PROGRESS] = Team.objects.filter(pk__in=busy).aggregate(
            total=Sum("wip_limit")
        )["total"]
    return limits


def kanban(
    queryset: QuerySet, *, team: Team | None, per_column: int = KANBAN_CARDS_PER_COLUMN
) -> list[Column]:
    """One column per status with its count, WIP limit and its first cards: two queries whatever the
    number of requests (a row number per status, computed in the database)."""
    counts = dict(queryset.order_by().values_list("status").annotate(n=Count("id")))
    limits = column_wip_limits(team=team, queryset=queryset)
    columns = {
        status: Column(status=status, label=label, count=counts.get(status, 0), wip_limit=limits.get(status))
        for status, label in RequestStatus.choices
    }
    cards = (
        queryset.annotate(
            position=Window(
                RowNumber(),
                partition_by=[F("status")],
                order_by=[F("manual_rank").asc(nulls_last=True), F("submitted_at").asc(), F("id").asc()],
            )
        )
        .filter(position__lte=per_column)
        .order_by("status", "position")
    )
    for card in cards:
        columns[card.status].cards.append(card)
    return list(columns.values())


def any_requests() -> bool:
    """Whether any model request was filed (before that, delivery keys report "no data yet")."""
    return ModelRequest.objects.exists()


def delivered_since(*, since) -> list[tuple[int, object, object]]:
    """``(value stream id, submitted_at, delivered_at)`` of the requests delivered since ``since``."""
    return list(
        ModelRequest.objects.filter(
            delivered_at__isnull=False, submitted_at__isnull=False, delivered_at__gte=since
        ).values_list("value_stream_id", "submitted_at", "delivered_at")
    )
