"""What the teams app asks of the apps above it. It never imports them: an app that manages
memberships from elsewhere registers here in its ``AppConfig.ready()``: single sign-on (apps.sso)
the members of whole teams, accounts (apps.accounts) the one membership of each service account."""

from collections.abc import Callable, Iterable

# ``manager(team) -> str | None``: why the team's members cannot be added by hand, or None.
MembershipManager = Callable[..., str | None]
# ``manager(user_ids) -> {user_id: reason}``: the users whose memberships are not changed by hand.
MemberManager = Callable[[list[int]], dict[int, str]]

_membership_managers: list[MembershipManager] = []
_member_managers: list[MemberManager] = []


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


def on_member_managed(manager: MemberManager) -> None:
    if manager not in _member_managers:
        _member_managers.append(manager)


def managed_members(user_ids: Iterable[int]) -> dict[int, str]:
    """For each of these users whose memberships another app manages: why (one query per manager)."""
    ids = [user_id for user_id in user_ids if user_id is not None]
    reasons: dict[int, str] = {}
    if not ids:
        return reasons
    for manager in _member_managers:
        for user_id, reason in manager(ids).items():
            reasons.setdefault(user_id, reason)
    return reasons
