"""Who may change a team's things: platform staff change anything, a team's lead or product manager
change that team's things, its members may act for it, everyone signed in reads. Services call
``ensure_can_change_team``; the DRF permission below only adds the authentication and read-only
rules on top."""

from django.core.exceptions import PermissionDenied
from rest_framework import permissions

from apps.core.permissions import is_platform_staff
from apps.teams.models import MemberRole

TEAM_EDITOR_ROLES = (MemberRole.LEAD, MemberRole.PRODUCT_MANAGER)


def can_change_team(user, team) -> bool:
    if is_platform_staff(user):
        return True
    if not (user and user.is_authenticated) or team is None:
        return False
    return team.memberships.filter(user=user, role__in=TEAM_EDITOR_ROLES).exists()


def is_team_member(user, team) -> bool:
    if is_platform_staff(user):
        return True
    return bool(user and user.is_authenticated and team and team.memberships.filter(user=user).exists())


def ensure_can_change_team(user, team, *, action: str = "change") -> None:
    if not can_change_team(user, team):
        name = getattr(team, "name", "this team")
        raise PermissionDenied(
            f"Only platform staff or a lead or product manager of {name} may {action} this."
        )


class IsAuthenticatedReadTeamWrite(permissions.IsAuthenticated):
    """Signed-in users read; writes are checked again per object by the service layer."""

    def has_object_permission(self, request, view, obj):
        if request.method in permissions.SAFE_METHODS:
            return True
        owning_team = getattr(view, "owning_team", None)
        if owning_team is None:
            return True  # the service decides
        return can_change_team(request.user, owning_team(obj))
