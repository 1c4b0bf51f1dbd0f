"""The API's token authentication (django-rest-knox tokens, sent as ``Authorization: Token ...``).

A token is found by its digest, refused once expired or when its user is inactive, and a read-only
token is refused on anything but GET, HEAD and OPTIONS, here in one place for every endpoint.

Views that set ``cache_token_lookup = True`` (the prediction endpoint, which answers in a few
milliseconds, of which the token lookup was the largest database share) keep a per-process memory of
a token's user, keyed by the token's digest, for ``API_TOKEN_CACHE_SECONDS`` (default 2; 0 looks up
every request). Revoking a token, or saving or deleting a user (deactivation), forgets every entry at
once in the process that made the change; other processes notice within those seconds. Endpoints
that change data look the token up on every request."""

import binascii
import copy

from django.conf import settings
from django.db import transaction
from knox.auth import TokenAuthentication
from rest_framework import exceptions
from rest_framework.permissions import SAFE_METHODS

from apps.accounts import tokens
from apps.accounts.models import ApiToken
from apps.core.ttlcache import TtlCache


def cache_seconds() -> float:
    return float(getattr(settings, "API_TOKEN_CACHE_SECONDS", 2.0))


_users_by_digest = TtlCache(cache_seconds)

READ_ONLY_REFUSAL = "This token is read-only: it may only read (GET, HEAD, OPTIONS)."


class PortalTokenAuthentication(TokenAuthentication):
    cache_lookup = False

    def authenticate(self, request):
        view = (getattr(request, "parser_context", None) or {}).get("view")
        self.cache_lookup = getattr(view, "cache_token_lookup", False)
        found = super().authenticate(request)
        if found and found[1].read_only and request.method not in SAFE_METHODS:
            raise exceptions.PermissionDenied(READ_ONLY_REFUSAL)
        return found

    def authenticate_credentials(self, token: bytes):
        try:
            digest = tokens.digest_of(token.decode("utf-8"))
        except (UnicodeDecodeError, TypeError, binascii.Error):
            raise exceptions.AuthenticationFailed("Invalid token.") from None
        found = _users_by_digest.get(digest) if self.cache_lookup else None
        if found is None:
            found = self._look_up(digest)  # raises for unknown tokens and inactive users
            if self.cache_lookup:
                _users_by_digest.put(digest, found)
        user, api_token = found
        if api_token.is_expired:
            raise exceptions.AuthenticationFailed(
                "Token expired: make a new one on the Tokens page or at /api/v1/auth/token/."
            )
        tokens.stamp_last_used(api_token)
        return copy.copy(user), api_token  # each request its own user object: views may set attributes on it

    @staticmethod
    def _look_up(digest: str):
        api_token = ApiToken.objects.select_related("user").filter(digest=digest).first()
        if api_token is None:
            raise exceptions.AuthenticationFailed("Invalid token.")
        if not api_token.user.is_active:
            raise exceptions.AuthenticationFailed("User inactive or deleted.")
        return api_token.user, api_token


def forget_tokens(**_signal_kwargs) -> None:
    """Now, and again on commit: a request reading the old row before then must not keep it."""
    _users_by_digest.clear()
    transaction.on_commit(_users_by_digest.clear)


def connect_invalidation() -> None:
    from django.contrib.auth import get_user_model
    from django.db.models.signals import post_delete, post_save

    for model in (ApiToken, get_user_model()):
        for signal in (post_save, post_delete):
            signal.connect(forget_tokens, sender=model, dispatch_uid=f"token-cache-{model.__name__}-{signal}")
