"""Each sign-in is remembered (user, session key) so that "sign out everywhere" can end every session
of a user, whatever the session engine, without reading all sessions."""

from importlib import import_module

from django.conf import settings
from django.contrib.auth.signals import user_logged_in, user_logged_out

from apps.accounts.models import UserSession


def remember_session(sender, request, user, **_kwargs) -> None:
    session_key = getattr(getattr(request, "session", None), "session_key", None)
    if session_key:
        UserSession.objects.update_or_create(session_key=session_key, defaults={"user": user})


def forget_session(sender, request, user, **_kwargs) -> None:
    session_key = getattr(getattr(request, "session", None), "session_key", None)
    if session_key:
        UserSession.objects.filter(session_key=session_key).delete()


def end_sessions_of(user) -> int:
    """End every session ``user`` signed in with; returns how many were remembered."""
    store = import_module(settings.SESSION_ENGINE).SessionStore
    keys = list(UserSession.objects.filter(user=user).values_list("session_key", flat=True))
    for key in keys:
        store(session_key=key).delete()
    UserSession.objects.filter(user=user).delete()
    return len(keys)


def connect_session_tracking() -> None:
    user_logged_in.connect(remember_session, dispatch_uid="accounts-remember-session")
    user_logged_out.connect(forget_session, dispatch_uid="accounts-forget-session")
