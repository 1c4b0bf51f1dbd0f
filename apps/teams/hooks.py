"""What the teams app asks of the apps above it. It never imports them: an app that manages
memberships from elsewhere (single sign-on, apps.sso) registers here in its ``AppConfig.ready()``."""

from collections.abc import Callable

# ``manager(team) -> str | None``: why the team's members cannot be added by hand, or None.
MembershipManager = Callable[..., str | None]

_membership_managers: list[MembershipManager] = []


def on_membership_managed(manager: MembershipManager) -> None:
    if manager not in _membership_managers:
        _membership_managers.append(manager)


def why_members_are_managed(team) -> str | None:
    """The first registered manager's reason why ``team``'s members come from elsewhere, if any."""
    for manager in _membership_managers:
        reason = manager(team)
        if reason:
            return reason
    return None
