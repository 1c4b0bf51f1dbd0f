"""Who may manage accounts and tokens: platform staff manage every user, service account and token;
a team's lead manages the service accounts of that team and their tokens; everyone manages their own
tokens, except that a service account's tokens are made only by its team's lead or platform staff."""

from django.core.exceptions import PermissionDenied

from apps.core.permissions import is_platform_staff
from apps.teams.models import MemberRole

USERS_REFUSAL = "Only platform staff can list, create, deactivate or reactivate users."


def team_role_of(user, team) -> str | None:
    """``user``'s role in ``team``, or None; read from the team's prefetched memberships when the
    page has them (the team page), else in one query."""
    if not (user and user.is_authenticated) or team is None:
        return None
    prefetched = getattr(team, "_prefetched_objects_cache", {}).get("memberships")
    if prefetched is not None:
        return next((membership.role for membership in prefetched if membership.user_id == user.pk), None)
    return team.memberships.filter(user=user).values_list("role", flat=True).first()


def is_team_lead(user, team) -> bool:
    return team_role_of(user, team) == MemberRole.LEAD


def can_manage_users(user) -> bool:
    return is_platform_staff(user)


def ensure_can_manage_users(user) -> None:
    if not can_manage_users(user):
        raise PermissionDenied(USERS_REFUSAL)


def can_manage_service_accounts_of(user, team) -> bool:
    return is_platform_staff(user) or is_team_lead(user, team)


def service_accounts_refusal(team) -> str:
    return (
        f"Only a lead of {getattr(team, 'name', 'the team')}, or platform staff, "
        "can create, deactivate or issue tokens for its service accounts."
    )


def ensure_can_manage_service_accounts_of(user, team) -> None:
    if not can_manage_service_accounts_of(user, team):
        raise PermissionDenied(service_accounts_refusal(team))


def _service_account_of(owner):
    try:
        return owner.service_account
    except AttributeError:  # RelatedObjectDoesNotExist is one
        return None


def can_manage_tokens_of(user, owner) -> bool:
    """List and revoke: the owner, platform staff, and for a service account the lead of its team."""
    if not (user and user.is_authenticated):
        return False
    if user.pk == owner.pk or is_platform_staff(user):
        return True
    service_account = _service_account_of(owner)
    return service_account is not None and is_team_lead(user, service_account.team)


def ensure_can_manage_tokens_of(user, owner) -> None:
    if not can_manage_tokens_of(user, owner):
        raise PermissionDenied(
            "Only the token's owner, the lead of a service account's team, or platform staff may manage "
            "these tokens."
        )


def can_create_tokens_for(user, owner) -> bool:
    """Make: a person for themselves (and platform staff for anyone); a service account's tokens only
    its team's lead or platform staff, never the service account itself."""
    if not (user and user.is_authenticated):
        return False
    if is_platform_staff(user):
        return True
    service_account = _service_account_of(owner)
    if service_account is not None:
        return is_team_lead(user, service_account.team)
    return user.pk == owner.pk


def ensure_can_create_tokens_for(user, owner) -> None:
    if can_create_tokens_for(user, owner):
        return
    service_account = _service_account_of(owner)
    if service_account is not None:
        raise PermissionDenied(service_accounts_refusal(service_account.team))
    raise PermissionDenied("Only the person themselves, or platform staff, can make their tokens.")
