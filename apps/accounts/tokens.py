"""Making and checking API tokens: knox makes the random token and its digest; the portal adds the
name, the expiry within the configured maximum, the read-only scope and the last-used stamp."""

from datetime import datetime, timedelta

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from knox.crypto import hash_token
from knox.models import get_digest_token
from knox.settings import CONSTANTS

from apps.accounts.models import ApiToken


def default_expiry() -> datetime:
    return timezone.now() + timedelta(days=settings.PORTAL_TOKEN_DEFAULT_DAYS)


def latest_expiry() -> datetime:
    return timezone.now() + timedelta(days=settings.PORTAL_TOKEN_MAX_DAYS)


def checked_expiry(expiry: datetime | None) -> datetime:
    if expiry is None:
        return default_expiry()
    if expiry <= timezone.now():
        raise ValidationError({"expiry": "The expiry must be in the future."})
    if expiry > latest_expiry() + timedelta(minutes=1):
        raise ValidationError(
            {
                "expiry": f"A token lives at most {settings.PORTAL_TOKEN_MAX_DAYS} days; "
                "choose an earlier expiry."
            }
        )
    return expiry


def new_token(*, owner, name: str, expiry: datetime, read_only: bool, created_by) -> tuple[ApiToken, str]:
    """The saved row and the token itself, which is never stored and cannot be shown again."""
    digest, plain = get_digest_token()
    token = ApiToken(
        digest=digest,
        token_key=plain[: CONSTANTS.TOKEN_KEY_LENGTH],
        user=owner,
        name=name,
        expiry=expiry,
        read_only=read_only,
        created_by=created_by,
    )
    token.save()  # not the knox manager's create(), which makes a token of its own
    return token, plain


def digest_of(plain: str) -> str:
    return hash_token(plain)


def stamp_last_used(token: ApiToken) -> None:
    """Record the use at most once per ``PORTAL_TOKEN_LAST_USED_RESOLUTION_SECONDS``, after the request's
    own transaction commits (at once under autocommit), so a busy token costs no write per request."""
    now = timezone.now()
    resolution = timedelta(seconds=settings.PORTAL_TOKEN_LAST_USED_RESOLUTION_SECONDS)
    if token.last_used_at is not None and now - token.last_used_at < resolution:
        return
    token.last_used_at = now
    transaction.on_commit(lambda: ApiToken.objects.filter(pk=token.pk).update(last_used_at=now))
