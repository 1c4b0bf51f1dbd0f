"""Writes for model requests: create/update/delete, workflow transitions (announced as events, which
notify the requesting team), manual ranking on a delivering team's backlog, comments and board settings."""

import datetime

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.http import QueryDict
from django.utils import timezone
from django.utils.http import urlencode

from apps.core.changes import update_each, update_rows
from apps.core.exceptions import Conflict, field_errors
from apps.core.policy import ensure
from apps.core.services import apply_and_save
from apps.modelrequests import announcements, policy, ranking, selectors, workflow
from apps.modelrequests.filtersets import ModelRequestFilterSet
from apps.modelrequests.models import (
    BACKLOG_STATUSES,
    Board,
    ModelRequest,
    RequestComment,
    RequestStatus,
    RequestTransition,
    SavedView,
    SavedViewPage,
    ScoreInput,
    ScoringMethod,
)
from apps.teams.permissions import ensure_can_change_team

REQUEST_FIELDS = (
    "title",
    "problem_statement",
    "requesting_team",
    "delivering_team",
    "value_stream",
    "kpi",
    "expected_change",
    "affected_volume",
    "decision_deadline",
    "data_available",
    "label_availability",
    "simplest_alternative",
    "alternative_effect",
    "attachments",
    "registered_model",
    "reach",
    "impact",
    "confidence",
    "effort",
    "business_value",
    "time_criticality",
    "risk_reduction",
    "job_size",
)
BOARD_FIELDS = ("scoring_method", "column_wip_limits")


def _changed_score_fields(request: ModelRequest, data: dict) -> list[str]:
    def differs(name):
        new, old = data[name], getattr(request, name)
        return (new is None) != (old is None) or (new is not None and float(new) != float(old))

    return [name for name in policy.SCORE_FIELDS if name in data and differs(name)]


def _check_score_fields(actor, request: ModelRequest, fields: list[str]) -> None:
    roles = selectors.roles_by_team(user=actor)
    for name in fields:
        policy.ensure_can_set_score_field(actor, request, name, roles=roles)


def _record_setters(actor, request: ModelRequest, fields: list[str]) -> None:
    now = timezone.now()
    for name in fields:
        ScoreInput.objects.update_or_create(
            request=request, field=name, defaults={"set_by": actor, "set_at": now}
        )


def request_create(
    *,
    actor: User,
    data: dict,
    created_by: User | None = None,
    submitted_at: datetime.datetime | None = None,
) -> ModelRequest:
    """File a request; its history starts with ``submitted``. Platform staff filing for someone else
    (the admin) may name who filed it (``created_by``, the actor by default) and when."""
    team = data.get("requesting_team")
    ensure(actor, policy.FILE_REQUEST.name, team)
    if data.get("value_stream") is None and team is not None and team.value_stream_id:
        data = {**data, "value_stream": team.value_stream}
    with transaction.atomic():
        request = ModelRequest(created_by=created_by or actor)
        if submitted_at is not None:
            request.submitted_at = submitted_at
        request = apply_and_save(request, data=data, fields=REQUEST_FIELDS)
        # checked once the input is valid (a 400 names bad fields first); raising rolls back
        scored = [name for name in policy.SCORE_FIELDS if data.get(name) is not None]
        _check_score_fields(actor, request, scored)
        RequestTransition.objects.create(
            request=request,
            from_status="",
            to_status=RequestStatus.SUBMITTED,
            actor=actor,
            at=request.submitted_at,
        )
        _record_setters(actor, request, scored)
        announcements.request_created(request)
    return request


@transaction.atomic
def request_update(*, actor: User, request: ModelRequest, data: dict) -> ModelRequest:
    """Change a request's details and score inputs. The stored row is re-read (and locked) first: what
    changed and who may change it are decided against the database, never against an object a form
    or serializer already wrote the posted values onto. Each changed score input is checked on its own
    (the value side for the requesting side, the size side for the delivering team, see ``policy``)
    and records who set it and when; a person who may only score passes only score inputs."""
    stored = (
        ModelRequest.objects.select_for_update(of=("self",))
        .select_related("requesting_team", "delivering_team", "value_stream")
        .get(pk=request.pk)
    )
    scored = _changed_score_fields(stored, data)
    details = {
        name for name in data if name not in policy.SCORE_FIELDS and getattr(stored, name, None) != data[name]
    }
    if details or not scored:
        policy.ensure_can_edit_request(actor, stored)
    _check_score_fields(actor, stored, scored)
    if "requesting_team" in data and data["requesting_team"] != stored.requesting_team:
        ensure_can_change_team(actor, data["requesting_team"], action="move requests to")
    if "delivering_team" in data and data["delivering_team"] != stored.delivering_team:
        # a pin means nothing on another team's backlog
        for name, value in UNPINNED.items():
            setattr(stored, name, value)
    stored = apply_and_save(stored, data=data, fields=REQUEST_FIELDS)
    _record_setters(actor, stored, scored)
    return stored


def request_score(*, actor: User, request: ModelRequest, data: dict) -> ModelRequest:
    """Set some score inputs only (inline scoring): anything else is an unknown field."""
    unknown = sorted(set(data) - set(policy.SCORE_FIELDS))
    if unknown:
        raise ValidationError({name: "Not a score input." for name in unknown})
    return request_update(actor=actor, request=request, data=data)


BULK_SCORE_MAX_ROWS = 200


class BulkScoreRefused(Exception):
    """Nothing of a bulk score was saved: ``errors`` maps each refused row's id to
    ``{field: [messages]}``; ``forbidden`` when every refusal is a missing right (403, else 400)."""

    def __init__(self, errors: dict[int, dict[str, list[str]]], *, forbidden: bool):
        self.errors, self.forbidden = errors, forbidden
        super().__init__(f"Nothing saved: {len(errors)} of the rows were refused.")


def _bulk_row_error(error: PermissionDenied | ValidationError) -> dict[str, list[str]]:
    if isinstance(error, ValidationError):
        return field_errors(error)
    return {"detail": [str(error)]}


@transaction.atomic
def requests_bulk_score(*, actor: User, team, rows: dict[int, dict]) -> list[ModelRequest]:
    """Set score inputs (typically the size side) of several requests on ``team``'s backlog at once,
    all or nothing: every row goes through ``request_score`` (its scale and role checks, the record of
    who set each input) in its own savepoint so each refusal is collected; if any row is refused the
    whole transaction rolls back and ``BulkScoreRefused`` names each row's problem. Rows whose inputs
    equal the stored ones are left alone. Returns the requests written."""
    if not rows:
        raise ValidationError({"rows": "Give at least one request to score."})
    if len(rows) > BULK_SCORE_MAX_ROWS:
        raise ValidationError({"rows": f"At most {BULK_SCORE_MAX_ROWS} requests at once."})
    found = {
        item.pk: item
        for item in ModelRequest.objects.select_related("requesting_team", "delivering_team", "value_stream")
        .filter(pk__in=rows)
        .order_by("pk")
    }
    errors: dict[int, dict[str, list[str]]] = {}
    written = []
    for pk, data in rows.items():
        item = found.get(pk)
        if item is None or item.delivering_team_id != team.pk or item.status not in BACKLOG_STATUSES:
            errors[pk] = {"id": [f"#{pk} is not on the backlog of {team.name}."]}
            continue
        unknown = sorted(set(data) - set(policy.SCORE_FIELDS))
        if unknown or not data:
            errors[pk] = {name: ["Not a score input."] for name in unknown} or {"id": ["Give an input."]}
            continue
        if not _changed_score_fields(item, data):
            continue
        try:
            with transaction.atomic():
                written.append(request_score(actor=actor, request=item, data=data))
        except (PermissionDenied, ValidationError) as error:
            errors[pk] = _bulk_row_error(error)
    if errors:  # raising rolls back every row written above
        forbidden = all(set(problem) == {"detail"} for problem in errors.values())
        raise BulkScoreRefused(errors, forbidden=forbidden)
    return written


@transaction.atomic
def request_delete(*, actor: User, request: ModelRequest) -> None:
    ensure(actor, policy.WITHDRAW_REQUEST.name, request.requesting_team)
    if request.status != RequestStatus.SUBMITTED and not policy.may_withdraw_started(actor, request):
        raise Conflict("Only a request still in 'submitted' can be withdrawn; reject or retire it instead.")
    request.delete()


@transaction.atomic
def request_transition(
    *, actor: User, request: ModelRequest, to_status: str, note: str = "", at=None
) -> RequestTransition:
    """Move a request along the workflow (see ``workflow``). A move the request's status does not
    allow raises ``Conflict`` (409) naming, in words, the moves the actor may make from there; a move
    that exists but that the actor may not make raises ``PermissionDenied`` (403) naming who may."""
    request = ModelRequest.objects.select_for_update().get(pk=request.pk)
    roles = selectors.roles_by_team(user=actor)
    allowed = policy.allowed_moves(actor, request, roles=roles)
    if to_status not in allowed:
        target, current = workflow.label(to_status), request.get_status_display()
        if to_status in workflow.next_statuses(request.status):
            raise PermissionDenied(
                f"You may not move this request from {current} to {target}: only the "
                f"{workflow.who_may(request.status, to_status)}, or platform staff, may."
            )
        options = ", ".join(workflow.label(status) for status in allowed)
        moves = (
            f"Moves you may make from {current}: {options}." if options else "You may make no move from it."
        )
        raise Conflict(f"A request in {current} cannot move to {target}. {moves}", allowed=allowed)
    return _move(request, to_status, actor=actor, note=note, at=at)


def _move(request: ModelRequest, to_status: str, *, actor, note: str, at=None, by_portal=False):
    at = at or timezone.now()
    transition = RequestTransition.objects.create(
        request=request,
        from_status=request.status,
        to_status=to_status,
        actor=actor,
        at=at,
        note=note,
        by_portal=by_portal,
    )
    request.status = to_status
    changed = ["status", "updated_at"]
    if to_status == RequestStatus.SELF_SERVICE:
        request.delivering_team_id = request.requesting_team_id
        changed.append("delivering_team")
    if to_status == RequestStatus.IN_PROGRESS and request.started_at is None:
        request.started_at = at
        changed.append("started_at")
    if to_status == RequestStatus.DELIVERED:
        request.delivered_at = at
        changed.append("delivered_at")
    if to_status not in BACKLOG_STATUSES and request.manual_rank is not None:
        # a pin means nothing off the backlog; back on it, the request takes its place by score
        for name, value in UNPINNED.items():
            setattr(request, name, value)
        changed.extend(UNPINNED)
    request.save(update_fields=changed)
    announcements.request_moved(transition)
    return transition


# The moves the portal makes on its own, where it knows the truth (apps.outcomes.work calls these).
PORTAL_MOVES: dict[str, tuple[str, ...]] = {
    RequestStatus.IN_PROGRESS: (RequestStatus.ACCEPTED, RequestStatus.SELF_SERVICE),  # its first job started
    RequestStatus.DELIVERED: (RequestStatus.IN_PROGRESS,),  # its model first reached production
}


@transaction.atomic
def request_move_by_portal(*, request_id: int, to_status: str, reason: str) -> RequestTransition | None:
    """Move a request because of what happened to its work (no person acts): recorded in its history
    as the portal's move with ``reason``; the delivering team's PM undoes it like any move (see
    ``workflow``). Nothing happens when the request is no longer where such a move starts (e.g. it
    is already in progress, or someone moved it back on purpose and it is past that state): safe to
    call twice."""
    request = ModelRequest.objects.select_for_update().filter(pk=request_id).first()
    if request is None or request.status not in PORTAL_MOVES.get(to_status, ()):
        return None
    return _move(request, to_status, actor=None, note=reason, by_portal=True)


@transaction.atomic
def request_answered_by(*, request_id: int, registered_model) -> bool:
    """Record the model that answers a request (a job for it registered a version), unless the
    request already names one. True when written."""
    return bool(
        update_rows(
            ModelRequest.objects.filter(pk=request_id, registered_model__isnull=True),
            registered_model=registered_model,
        )
    )


@transaction.atomic
def request_rank(
    *,
    actor: User,
    request: ModelRequest,
    reason: str,
    after: ModelRequest | None = None,
    before: ModelRequest | None = None,
    position: int | None = None,
    method: str | None = None,
) -> ModelRequest:
    """Pin ``request`` right after ``after``, right before ``before`` or at rank ``position`` (1 is
    the top) of its delivering team's backlog as ranked by ``method`` (default: the board's), with
    the reason, who and when. Only pinned requests get a rank written; every other request keeps
    following its score (see ``ranking``). Pins between the old and the new place shift by one, so
    the backlog shows exactly the order the person made.

    The team's backlog rows are locked (``SELECT ... FOR UPDATE``, in id order so concurrent callers
    never deadlock) and re-read after the lock: a second PM moving at the same time waits and applies
    their move to the first one's result, so no move is lost.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why this request is pinned here (it overrides the score)."})
    if [after, before, position].count(None) != 2:
        raise ValidationError({"after": "Give exactly one of 'after', 'before' or 'position'."})
    anchor = after or before
    team = request.delivering_team
    policy.ensure_can_rank(actor, team)
    method = selectors.board_method(team=team, requested=method)
    ids = set(
        ModelRequest.objects.filter(delivering_team=team, status__in=BACKLOG_STATUSES)
        .select_for_update()
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for item, field in ((request, "request"), (anchor, "after" if after else "before")):
        if item is not None and item.pk not in ids:
            raise ValidationError({field: f"#{item.pk} is not on the backlog of {team.name}."})
    if anchor is not None and anchor.pk == request.pk:
        raise ValidationError({"after" if after else "before": "A request cannot be placed next to itself."})
    ordered = ranking.order(selectors.backlog_entries(team=team, method=method))
    others = [entry.pk for entry in ordered if entry.pk != request.pk]
    if anchor is not None:
        index = others.index(anchor.pk) + (1 if after else 0)
    elif position is not None and 1 <= position <= len(others) + 1:
        index = position - 1
    else:
        raise ValidationError({"position": f"Give a rank from 1 to {len(others) + 1}."})
    pins = ranking.pins_after_move(ordered, moved=request.pk, index=index)
    current = {entry.pk: entry.pin for entry in ordered}
    # A person's re-ranking: every pin it shifts gets its own audit record (old and new rank), in the
    # same request context (actor, channel, request id) as the moved request's record below.
    update_each(
        ModelRequest, {pk: {"manual_rank": rank} for pk, rank in pins.items() if current.get(pk) != rank}
    )
    update_rows(
        ModelRequest.objects.filter(pk=request.pk),
        rank_reason=reason[:300],
        ranked_by=actor,
        ranked_at=timezone.now(),
    )
    request.refresh_from_db()
    return request


UNPINNED = {"manual_rank": None, "rank_reason": "", "ranked_by": None, "ranked_at": None}


@transaction.atomic
def request_unpin(*, actor: User, request: ModelRequest) -> ModelRequest:
    """Drop one pin: the request follows its score again."""
    policy.ensure_can_rank(actor, request.delivering_team)
    update_rows(ModelRequest.objects.filter(pk=request.pk), **UNPINNED)
    request.refresh_from_db()
    return request


@transaction.atomic
def backlog_unpin_all(*, actor: User, team) -> int:
    """Drop every pin of a team's backlog: it follows the score again. Returns how many."""
    policy.ensure_can_rank(actor, team)
    return update_rows(
        ModelRequest.objects.filter(delivering_team=team, manual_rank__isnull=False), **UNPINNED
    )


@transaction.atomic
def requests_unpin(*, actor: User, queryset: QuerySet) -> int:
    """The admin's action: drop the pins of the selected requests (platform staff)."""
    teams = {request.delivering_team for request in queryset.select_related("delivering_team")}
    for team in teams:
        policy.ensure_can_rank(actor, team)
    return update_rows(queryset.filter(manual_rank__isnull=False), **UNPINNED)


def comment_create(*, actor: User, request: ModelRequest, body: str) -> RequestComment:
    if not (actor and actor.is_authenticated):
        raise PermissionDenied("Sign in to comment.")
    policy.ensure_can_comment(actor, request)
    comment = apply_and_save(
        RequestComment(request=request, author=actor), data={"body": body}, fields=["body"]
    )
    announcements.request_commented(comment)
    return comment


SAVED_VIEW_FIELDS = ("name", "kind", "query", "shared")
# What a saved view may hold besides the filterset's filters, per page (the pages' display options).
SAVED_VIEW_OPTIONS: dict[str, dict[str, list[str]]] = {
    SavedViewPage.LIST: {},
    SavedViewPage.BACKLOG: {"method": ScoringMethod.values},
    SavedViewPage.KANBAN: {"lanes": list(selectors.KANBAN_LANES), "method": ScoringMethod.values},
}


def saved_view_query(*, kind: str, query: str) -> str:
    """``query`` checked against the filters (the shared filterset) and options of the ``kind`` of
    page, normalised (one value per key, the last given, in the filterset's order, empty values
    dropped); a ValidationError names each problem and the allowed keys or values."""
    params = QueryDict(query.lstrip("?"))
    options = SAVED_VIEW_OPTIONS.get(kind, {})
    filters = list(ModelRequestFilterSet.base_filters)
    allowed = [*filters, *options]
    problems = []
    unknown = sorted(set(params) - set(allowed))
    if unknown:
        problems.append(f"Unknown filter {', '.join(unknown)}; allowed here: {', '.join(allowed)}.")
    chosen = {key: params.get(key, "").strip() for key in allowed if params.get(key, "").strip()}
    for key, values in options.items():
        if key in chosen and chosen[key] not in values:
            problems.append(f"{key} must be one of {', '.join(values)}, not {chosen[key]!r}.")
    filterset = ModelRequestFilterSet({k: v for k, v in chosen.items() if k in filters})
    for key, messages in filterset.form.errors.items():
        problems.append(f"{key}: {' '.join(messages)}")
    if problems:
        raise ValidationError({"query": problems})
    return urlencode([(key, chosen[key]) for key in allowed if key in chosen])


def saved_view_create(*, actor: User, data: dict) -> SavedView:
    view = SavedView(owner=actor)
    return saved_view_update(actor=actor, view=view, data=data)


def saved_view_update(*, actor: User, view: SavedView, data: dict) -> SavedView:
    """Save a view's name, page, filters and sharing. Only its owner (and platform staff) change it."""
    if view.pk:
        policy.ensure_can_change_saved_view(actor, view)
    data = dict(data)
    kind = data.get("kind", view.kind)
    if "query" in data or "kind" in data:
        data["query"] = saved_view_query(kind=kind, query=data.get("query", view.query) or "")
    return apply_and_save(view, data=data, fields=SAVED_VIEW_FIELDS)


def saved_view_delete(*, actor: User, view: SavedView) -> None:
    policy.ensure_can_change_saved_view(actor, view)
    view.delete()


def board_update(*, actor: User, team, data: dict) -> Board:
    ensure(actor, policy.CHANGE_BOARD.name, team)
    board = Board.objects.filter(team=team).first() or Board(team=team)
    return apply_and_save(board, data=data, fields=BOARD_FIELDS)
