"""Who may manage a team's webhooks: add, change, test, redeliver and delete them, and see their
secrets (the team's lead or product manager)."""

from apps.core.policy import allowed_everywhere, define
from apps.teams.policy import edited_team_ids, is_team_editor

MANAGE_WEBHOOKS = define(
    "webhooks.manage_webhooks",
    is_team_editor,
    subject="the team",
    action="manage the webhooks of {obj}",
    who="a lead or product manager of {obj}",
    why="A webhook sends the team's events to a system of its choosing, signed with its secret.",
)


def managed_team_ids(user) -> set[int] | None:
    """The teams whose webhooks ``user`` manages (and whose secrets they see); None: every team."""
    if allowed_everywhere(user, MANAGE_WEBHOOKS.name):
        return None
    return edited_team_ids(user)
