"""The ground rules of the permission policy: platform staff change anything. The team-aware rules
(a team's lead or product manager changes that team's things) live with the teams, in
``apps.teams.permissions``; each area adds its own on top (e.g. ``apps.outcomes.permissions``)."""

from django.core.exceptions import PermissionDenied


def is_platform_staff(user) -> bool:
    return bool(user and user.is_authenticated and (user.is_staff or user.is_superuser))


def ensure_platform_staff(user, *, action: str) -> None:
    if not is_platform_staff(user):
        raise PermissionDenied(f"Only platform staff may {action}.")
