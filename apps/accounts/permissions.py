"""Who may manage accounts and tokens: platform staff manage every user, service account and token;
a team's lead manages the service accounts of that team and their tokens; everyone manages their own
tokens."""

from django.core.exceptions import PermissionDenied

from apps.core.permissions import is_platform_staff
from apps.teams.models import MemberRole


def is_team_lead(user, team) -> bool:
    return bool(
        user
        and user.is_authenticated
        and team is not None
        and team.memberships.filter(user=user, role=MemberRole.LEAD).exists()
    )


def can_manage_service_accounts_of(user, team) -> bool:
    return is_platform_staff(user) or is_team_lead(user, team)


def ensure_can_manage_service_accounts_of(user, team) -> None:
    if not can_manage_service_accounts_of(user, team):
        raise PermissionDenied(
            f"Only a lead of {getattr(team, 'name', 'the team')}, or platform staff, "
            "may manage its service accounts."
        )


def can_manage_tokens_of(user, owner) -> bool:
    """The owner, platform staff, and for a service account the lead of its team."""
    if not (user and user.is_authenticated):
        return False
    if user.pk == owner.pk or is_platform_staff(user):
        return True
    service_account = getattr(owner, "service_account", None)
    return service_account is not None and is_team_lead(user, service_account.team)


def ensure_can_manage_tokens_of(user, owner) -> None:
    if not can_manage_tokens_of(user, owner):
        raise PermissionDenied(
            "Only the token's owner, the lead of a service account's team, or platform staff may manage "
            "these tokens."
        )
