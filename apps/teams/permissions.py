"""Compatibility names for the team rules of ``apps.teams.policy`` (where the rules live)."""

from apps.core.policy import allowed, ensure, is_platform_staff
from apps.teams.policy import TEAM_EDITOR_ROLES, is_team_editor
from apps.teams.policy import is_team_member as _is_member

__all__ = [
    "TEAM_EDITOR_ROLES",
    "can_change_team",
    "ensure_can_change_team",
    "is_team_editor",
    "is_team_member",
]


def can_change_team(user, team) -> bool:
    return allowed(user, "teams.change_team", team)


def is_team_member(user, team) -> bool:
    """A member of ``team``, or platform staff (who act for any team)."""
    return bool(is_platform_staff(user) or _is_member(user, team))


def ensure_can_change_team(user, team, *, action: str = "change") -> None:
    ensure(user, "teams.change_team", team, action=f"{action} {{obj}}" if action != "change" else None)
