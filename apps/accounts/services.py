"""Writes of the accounts app: tokens, users, service accounts and signing out everywhere. Each
checks its permission (apps.accounts.permissions) and writes in one transaction."""

from datetime import datetime

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from apps.accounts import tokens
from apps.accounts.models import ApiToken
from apps.accounts.permissions import (
    ensure_can_manage_tokens_of,
)


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
