"""Who may manage users, service accounts and tokens (django-rules, through apps.core.policy):
platform staff manage every user, service account and token; a team's lead manages the service
accounts of that team and their tokens; everyone lists and revokes their own tokens, and makes their
own, except a service account, whose tokens only its team's lead or platform staff make."""

import rules

from apps.core.policy import allowed_everywhere, define, is_authenticated
from apps.teams.policy import is_team_lead


def service_account_of(user):
    """The user's ServiceAccount row, or None for a person."""
    try:
        return user.service_account
    except AttributeError:  # RelatedObjectDoesNotExist is one
        return None


@rules.predicate
def is_themselves(user, owner) -> bool:
    return bool(is_authenticated(user) and owner is not None and user.pk == owner.pk)


@rules.predicate
def is_a_person(user, owner) -> bool:
    return owner is not None and service_account_of(owner) is None


@rules.predicate
def leads_the_service_accounts_team(user, owner) -> bool:
    account = service_account_of(owner) if owner is not None else None
    return account is not None and is_team_lead(user, account.team)


@rules.predicate
def is_in_the_team(user, team) -> bool:
    """A member of ``team``; read from the team's prefetched memberships when the page loaded them
    (no query for the viewer's own membership)."""
    if not is_authenticated(user) or team is None:
        return False
    members = getattr(team, "_prefetched_objects_cache", {}).get("memberships")
    if members is None:
        return team.memberships.filter(user_id=user.pk).exists()
    return any(membership.user_id == user.pk for membership in members)


@rules.predicate
def is_superuser(user) -> bool:
    return bool(is_authenticated(user) and user.is_superuser)


MANAGE_USERS = define(
    "accounts.manage_users",
    action="list, create, deactivate or reactivate users",
    who="",
    why="Accounts are the company's to give and take away; deactivating one also revokes its tokens "
    "and sessions.",
)
DEACTIVATE_SUPERUSER = define(
    "accounts.deactivate_superuser",
    is_superuser,
    staff=False,
    subject="a superuser",
    action="deactivate {obj}",
    who="a superuser",
    why="A superuser holds every right; platform staff without them cannot take them away.",
)
UNLOCK_SIGN_INS = define(
    "accounts.unlock_sign_ins",
    subject="the locked-out sign-in",
    action="unlock sign-ins",
    who="",
    why="A lockout stops password guessing; lifting it early is platform staff's call.",
)
MANAGE_SERVICE_ACCOUNTS = define(
    "accounts.manage_service_accounts",
    is_team_lead,
    subject="the team",
    action="create, change, deactivate or issue tokens for the service accounts of {obj}",
    who="a lead of {obj}",
    why="A service account acts with its team's role, so the team's lead decides who runs as the team.",
)
SEE_SERVICE_ACCOUNTS = define(
    "accounts.see_service_accounts",
    is_in_the_team,
    subject="the team",
    action="see the service accounts of {obj}",
    who="members of {obj}",
    why="A team's members work beside its service accounts and read what they are for; the lead "
    "manages them.",
)
MANAGE_TOKENS = define(
    "accounts.manage_tokens",
    is_themselves | leads_the_service_accounts_team,
    subject="the token's owner",
    action="list or revoke the tokens of {obj}",
    who="{obj} themselves or, for a service account, a lead of its team",
    why="Whoever holds or answers for a credential may see it and end it.",
)
CREATE_TOKEN = define(
    "accounts.create_token",
    (is_a_person & is_themselves) | leads_the_service_accounts_team,
    subject="the token's owner",
    action="make tokens for {obj}",
    who="{obj} themselves (a person) or, for a service account, a lead of its team",
    why="A service account never mints its own credentials; its team's lead issues them.",
)


def sees_every_service_account(user) -> bool:
    return allowed_everywhere(user, SEE_SERVICE_ACCOUNTS.name)


def manages_every_service_account(user) -> bool:
    return allowed_everywhere(user, MANAGE_SERVICE_ACCOUNTS.name)


def manages_every_token(user) -> bool:
    return allowed_everywhere(user, MANAGE_TOKENS.name)
