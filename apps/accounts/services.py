"""Writes of the accounts app: tokens, users, service accounts and signing out everywhere. Each
checks its permission (the rules of apps.accounts.policy) and writes in one transaction."""

from datetime import datetime

from axes.utils import reset as axes_reset
from django.contrib.auth.models import User
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import transaction

from apps.accounts import sessions, tokens
from apps.accounts.models import SERVICE_ACCOUNT_ROLES, ApiToken, ServiceAccount
from apps.accounts.policy import service_account_of
from apps.core.changes import update_rows
from apps.core.policy import ensure
from apps.teams import services as team_services
from apps.teams.models import MemberRole, Membership, Team


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Give the token a name that says where it is used."})
    return name


@transaction.atomic
def token_create(
    *,
    actor: User,
    owner: User | None = None,
    name: str,
    expiry: datetime | None = None,
    read_only: bool = False,
) -> tuple[ApiToken, str]:
    """A new token for ``owner`` (default: the actor): the row and the token, shown only this once."""
    owner = owner or actor
    account = service_account_of(owner)
    if account is not None:  # the same rule, worded with the team
        ensure(
            actor,
            "accounts.manage_service_accounts",
            account.team,
            action=f"issue tokens for the service account {owner.username}",
        )
    ensure(actor, "accounts.create_token", owner)
    if not owner.is_active:
        raise ValidationError({"user": f"{owner.username} is deactivated; it cannot get a token."})
    return tokens.new_token(
        owner=owner,
        name=_clean_name(name),
        expiry=tokens.checked_expiry(expiry),
        read_only=read_only,
        created_by=actor,
    )


def token_revoke(*, actor: User, token: ApiToken) -> None:
    ensure(actor, "accounts.manage_tokens", token.user)
    token.delete()


def tokens_revoke_all(*, user: User) -> int:
    """Every token of ``user`` (the caller has checked who may do this)."""
    deleted, _ = ApiToken.objects.filter(user=user).delete()
    return deleted


@transaction.atomic
def sign_out_everywhere(*, user: User) -> dict[str, int]:
    """End every browser session of ``user`` and revoke every API token of theirs."""
    ended = sessions.end_sessions_of(user)
    revoked = tokens_revoke_all(user=user)
    return {"sessions_ended": ended, "tokens_revoked": revoked}


@transaction.atomic
def lockout_clear(*, actor: User, username: str = "", ip_address: str = "") -> int:
    """Unlock a username (from every address), an address (for every username), or either; returns
    how many rows of failed sign-ins were cleared."""
    ensure(actor, "accounts.unlock_sign_ins")
    if not (username or ip_address):
        raise ValidationError({"username": "Name a username or an address to unlock."})
    return axes_reset(
        ip=ip_address or None, username=username or None, ip_or_username=bool(username and ip_address)
    )


NAME_PART_LENGTH = 150  # django.contrib.auth's first_name and last_name

# Users -------------------------------------------------------------------------------------------


def _checked_username(username: str) -> str:
    username = (username or "").strip()
    if not username:
        raise ValidationError({"username": "Give a username."})
    try:
        User.username_validator(username)
    except ValidationError as error:
        raise ValidationError({"username": error.messages}) from None
    if User.objects.filter(username__iexact=username).exists():
        raise ValidationError({"username": f"The username {username} is taken; choose another."})
    return username


def _checked_email(email: str) -> str:
    email = User.objects.normalize_email((email or "").strip())
    if not email:
        raise ValidationError({"email": "Give the person's e-mail address (password reset mails go there)."})
    try:
        validate_email(email)
    except ValidationError:
        raise ValidationError({"email": f"{email} is not an e-mail address."}) from None
    if User.objects.filter(email__iexact=email).exists():
        raise ValidationError({"email": f"Another user already has the address {email}."})
    return email


def _split_name(name: str) -> tuple[str, str]:
    """“Ada Lovelace” -> ("Ada", "Lovelace"): Django keeps first and last names (150 characters each);
    the full name reads back the same (``get_full_name``)."""
    first, _, last = " ".join((name or "").split()).partition(" ")
    if max(len(first), len(last)) > NAME_PART_LENGTH:
        raise ValidationError({"name": f"A first or last name is at most {NAME_PART_LENGTH} characters."})
    return first, last


@transaction.atomic
def user_create(
    *,
    actor: User,
    username: str,
    email: str,
    name: str = "",
    password: str | None = None,
    team: Team | None = None,
    role: str | None = None,
):
    """A person's account. Without a password they sign in through single sign-on or set one with a
    password reset; with a team and role they join it (as ``membership_create`` allows)."""
    ensure(actor, "accounts.manage_users")
    if (team is None) != (not role):
        raise ValidationError({"role" if team else "team": "Give both a team and a role, or neither."})
    first, last = _split_name(name)
    user = User(
        username=_checked_username(username), email=_checked_email(email), first_name=first, last_name=last
    )
    if password:
        try:
            validate_password(password, user)
        except ValidationError as error:
            raise ValidationError({"password": error.messages}) from None
        user.set_password(password)
    else:
        user.set_unusable_password()
    user.save()
    if team is not None:
        team_services.membership_create(actor=actor, data={"team": team, "user": user, "role": role})
    return user


@transaction.atomic
def user_deactivate(*, actor: User, user):
    """The user can no longer sign in or use a token; their tokens and sessions end now. Their rows
    (memberships, requests, comments) stay, so history keeps its names."""
    ensure(actor, "accounts.manage_users")
    if user.pk == actor.pk:
        raise ValidationError({"user": "You cannot deactivate yourself; ask another platform staff member."})
    if user.is_superuser:
        ensure(actor, "accounts.deactivate_superuser", user, action="deactivate a superuser")
    return _set_active(user, False)


@transaction.atomic
def user_reactivate(*, actor: User, user):
    """Signing in works again; tokens revoked at deactivation stay revoked (make new ones)."""
    ensure(actor, "accounts.manage_users")
    return _set_active(user, True)


def _set_active(user, active: bool):
    user = User.objects.select_for_update().get(pk=user.pk)
    if user.is_active != active:
        user.is_active = active
        user.save(update_fields=["is_active"])
    if not active:
        sign_out_everywhere(user=user)
    return user


# Service accounts --------------------------------------------------------------------------------


def _checked_role(role: str | None) -> str:
    if role not in SERVICE_ACCOUNT_ROLES:
        allowed = ", ".join(choice.value for choice in SERVICE_ACCOUNT_ROLES)
        if role == MemberRole.LEAD:
            message = f"A service account cannot be a team's lead; choose one of {allowed}."
        else:
            message = f"Choose one of {allowed}."
        raise ValidationError({"role": message})
    return role


@transaction.atomic
def service_account_create(
    *,
    actor: User,
    team: Team,
    username: str,
    role: str = MemberRole.ENGINEER,
    description: str = "",
) -> ServiceAccount:
    """A non-human user in exactly one team with ``role``: it has no password (tokens only) and acts
    with that role's permissions through its membership, which only this app changes."""
    if team is None:
        raise ValidationError({"team": "Give the team the service account belongs to."})
    ensure(actor, "accounts.manage_service_accounts", team)
    role = _checked_role(role)
    user = User(username=_checked_username(username), first_name="", last_name="")
    user.set_unusable_password()
    user.save()
    account = ServiceAccount.objects.create(
        user=user, team=team, role=role, description=(description or "").strip(), created_by=actor
    )
    Membership.objects.create(team=team, user=user, role=role)
    return account


@transaction.atomic
def service_account_update(
    *,
    actor: User,
    account: ServiceAccount,
    role: str | None = None,
    description: str | None = None,
) -> ServiceAccount:
    """Its role (and so its permissions) or description; its team never changes."""
    ensure(actor, "accounts.manage_service_accounts", account.team)
    if role is not None:
        account.role = _checked_role(role)
        update_rows(Membership.objects.filter(team=account.team, user=account.user), role=account.role)
    if description is not None:
        account.description = description.strip()
    account.save(update_fields=["role", "description"])
    return account


@transaction.atomic
def service_account_deactivate(*, actor: User, account: ServiceAccount) -> ServiceAccount:
    """It stops working at once: every token is revoked."""
    ensure(actor, "accounts.manage_service_accounts", account.team)
    account.user = _set_active(account.user, False)
    return account


@transaction.atomic
def service_account_reactivate(*, actor: User, account: ServiceAccount) -> ServiceAccount:
    """It may get tokens again (its old ones stay revoked)."""
    ensure(actor, "accounts.manage_service_accounts", account.team)
    account.user = _set_active(account.user, True)
    return account
