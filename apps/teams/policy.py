"""Who may change teams, value streams, memberships and interactions, and the team-aware predicates
every higher app builds its rules from: a team's lead or product manager change that team's things,
its members act for it, a value stream's accountable product manager decides what joins the stream.
"""

import rules

from apps.core.policy import define, is_authenticated
from apps.teams.models import MemberRole, Membership

TEAM_EDITOR_ROLES = (MemberRole.LEAD, MemberRole.PRODUCT_MANAGER)


def _team_id(team):
    return getattr(team, "pk", team)


def edited_team_ids(user) -> set[int]:
    """The teams ``user`` is a lead or product manager of."""
    if not is_authenticated(user):
        return set()
    return set(
        Membership.objects.filter(user=user, role__in=TEAM_EDITOR_ROLES).values_list("team_id", flat=True)
    )


@rules.predicate
def is_team_editor(user, team) -> bool:
    """A lead or product manager of ``team``."""
    return bool(
        is_authenticated(user)
        and team is not None
        and Membership.objects.filter(user=user, team_id=_team_id(team), role__in=TEAM_EDITOR_ROLES).exists()
    )


@rules.predicate
def is_team_lead(user, team) -> bool:
    return bool(
        is_authenticated(user)
        and team is not None
        and Membership.objects.filter(user=user, team_id=_team_id(team), role=MemberRole.LEAD).exists()
    )


@rules.predicate
def is_team_member(user, team) -> bool:
    return bool(
        is_authenticated(user)
        and team is not None
        and Membership.objects.filter(user=user, team_id=_team_id(team)).exists()
    )


@rules.predicate
def is_stream_pm(user, stream) -> bool:
    """The product manager accountable for ``stream``."""
    return bool(is_authenticated(user) and stream is not None and stream.product_manager_id == user.pk)


@rules.predicate
def is_in_stream_team(user, stream) -> bool:
    """A member of a team that serves ``stream``."""
    return bool(
        is_authenticated(user)
        and stream is not None
        and Membership.objects.filter(user=user, team__value_stream_id=stream.pk).exists()
    )


CHANGE_TEAM = define(
    "teams.change_team",
    is_team_editor,
    subject="the team",
    action="change {obj}",
    who="a lead or product manager of {obj}",
    why="A team owns its Team API, members and interactions; its lead and product manager speak for it.",
)
MANAGE_MEMBERS = define(
    "teams.manage_members",
    is_team_editor,
    subject="the team",
    action="add, change or remove members of {obj}",
    who="a lead or product manager of {obj}",
    why="Membership grants the team's write access, so the team's leads decide it.",
)
RECORD_INTERACTION = define(
    "teams.record_interaction",
    is_team_editor,
    subject="either team",
    action="record or change interactions of {obj}",
    who="a lead or product manager of {obj}",
    why="An interaction is an agreement between two teams; either side's lead or PM records it.",
)
CREATE_TEAM = define(
    "teams.create_team",
    action="create or delete teams",
    who="",
    why="The team catalogue is the organisation's shape; platform staff keep it.",
)
JOIN_STREAM = define(
    "teams.join_stream",
    is_stream_pm,
    subject="the receiving value stream",
    action="move a team into {obj}",
    who="the product manager of {obj}",
    why="A stream's teams write its observations and see its data; the stream's accountable PM "
    "decides who joins it.",
)
CHANGE_STREAM = define(
    "teams.change_stream",
    is_stream_pm,
    subject="the value stream",
    action="change {obj}",
    who="the product manager of {obj}",
    why="The accountable product manager describes the stream they answer for.",
)
CHANGE_STREAM_OWNERSHIP = define(
    "teams.change_stream_ownership",
    subject="the value stream",
    action="change the slug or the product manager of {obj}",
    who="",
    why="The slug is the stream's address for scripts and the PM its accountability; neither is "
    "handed on by the PM alone.",
)
CREATE_STREAM = define(
    "teams.create_stream",
    action="create or delete value streams",
    who="",
    why="Lines of business are set up by platform staff.",
)
