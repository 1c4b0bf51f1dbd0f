"""Writes of the accounts app: tokens, users, service accounts and signing out everywhere. Each
checks its permission (apps.accounts.permissions) and writes in one transaction."""

from datetime import datetime

from axes.utils import reset as axes_reset
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from apps.accounts import sessions, tokens
from apps.accounts.models import ApiToken
from apps.accounts.permissions import (
    ensure_can_manage_tokens_of,
)
from apps.core.permissions import ensure_platform_staff


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
    ensure_can_manage_tokens_of(actor, owner)
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
    ensure_can_manage_tokens_of(actor, token.user)
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
    ensure_platform_staff(actor, action="unlock sign-ins")
    if not (username or ip_address):
        raise ValidationError({"username": "Name a username or an address to unlock."})
    return axes_reset(
        ip=ip_address or None, username=username or None, ip_or_username=bool(username and ip_address)
    )
