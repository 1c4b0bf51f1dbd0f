"""Writes for model requests: create/update/delete, workflow transitions (with the e-mail to the
requesting team), manual ranking on a delivering team's backlog, comments and board settings."""

from django.contrib.auth.models import AbstractBaseUser
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import QuerySet
from django.utils import timezone

from apps.core.exceptions import Conflict
from apps.core.permissions import is_platform_staff
from apps.core.services import apply_and_save
from apps.modelrequests import notifications, selectors, workflow
from apps.modelrequests.models import (
    BACKLOG_STATUSES,
    Board,
    ModelRequest,
    RequestComment,
    RequestStatus,
    RequestTransition,
)
from apps.teams.permissions import can_change_team, ensure_can_change_team, is_team_member

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


def can_change_request(actor, request: ModelRequest) -> bool:
    """Either side's lead or product manager (or platform staff) may edit a request's details."""
    return can_change_team(actor, request.requesting_team) or can_change_team(actor, request.delivering_team)


def ensure_can_change_request(actor, request: ModelRequest) -> None:
    if not can_change_request(actor, request):
        raise PermissionDenied(
            f"Only platform staff or a lead or product manager of {request.requesting_team} or "
            f"{request.delivering_team} may change this request."
        )


def request_create(*, actor: AbstractBaseUser, data: dict) -> ModelRequest:
    team = data.get("requesting_team")
    if not is_team_member(actor, team):
        raise PermissionDenied(
            f"Only members of {getattr(team, 'name', 'the requesting team')} or platform staff may "
            "file a request for it."
        )
    with transaction.atomic():
        request = apply_and_save(ModelRequest(created_by=actor), data=data, fields=REQUEST_FIELDS)
        RequestTransition.objects.create(
            request=request,
            from_status="",
            to_status=RequestStatus.SUBMITTED,
            actor=actor,
            at=request.submitted_at,
        )
    return request


@transaction.atomic
def request_update(*, actor: AbstractBaseUser, request: ModelRequest, data: dict) -> ModelRequest:
    ensure_can_change_request(actor, request)
    if "requesting_team" in data and data["requesting_team"] != request.requesting_team:
        ensure_can_change_team(actor, data["requesting_team"], action="move requests to")
    if "delivering_team" in data and data["delivering_team"] != request.delivering_team:
        # a hand-placed position means nothing on another team's backlog
        request.manual_rank, request.rank_reason, request.ranked_by, request.ranked_at = None, "", None, None
    return apply_and_save(request, data=data, fields=REQUEST_FIELDS)


@transaction.atomic
def request_delete(*, actor: AbstractBaseUser, request: ModelRequest) -> None:
    ensure_can_change_team(actor, request.requesting_team, action="withdraw requests of")
    if request.status != RequestStatus.SUBMITTED and not is_platform_staff(actor):
        raise Conflict("Only a request still in 'submitted' can be withdrawn; reject or retire it instead.")
    request.delete()


@transaction.atomic
def request_transition(
    *, actor: AbstractBaseUser, request: ModelRequest, to_status: str, note: str = "", at=None
) -> RequestTransition:
    """Move a request along the workflow (see ``workflow``); a move that does not exist or that the
    actor may not make raises ``Conflict`` naming the moves the actor may make."""
    request = ModelRequest.objects.select_for_update().get(pk=request.pk)
    roles = selectors.roles_by_team(user=actor)
    staff = is_platform_staff(actor)
    allowed = workflow.allowed_moves(request, roles_by_team=roles, is_staff=staff)
    if to_status not in allowed:
        label = dict(RequestStatus.choices).get(to_status, to_status)
        if to_status in workflow.next_statuses(request.status):
            reason = f"You may not move this request to {label}."
        else:
            reason = f"A request in {request.get_status_display()} cannot move to {label}."
        options = ", ".join(allowed) if allowed else "none"
        raise Conflict(f"{reason} Moves you may make: {options}.", allowed=allowed)
    at = at or timezone.now()
    transition = RequestTransition.objects.create(
        request=request, from_status=request.status, to_status=to_status, actor=actor, at=at, note=note
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
        request.manual_rank = None
        changed.append("manual_rank")
    request.save(update_fields=changed)
    transaction.on_commit(lambda: notifications.send_status_change(transition_id=transition.pk))
    return transition


@transaction.atomic
def request_rank(
    *,
    actor: AbstractBaseUser,
    request: ModelRequest,
    reason: str,
    after: ModelRequest | None = None,
    before: ModelRequest | None = None,
    position: int | None = None,
    within: QuerySet | None = None,
    method: str | None = None,
) -> ModelRequest:
    """Place ``request`` right after ``after``, right before ``before`` or at rank ``position``
    (1 is the top) on its delivering team's backlog, overriding the score; the reason is kept.
    ``within`` (the requests a filtered page shows) makes ``position`` count among those only, so
    the request lands at the rank that page showed; other requests keep their order.

    The team's backlog rows are locked (``SELECT ... FOR UPDATE``, in id order so concurrent callers
    never deadlock) and re-read after the lock, then every row gets its position 1..n. A second PM
    reordering at the same time waits for the lock and applies their move to the first PM's result,
    so no move is lost and the order is total and deterministic.
    """
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why this request is placed here (it overrides the score)."})
    if [after, before, position].count(None) != 2:
        raise ValidationError({"after": "Give exactly one of 'after', 'before' or 'position'."})
    anchor = after or before
    team = request.delivering_team
    ensure_can_change_team(actor, team, action="rank the backlog of")
    method = selectors.board_method(team=team, requested=method)
    current = dict(
        ModelRequest.objects.filter(delivering_team=team, status__in=BACKLOG_STATUSES)
        .select_for_update()
        .order_by("pk")
        .values_list("pk", "manual_rank")
    )
    ids = set(current)
    for item, field in ((request, "request"), (anchor, "after" if after else "before")):
        if item is not None and item.pk not in ids:
            raise ValidationError({field: f"#{item.pk} is not on the backlog of {team.name}."})
    if anchor is not None and anchor.pk == request.pk:
        raise ValidationError({"after" if after else "before": "A request cannot be placed next to itself."})
    full = selectors.backlog_order_ids(team=team, method=method)
    order = [pk for pk in full if pk != request.pk]
    if anchor is not None:
        index = order.index(anchor.pk) + (1 if after else 0)
    else:
        shown = (
            full if within is None else selectors.backlog_order_ids(team=team, method=method, queryset=within)
        )
        index = _index_for_rank(full, request_id=request.pk, rank=position, shown=shown)
    order.insert(index, request.pk)
    _write_positions(order, current=current)
    ModelRequest.objects.filter(pk=request.pk).update(
        rank_reason=reason[:300], ranked_by=actor, ranked_at=timezone.now()
    )
    request.refresh_from_db()
    return request


def _index_for_rank(full: list[int], *, request_id: int, rank: int, shown: list[int]) -> int:
    """Where in the backlog without the request (``full`` is the whole backlog in order) the request
    goes to be ``rank``-th among ``shown`` (the requests counted, e.g. a filtered page's): right
    before the one now at that rank, right after the last one, or where it is if it is alone."""
    order = [pk for pk in full if pk != request_id]
    others = [pk for pk in shown if pk != request_id]
    if not 1 <= rank <= len(others) + 1:
        raise ValidationError({"position": f"Give a rank from 1 to {len(others) + 1}."})
    if rank <= len(others):
        return order.index(others[rank - 1])
    if others:
        return order.index(others[-1]) + 1
    return full.index(request_id) if request_id in full else len(order)


def _write_positions(order: list[int], *, current: dict[int, int | None]) -> None:
    """Positions 1..n in ``order``; only rows whose position changes are written."""
    rows = [
        ModelRequest(pk=pk, manual_rank=index)
        for index, pk in enumerate(order, start=1)
        if current.get(pk) != index
    ]
    ModelRequest.objects.bulk_update(rows, ["manual_rank"], batch_size=500)


@transaction.atomic
def backlog_reset_ranking(*, actor: AbstractBaseUser, team) -> int:
    """Drop the manual order: the backlog follows the score again."""
    ensure_can_change_team(actor, team, action="reset the ranking of")
    return ModelRequest.objects.filter(delivering_team=team, manual_rank__isnull=False).update(
        manual_rank=None, rank_reason="", ranked_by=None, ranked_at=None
    )


def comment_create(*, actor: AbstractBaseUser, request: ModelRequest, body: str) -> RequestComment:
    if not (actor and actor.is_authenticated):
        raise PermissionDenied("Sign in to comment.")
    return apply_and_save(RequestComment(request=request, author=actor), data={"body": body}, fields=["body"])


def board_update(*, actor: AbstractBaseUser, team, data: dict) -> Board:
    ensure_can_change_team(actor, team, action="change the board of")
    board = Board.objects.filter(team=team).first() or Board(team=team)
    return apply_and_save(board, data=data, fields=BOARD_FIELDS)
