"""Compatibility names for the team rules of ``apps.teams.policy`` (where the rules live)."""

from apps.core.policy import allowed, ensure
from apps.teams.policy import TEAM_EDITOR_ROLES, is_team_editor

__all__ = [
    "TEAM_EDITOR_ROLES",
    "can_change_team",
    "ensure_can_change_team",
    "is_team_editor",
]


def can_change_team(user, team) -> bool:
    return allowed(user, "teams.change_team", team)


def ensure_can_change_team(user, team, *, action: str = "change") -> None:
    ensure(user, "teams.change_team", team, action=f"{action} {{obj}}" if action != "change" else None)
