"""Who may do what with a model request: small named predicates, used by the services (which
enforce them), the views and templates (which say upfront who can) and the API.

| action                                   | who (platform staff may do everything)                    |
|------------------------------------------|-----------------------------------------------------------|
| set the value side of a score            | the requesting stream's accountable PM; the requesting    |
| (reach, impact, confidence; business     | team's lead or product manager                            |
| value, time criticality, risk reduction) |                                                           |
| set the size side (effort, job size)     | the delivering team's lead or product manager             |
| pin, unpin, rank the backlog             | the delivering team's lead or product manager             |
| edit the request's details               | either team's lead or product manager; the filer while    |
|                                          | the request is submitted                                  |
| comment                                  | any member of the requesting or delivering team; the      |
|                                          | requesting stream's accountable PM; the filer             |
| move it through the workflow             | see ``workflow`` (``modelrequests.move_request``)         |
| withdraw it after it left submitted      | platform staff only                                       |
| undo a move the portal made on its own   | the delivering team's product manager                     |
| train a model for it                     | any member of the delivering team                         |
| change or delete a saved view            | its owner (a shared view is read by everyone signed in)   |

Predicates take the actor's roles per team (``{team_id: {role, ...}}``, ``selectors.roles_by_team``)
so a page checks every row without a query per row; without it they load the roles themselves.
"""

from dataclasses import dataclass

import rules
from django.core.exceptions import PermissionDenied

from apps.core.policy import allowed, allowed_everywhere, define, denial, ensure, is_platform_staff
from apps.modelrequests import scoring, workflow
from apps.teams.models import Membership
from apps.teams.policy import TEAM_EDITOR_ROLES, is_team_editor, is_team_member

VALUE_FIELDS = ("reach", "impact", "confidence", "business_value", "time_criticality", "risk_reduction")
SIZE_FIELDS = ("effort", "job_size")
SCORE_FIELDS = scoring.RICE_INPUTS + tuple(f for f in scoring.WSJF_INPUTS if f not in scoring.RICE_INPUTS)


def roles_of(user) -> dict[int, set[str]]:
    if not (user and user.is_authenticated):
        return {}
    roles: dict[int, set[str]] = {}
    for team_id, role in Membership.objects.filter(user=user).values_list("team_id", "role"):
        roles.setdefault(team_id, set()).add(role)
    return roles


def _edits_team(user, team_id, roles) -> bool:
    roles = roles_of(user) if roles is None else roles
    return bool(roles.get(team_id, set()) & set(TEAM_EDITOR_ROLES))


def is_stream_pm(user, request) -> bool:
    return bool(user and user.is_authenticated and request.value_stream.product_manager_id == user.pk)


def _sets_value(user, request, roles=None) -> bool:
    return is_stream_pm(user, request) or _edits_team(user, request.requesting_team_id, roles)


def _sizes(user, request, roles=None) -> bool:
    return _edits_team(user, request.delivering_team_id, roles)


def is_filer(user, request) -> bool:
    return bool(user and user.is_authenticated and request.created_by_id == user.pk)


def is_filer_editing_submitted(user, request) -> bool:
    return is_filer(user, request) and request.status == "submitted"


def _edits_request(user, request, roles=None) -> bool:
    roles = roles_of(user) if roles is None else roles
    return (
        _edits_team(user, request.requesting_team_id, roles)
        or _edits_team(user, request.delivering_team_id, roles)
        or is_filer_editing_submitted(user, request)
    )


def _member_of(user, team_id, roles) -> bool:
    roles = roles_of(user) if roles is None else roles
    return bool(roles.get(team_id))


def _comments(user, request, roles=None) -> bool:
    roles = roles_of(user) if roles is None else roles
    return (
        is_filer(user, request)
        or is_stream_pm(user, request)
        or _member_of(user, request.requesting_team_id, roles)
        or _member_of(user, request.delivering_team_id, roles)
    )


def is_delivering_pm(user, request, *, roles=None) -> bool:
    roles = roles_of(user) if roles is None else roles
    return "product_manager" in roles.get(request.delivering_team_id, set())


SET_VALUE = define(
    "modelrequests.set_value",
    rules.predicate(lambda user, request: _sets_value(user, request)),
    subject="the request",
    action="set the value inputs of {obj}",
    who="the accountable PM of {obj.value_stream}, the lead or PM of {obj.requesting_team}",
    why="Reach, impact and confidence (business value, time criticality, risk reduction) are the "
    "asking side's judgement.",
)
SIZE_REQUEST = define(
    "modelrequests.size_request",
    rules.predicate(lambda user, request: _sizes(user, request)),
    subject="the request",
    action="size {obj} (effort, job size)",
    who="the lead or PM of {obj.delivering_team}",
    why="Effort and job size are the delivering team's estimate of its own work.",
)
RANK_BACKLOG = define(
    "modelrequests.rank_backlog",
    rules.predicate(lambda user, team: team is not None and _edits_team(user, team.pk, None)),
    subject="the delivering team",
    action="pin, unpin or rank the backlog of {obj}",
    who="a lead or product manager of {obj}",
    why="The delivering team's lead and PM order the work they will deliver against their capacity.",
)
CHANGE_REQUEST = define(
    "modelrequests.change_request",
    rules.predicate(lambda user, request: _edits_request(user, request)),
    subject="the request",
    action="change {obj}",
    who="a lead or product manager of {obj.requesting_team} or {obj.delivering_team}, or the person "
    "who filed it while it is submitted",
    why="Both teams shape the request; its filer may fix it until someone picks it up.",
)
COMMENT = define(
    "modelrequests.comment",
    rules.predicate(lambda user, request: _comments(user, request)),
    subject="the request",
    action="comment on {obj}",
    who="members of {obj.requesting_team} or {obj.delivering_team}, the accountable PM of "
    "{obj.value_stream} and the person who filed it",
    why="The conversation belongs to the people on both sides of the request.",
)
FILE_REQUEST = define(
    "modelrequests.file_request",
    is_team_member,
    subject="the requesting team",
    action="file a request for {obj}",
    who="members of {obj}",
    why="A request speaks for the team that needs the model.",
)
WITHDRAW_REQUEST = define(
    "modelrequests.withdraw_request",
    is_team_editor,
    subject="the requesting team",
    action="withdraw requests of {obj}",
    who="a lead or product manager of {obj}",
    why="Withdrawing drops the team's ask; its lead or PM decides (only while it is submitted).",
)
CHANGE_BOARD = define(
    "modelrequests.change_board",
    is_team_editor,
    subject="the delivering team",
    action="change the board of {obj}",
    who="a lead or product manager of {obj}",
    why="The scoring method and WIP limits are how the delivering team runs its board.",
)
UNDO_SYSTEM_MOVE = define(
    "modelrequests.undo_system_move",
    rules.predicate(lambda user, request: is_delivering_pm(user, request)),
    subject="the request",
    action="undo a move the portal made on its own",
    who="the product manager of {obj.delivering_team}",
    why="An automatic move (a hook, a timeout) is undone by the PM who answers for the delivery.",
)


def can_set_value_side(user, request, *, roles=None) -> bool:
    return is_platform_staff(user) or _sets_value(user, request, roles)


def can_set_size_side(user, request, *, roles=None) -> bool:
    return is_platform_staff(user) or _sizes(user, request, roles)


def can_set_score_field(user, request, field: str, *, roles=None) -> bool:
    if field in SIZE_FIELDS:
        return can_set_size_side(user, request, roles=roles)
    return can_set_value_side(user, request, roles=roles)


def score_fields_for(user, request, *, roles=None) -> list[str]:
    """The score inputs ``user`` may set on ``request``."""
    roles = roles_of(user) if roles is None else roles
    return [name for name in SCORE_FIELDS if can_set_score_field(user, request, name, roles=roles)]


def who_sets(field: str) -> str:
    return (SIZE_REQUEST if field in SIZE_FIELDS else SET_VALUE).who_can()


def who_sizes(request) -> str:
    return denial(SIZE_REQUEST.name, request, action="size this").removesuffix(".")


def who_values(request) -> str:
    return denial(SET_VALUE.name, request, action="set its value").removesuffix(".")


def who_may_set(request, field: str) -> str:
    """Who may set ``field`` on ``request``, in words naming the teams (no query beyond the request's
    teams and stream, which the selectors load)."""
    label = field.replace("_", " ")
    if field in SIZE_FIELDS:
        return denial(SIZE_REQUEST.name, request, action=f"size this ({label})")
    return denial(SET_VALUE.name, request, action=f"set the {label}")


def ensure_can_set_score_field(user, request, field: str, *, roles=None) -> None:
    if not can_set_score_field(user, request, field, roles=roles):
        raise PermissionDenied(who_may_set(request, field))


def can_rank(user, team, *, roles=None) -> bool:
    return is_platform_staff(user) or (team is not None and _edits_team(user, team.pk, roles))


TRAIN_FOR_REQUEST = define(
    "modelrequests.train_for_request",
    rules.predicate(lambda user, request: _member_of(user, request.delivering_team_id, None)),
    subject="the request",
    action="train models for {obj}",
    who="members of {obj.delivering_team}",
    why="A request is answered by the team that delivers it; its members train the models for it.",
)


MODERATE_COMMENTS = define(
    "modelrequests.moderate_comments",
    subject="the comment",
    action="change or delete other people's comments",
    who="",
    why="A comment is its author's words; only platform staff moderate them (in the admin).",
)


CHANGE_SAVED_VIEW = define(
    "modelrequests.change_saved_view",
    rules.predicate(lambda user, view: bool(user and user.is_authenticated and view.owner_id == user.pk)),
    subject="the saved view",
    action="change or delete {obj}",
    who="the person who saved {obj}",
    why="A saved view is its owner's; a shared one is there for others to open, not to change.",
)


def ensure_can_change_saved_view(user, view) -> None:
    ensure(user, CHANGE_SAVED_VIEW.name, view)


def ensure_can_rank(user, team) -> None:
    ensure(user, RANK_BACKLOG.name, team)


def can_edit_request(user, request, *, roles=None) -> bool:
    return is_platform_staff(user) or _edits_request(user, request, roles)


def ensure_can_edit_request(user, request) -> None:
    ensure(user, CHANGE_REQUEST.name, request, action="change this request")


def can_comment(user, request, *, roles=None) -> bool:
    return is_platform_staff(user) or _comments(user, request, roles)


def ensure_can_comment(user, request) -> None:
    ensure(user, COMMENT.name, request, action="comment on this request")


def can_train_for(user, request, *, roles=None) -> bool:
    """Start training jobs for the request (``modelrequests.train_for_request``, which the linking app
    checks again): the delivering team."""
    return is_platform_staff(user) or _member_of(user, request.delivering_team_id, roles)


def can_undo_system_move(user, request, *, roles=None) -> bool:
    return is_platform_staff(user) or is_delivering_pm(user, request, roles=roles)


WITHDRAW_STARTED_REQUEST = define(
    "modelrequests.withdraw_started_request",
    subject="the request",
    action="withdraw {obj} once it left submitted",
    who="",
    why="Once a team has picked a request up, it is rejected or retired, so its history says why; "
    "platform staff clean up.",
)


@dataclass(frozen=True)
class Move:
    """A move of ``request`` to ``to_status``; ``roles`` are the actor's roles per team, when the page
    loaded them once for every card."""

    request: object
    to_status: str
    roles: dict | None = None

    def __str__(self) -> str:
        return f"the move of {self.request} to {workflow.label(self.to_status)}"

    @property
    def roles_the_workflow_names(self) -> str:
        return "the " + workflow.who_may(self.request.status, self.to_status)


def _makes_move(user, move: Move) -> bool:
    steps = workflow.MOVES.get((move.request.status, move.to_status))
    if not steps or not (user and user.is_authenticated):
        return False
    roles = roles_of(user) if move.roles is None else move.roles
    return any(step.allows(move.request, roles) for step in steps)


MOVE_REQUEST = define(
    "modelrequests.move_request",
    rules.predicate(_makes_move),
    subject="the move",
    action="make {obj} through the request workflow",
    who="{obj.roles_the_workflow_names}",
    why="Each move is decided by the side that answers for it, as the workflow's table says (listed on "
    "each request's page and the kanban); platform staff may make every move.",
)


def may_move(user, request, to_status: str, *, roles=None) -> bool:
    """Whether ``user`` may move ``request`` to ``to_status``: the move must exist from its status, and
    ``modelrequests.move_request`` allow it."""
    if (request.status, to_status) not in workflow.MOVES:
        return False
    return allowed(user, MOVE_REQUEST.name, Move(request, to_status, roles))


def allowed_moves(user, request, *, roles=None) -> list[str]:
    """The moves ``user`` may make from ``request``'s status (``roles``: loaded once per page)."""
    roles = roles_of(user) if roles is None else roles
    return [to for to in workflow.next_statuses(request.status) if may_move(user, request, to, roles=roles)]


def may_withdraw_started(user, request) -> bool:
    return allowed(user, WITHDRAW_STARTED_REQUEST.name, request)


def files_for_every_team(user) -> bool:
    """Platform staff file requests for any team (the form offers every team); others for their own."""
    return allowed_everywhere(user, FILE_REQUEST.name)


def sees_every_saved_view(user) -> bool:
    """Platform staff open every saved view; others their own and the shared ones."""
    return allowed_everywhere(user, CHANGE_SAVED_VIEW.name)


def decides_for_every_team(user) -> bool:
    """Whose "waiting for me" holds every team's decisions (triage, accept, size, score): platform
    staff, who may make every move and set every score."""
    return allowed_everywhere(user, MOVE_REQUEST.name) and allowed_everywhere(user, SET_VALUE.name)
