"""The API's token authentication: DRF's, plus a per-process memory of a token's user for views that
set ``cache_token_lookup = True`` (the prediction endpoint, which answers in a few milliseconds, of
which the token lookup was the largest database share). Entries live ``API_TOKEN_CACHE_SECONDS``
(default 2; 0 looks up every request). Deleting a token, or saving or deleting a user (deactivation),
forgets every entry at once in the process that made the change; other processes notice within those
seconds. Endpoints that change data look the token up on every request."""

import copy

from django.conf import settings
from django.db import transaction
from rest_framework.authentication import TokenAuthentication

from apps.core.ttlcache import TtlCache


def cache_seconds() -> float:
    return float(getattr(settings, "API_TOKEN_CACHE_SECONDS", 2.0))


_users_by_token = TtlCache(cache_seconds)


class PortalTokenAuthentication(TokenAuthentication):
    cache_lookup = False

    def authenticate(self, request):
        view = (getattr(request, "parser_context", None) or {}).get("view")
        self.cache_lookup = getattr(view, "cache_token_lookup", False)
        return super().authenticate(request)

    def authenticate_credentials(self, key):
        if not self.cache_lookup:
            return super().authenticate_credentials(key)
        found = _users_by_token.get(key)
        if found is None:
            found = super().authenticate_credentials(key)  # raises for unknown keys and inactive users
            _users_by_token.put(key, found)
        user, token = found
        return copy.copy(user), token  # each request its own user object: views may set attributes on it


def forget_tokens(**_signal_kwargs) -> None:
    """Now, and again on commit: a request reading the old row before then must not keep it."""
    _users_by_token.clear()
    transaction.on_commit(_users_by_token.clear)


def connect_invalidation() -> None:
    from django.contrib.auth import get_user_model
    from django.db.models.signals import post_delete, post_save
    from rest_framework.authtoken.models import Token

    for model in (Token, get_user_model()):
        for signal in (post_save, post_delete):
            signal.connect(forget_tokens, sender=model, dispatch_uid=f"token-cache-{model.__name__}-{signal}")
