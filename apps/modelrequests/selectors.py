"""Reads for model requests and the boards; they own query shape. Scores are computed in the
database (``scoring.*_expression``) so thousands of requests sort and page without Python loops."""

from dataclasses import dataclass, field

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db.models import (
    Case,
    CharField,
    Count,
    F,
    FloatField,
    IntegerField,
    OuterRef,
    Prefetch,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Cast, Coalesce, RowNumber
from django.shortcuts import get_object_or_404
from django.utils import timezone

from apps.modelrequests import policy, ranking, scoring
from apps.modelrequests.models import (
    BACKLOG_STATUSES,
    Board,
    ModelRequest,
    RequestComment,
    RequestStatus,
    RequestTransition,
    SavedView,
    ScoreInput,
    ScoringMethod,
)
from apps.registry.models import ModelVersion, Stage
from apps.teams.models import Membership, Team
from apps.teams.permissions import TEAM_EDITOR_ROLES

# Each kanban cell (a column in a swimlane) shows this many cards; the rest are one "more" link away
# (the filtered list).
KANBAN_CARDS_PER_CELL = 5
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


# Swimlanes of the kanban: a request attribute to group rows by (``?lanes=``).
KANBAN_LANES = {
    "stream": ("value_stream", "Value stream"),
    "delivering_team": ("delivering_team", "Delivering team"),
    "none": (None, "No swimlanes"),
}
# Columns shown folded (a narrow strip with the count) until someone opens them.
KANBAN_FOLDED = (RequestStatus.REJECTED, RequestStatus.RETIRED)


@dataclass
class Column:
    status: str
    label: str
    count: int = 0
    wip_limit: int | None = None
    folded: bool = False

    @property
    def over_limit(self) -> bool:
        return self.wip_limit is not None and self.count > self.wip_limit


@dataclass
class Cell:
    status: str
    folded: bool = False
    count: int = 0
    cards: list = field(default_factory=list)

    @property
    def more(self) -> int:
        return self.count - len(self.cards)


@dataclass
class Lane:
    key: object  # the lane's row id (a stream's or a team's), None for the single lane
    label: str
    slug: str = ""
    cells: dict = field(default_factory=dict)

    @property
    def count(self) -> int:
        return sum(cell.count for cell in self.cells.values())


@dataclass
class KanbanBoard:
    columns: list[Column]
    lanes: list[Lane]
    lane_by: str
    method: str | None = None  # the score the cards show and follow; None: each team's board method

    def rows(self):
        """Each lane with its cells in column order (for the template)."""
        return [(lane, [lane.cells[column.status] for column in self.columns]) for lane in self.lanes]


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


def kanban_lane_by(*, requested: str | None, team: Team | None) -> str:
    """The swimlanes asked for, else by stream on one team's board and by delivering team on all."""
    if requested in KANBAN_LANES:
        return requested
    return "stream" if team is not None else "delivering_team"


def _entered_column():
    """When the request entered its current column and who moved it there (its last move)."""
    last = RequestTransition.objects.filter(request=OuterRef("pk")).order_by("-at", "-id")
    return {
        "entered_at": Coalesce(Subquery(last.values("at")[:1]), F("submitted_at")),
        "owner_id": Coalesce(
            Subquery(last.values("actor")[:1]), F("created_by"), output_field=IntegerField()
        ),
    }


def kanban(
    queryset: QuerySet,
    *,
    team: Team | None,
    lane_by: str = "none",
    per_cell: int = KANBAN_CARDS_PER_CELL,
    method: str | None = None,
) -> KanbanBoard:
    """Columns (one per status, with count and WIP limit) and swimlanes (by stream or delivering team),
    each cell with its count and first cards. Each card has ``entered_at`` (when it entered its
    column), ``owner`` (who moved it there, else who filed it) and ``score`` (by its delivering team's
    board method, ``method``; ``method`` given: by that method for every card). In a cell, pinned
    cards come first in their pin order, then the others by that score (highest first, unscored
    last), then by age, as on the backlog. A fixed number of queries whatever the rows: counts, WIP
    limits, cards (a row number per lane and status computed in the database, with their board's
    method), owners."""
    lane_field = KANBAN_LANES[lane_by][0]
    group = [lane_field, "status"] if lane_field else ["status"]
    counts = {
        (row[0] if lane_field else None, row[-2]): row[-1]
        for row in queryset.order_by().values_list(*group).annotate(n=Count("id"))
    }
    limits = column_wip_limits(team=team, queryset=queryset)
    by_status: dict[str, int] = {}
    for (_lane, status), n in counts.items():
        by_status[status] = by_status.get(status, 0) + n
    columns = [
        Column(
            status=status,
            label=label,
            count=by_status.get(status, 0),
            wip_limit=limits.get(status),
            folded=status in KANBAN_FOLDED,
        )
        for status, label in RequestStatus.choices
    ]
    partition = [F(lane_field), F("status")] if lane_field else [F("status")]
    card_score: F | Case
    if method in ScoringMethod.values:
        card_score = F(method)
    else:
        method = None
        card_score = Case(When(board_method=ScoringMethod.WSJF, then=F("wsjf")), default=F("rice"))
    cards = list(
        _with_board_method(queryset)
        .annotate(card_score=card_score)
        .annotate(
            **_entered_column(),
            position=Window(
                RowNumber(),
                partition_by=partition,
                order_by=[
                    F("manual_rank").asc(nulls_last=True),
                    F("card_score").desc(nulls_last=True),
                    F("submitted_at").asc(),
                    F("id").asc(),
                ],
            ),
        )
        .filter(position__lte=per_cell)
        .order_by("status", "position")
    )
    owners = get_user_model().objects.in_bulk({card.owner_id for card in cards if card.owner_id})
    lanes: dict[object, Lane] = {}
    now = timezone.now()
    for card in cards:
        card.days_in_column = max((now - card.entered_at).days, 0)
        card.owner = owners.get(card.owner_id)
        card.method = method or card.board_method
        card.score = card.card_score
        key = getattr(card, f"{lane_field}_id") if lane_field else None
        if key not in lanes:
            related = getattr(card, lane_field) if lane_field else None
            lanes[key] = Lane(
                key=key,
                label=related.name if related else "All requests",
                slug=related.slug if related else "",
                cells={c.status: Cell(status=c.status, folded=c.folded) for c in columns},
            )
        lanes[key].cells[card.status].cards.append(card)
    for (key, status), n in counts.items():
        if key in lanes:
            lanes[key].cells[status].count = n
    return KanbanBoard(
        columns=columns,
        lanes=sorted(lanes.values(), key=lambda lane: lane.label.lower()),
        lane_by=lane_by,
        method=method,
    )


# Roadmap horizons: now (being built), next (ranked within the team's capacity this cycle), later
# (ranked below the capacity line, or not scored yet).
ROADMAP_HORIZONS = ("now", "next", "later")
ROADMAP_NOW = (RequestStatus.IN_PROGRESS,)
ROADMAP_SHOWN = 50


@dataclass
class RoadmapLane:
    team: Team
    method: str
    now: list = field(default_factory=list)
    next: list = field(default_factory=list)
    later: list = field(default_factory=list)
    later_count: int = 0

    @property
    def columns(self):
        return [("now", "Now", self.now), ("next", "Next", self.next), ("later", "Later", self.later)]


def _board_score():
    """Each request's score by its delivering team's board method (needs ``board_method``)."""
    return Case(
        When(board_method=ScoringMethod.WSJF, then=scoring.wsjf_expression()),
        default=scoring.rice_expression(),
        output_field=FloatField(),
    )


def _board_size():
    """What each request costs its delivering team under the board method (needs ``board_method``)."""
    return Case(
        When(board_method=ScoringMethod.WSJF, then=Cast("job_size", FloatField())),
        default=F("effort"),
        output_field=FloatField(),
    )


def roadmap(queryset: QuerySet) -> list[RoadmapLane]:
    """Now / Next / Later per delivering team of the requests of ``queryset`` (a team's, a stream's):
    in progress is now; the ranked backlog (pins at their place, then by the board's score) down to
    the team's capacity is next, the rest and the unscored are later. Ranks and capacity are the
    team's whole backlog's, so a stream's view shows where its requests stand in each team's queue.
    Four queries whatever the number of teams and requests: the teams with their boards, every
    backlog entry of those teams (small tuples, for ``ranking.order``), the requests of ``queryset``
    among them, and the rows shown."""
    relevant = queryset.filter(status__in=(*ROADMAP_NOW, *BACKLOG_STATUSES))
    teams = list(
        Team.objects.filter(pk__in=relevant.order_by().values("delivering_team"))
        .select_related("request_board")
        .order_by("name")
    )
    if not teams:
        return []
    entries: dict[int, list[ranking.Entry]] = {team.pk: [] for team in teams}
    backlog_rows = (
        _with_board_method(
            ModelRequest.objects.filter(delivering_team__in=teams, status__in=BACKLOG_STATUSES)
        )
        .annotate(score=_board_score(), size=_board_size())
        .order_by()
        .values_list("pk", "delivering_team", "score", "manual_rank", "ranked_at", "submitted_at", "size")
    )
    for pk, team_id, score, pin, at, submitted, size in backlog_rows:
        entries[team_id].append(
            ranking.Entry(
                pk=pk, score=score, pin=pin, pinned_at=at, submitted_at=submitted, size=float(size or 0)
            )
        )
    shown = {
        pk: (team_id, status, started_at)
        for pk, team_id, status, started_at in relevant.filter(delivering_team__in=teams)
        .order_by()
        .values_list("pk", "delivering_team", "status", "started_at")
    }
    lanes, places = [], {}
    for team in teams:
        board = getattr(team, "request_board", None)
        lane = RoadmapLane(team=team, method=board.scoring_method if board else ScoringMethod.RICE)
        building = sorted(
            (started is None, started, pk)
            for pk, (team_id, status, started) in shown.items()
            if team_id == team.pk and status in ROADMAP_NOW
        )
        lane.now = [pk for _null, _started, pk in building[:ROADMAP_SHOWN]]
        later: list[int] = []
        cumulative = 0.0
        for position, entry in enumerate(ranking.order(entries[team.pk]), start=1):
            cumulative += entry.size
            if entry.pk not in shown:
                continue
            places[entry.pk] = position
            (lane.next if cumulative <= team.capacity_points else later).append(entry.pk)
        unscored = sorted(
            (entry.submitted_at, entry.pk)
            for entry in entries[team.pk]
            if entry.pin is None and entry.score is None and entry.pk in shown
        )
        lane.later_count = len(later) + len(unscored)
        lane.later = (later + [pk for _at, pk in unscored])[:ROADMAP_SHOWN]
        lanes.append(lane)
    wanted = {pk for lane in lanes for pk in (*lane.now, *lane.next, *lane.later)}
    rows = _with_board_method(queryset).annotate(score=_board_score()).in_bulk(wanted)
    for lane in lanes:
        for horizon in ROADMAP_HORIZONS:
            items = [rows[pk] for pk in getattr(lane, horizon)]
            for item in items:
                item.position = places.get(item.pk) if horizon != "now" else None
            setattr(lane, horizon, items)
    return lanes


def saved_views(*, user, kind: str | None = None) -> QuerySet[SavedView]:
    """The views ``user`` may open: their own and those others shared (platform staff: all)."""
    views = SavedView.objects.select_related("owner")
    if not policy.sees_every_saved_view(user):
        views = views.filter(Q(owner=user) | Q(shared=True))
    if kind:
        views = views.filter(kind=kind)
    return views.order_by("name", "id")


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


# "Waiting for me": the decisions on requests waiting for one person (the home page, ``?waiting=me``
# on the list, backlog and kanban, and the API), in the order the workflow asks for them.
WAITING_KINDS = {
    "triage": "to triage",
    "decide": "to accept or reject",
    "size": "to size",
    "value": "to score",
}


def _waiting_conditions(*, user, roles: dict[int, set[str]] | None = None) -> dict[str, Q]:
    """Per kind of decision, the requests (annotated with ``board_method``) it waits for ``user``:
    triage and accept/reject: submitted or triaged requests of a team they lead; size: accepted
    requests of a team they lead missing the board method's size input; score: requests on a
    backlog missing a value input, of a team they lead or a stream they are accountable for.
    Platform staff: every team's."""
    none = Q(pk__isnull=True)  # matches no row (a primary key is never null)
    if not (user and user.is_authenticated):
        return dict.fromkeys(WAITING_KINDS, none)
    staff = policy.decides_for_every_team(user)
    roles = policy.roles_of(user) if roles is None else roles
    leading = [team for team, names in roles.items() if names & set(TEAM_EDITOR_ROLES)]
    delivers = Q() if staff else Q(delivering_team_id__in=leading)
    values = Q() if staff else Q(requesting_team_id__in=leading) | Q(value_stream__product_manager=user)
    rice, wsjf = Q(board_method=ScoringMethod.RICE), Q(board_method=ScoringMethod.WSJF)

    def missing(names) -> Q:
        found = Q(pk__isnull=True)
        for name in names:
            found |= Q(**{f"{name}__isnull": True})
        return found

    value_rice = [n for n in scoring.RICE_INPUTS if n not in policy.SIZE_FIELDS]
    value_wsjf = [n for n in scoring.WSJF_INPUTS if n not in policy.SIZE_FIELDS]
    return {
        "triage": Q(status=RequestStatus.SUBMITTED) & delivers,
        "decide": Q(status=RequestStatus.TRIAGED) & delivers,
        "size": Q(status=RequestStatus.ACCEPTED)
        & delivers
        & (rice & Q(effort__isnull=True) | wsjf & Q(job_size__isnull=True)),
        "value": Q(status__in=BACKLOG_STATUSES)
        & values
        & (rice & missing(value_rice) | wsjf & missing(value_wsjf)),
    }


def _with_board_method(queryset: QuerySet) -> QuerySet:
    return queryset.annotate(
        board_method=Coalesce(F("delivering_team__request_board__scoring_method"), Value(ScoringMethod.RICE))
    )


def waiting_for(queryset: QuerySet, *, user) -> QuerySet:
    """The requests of ``queryset`` with a decision waiting for ``user``, each annotated with
    ``waiting`` (the first kind of ``WAITING_KINDS`` it waits for) and ``board_method``."""
    conditions = _waiting_conditions(user=user)
    kind = Case(
        *(When(condition, then=Value(name)) for name, condition in conditions.items()),
        default=None,
        output_field=CharField(),
    )
    return _with_board_method(queryset).annotate(waiting=kind).filter(waiting__isnull=False)


def waiting_decisions(*, user, limit: int = 10, roles: dict[int, set[str]] | None = None) -> dict[str, dict]:
    """Per kind of decision: the ``count`` and the first ``limit`` ``rows`` (oldest first) waiting
    for ``user``; each row has ``missing`` (the inputs it lacks, for size and score); ``total``
    counts the requests waiting in any kind (no rows). A request may wait in two kinds (sizing and
    scoring). Six queries whatever the rows (the roles unless given, the counts, a list per kind)."""
    conditions = _waiting_conditions(user=user, roles=roles)
    base = _with_board_method(request_list()).filter(status__in=BACKLOG_STATUSES)
    anything = Q(pk__isnull=True)
    for condition in conditions.values():
        anything |= condition
    counts = base.aggregate(
        total=Count("pk", filter=anything),
        **{name: Count("pk", filter=condition) for name, condition in conditions.items()},
    )
    result = {}
    for name, condition in conditions.items():
        rows = list(base.filter(condition).order_by("submitted_at", "pk")[:limit])
        for row in rows:
            lacks = scoring.missing_inputs(row, row.board_method)
            sizes = {n.replace("_", " ") for n in policy.SIZE_FIELDS}
            row.missing = (
                [n for n in lacks if (n in sizes) == (name == "size")] if name in ("size", "value") else []
            )
        result[name] = {"label": WAITING_KINDS[name], "count": counts[name], "rows": rows}
    result["total"] = {"label": "in all", "count": counts["total"], "rows": []}
    return result
