"""Who is acting now, through which channel, in which request: the context every write happens in.

Web requests (``RequestContextMiddleware``), Celery tasks (the signals connected by
``connect_task_signals``) and the single sign-on sync (``acting(channel=IDP_SYNC)``) set it; anything
else (``manage.py shell``, other commands) runs in the ``shell`` channel. Core only keeps the context;
the audit trail (``apps.audit``) reads it when it records a write, so no domain app knows about it.
"""

import re
import uuid
from collections.abc import Callable
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass

import structlog

UI, API, ADMIN, TASK, IDP_SYNC, SHELL = "ui", "api", "admin", "task", "idp-sync", "shell"
CHANNELS = {
    UI: "Browser",
    API: "REST API",
    ADMIN: "Admin console",
    TASK: "Background task",
    IDP_SYNC: "Identity provider sync",
    SHELL: "Shell or command",
}
REQUEST_ID_HEADER = "X-Request-ID"
# A caller's own request id is kept when it is a plain token (a proxy's or a client's id); anything
# else gets a fresh one, so no header can write arbitrary text into the audit trail.
_PLAIN_ID = re.compile(r"^[A-Za-z0-9._:-]{1,64}$")
# Celery message headers that carry the context from the process that sent a task to the worker.
TASK_ACTOR_HEADER, TASK_REQUEST_ID_HEADER = "portal_actor_id", "portal_request_id"


def new_request_id() -> str:
    return uuid.uuid4().hex


def request_id_from(value: str | None) -> str:
    return value if value and _PLAIN_ID.match(value) else new_request_id()


@dataclass
class Acting:
    channel: str
    request_id: str
    # A user, or a function giving one when first needed (the API authenticates inside the view).
    actor: object = None
    remote_addr: str | None = None

    def user(self):
        if callable(self.actor) and not hasattr(self.actor, "_meta"):
            self.actor = self.actor()
        user = self.actor
        return user if user is not None and getattr(user, "is_authenticated", False) else None


def act_as(user) -> None:
    """The user a view signed in itself (the token endpoint authenticates inside the view, after the
    context took the request's anonymous user) acts from here on."""
    current().actor = user


_current: ContextVar[Acting | None] = ContextVar("portal_acting", default=None)


def current() -> Acting:
    """The context of the code running now (``shell`` with a fresh request id when none is set)."""
    acting_now = _current.get()
    if acting_now is None:
        acting_now = Acting(channel=SHELL, request_id=new_request_id())
        _current.set(acting_now)
    return acting_now


@contextmanager
def acting(
    *,
    channel: str,
    actor: object = None,
    request_id: str | None = None,
    remote_addr: str | None = None,
    inherit_actor: bool = True,
):
    """Run the block in ``channel``; the actor, request id and address are the enclosing context's
    unless given (so a sync inside a web request keeps that request's id)."""
    if channel not in CHANNELS:
        raise ValueError(f"unknown channel {channel!r}")
    outer = _current.get()
    context = Acting(
        channel=channel,
        request_id=request_id or (outer.request_id if outer else new_request_id()),
        actor=actor if actor is not None or not inherit_actor or outer is None else outer.actor,
        remote_addr=remote_addr or (outer.remote_addr if outer else None),
    )
    token = _current.set(context)
    try:
        yield context
    finally:
        _current.reset(token)


def channel_of_path(path: str) -> str:
    if path.startswith("/api/"):
        return API
    if path.startswith("/admin/"):
        return ADMIN
    return UI


class RequestContextMiddleware:
    """Every web request runs in a context: the channel from its path, the signed-in user (read when a
    write needs it, after the API has authenticated), its address and a request id, which the response
    echoes in ``X-Request-ID``. The request id is the one the logs carry (django-structlog's, from the
    caller's ``X-Request-ID`` when that is a plain token), so an audit record leads to its log lines."""

    def __init__(self, get_response: Callable):
        self.get_response = get_response

    def __call__(self, request):
        logged = structlog.contextvars.get_contextvars().get("request_id")
        request_id = request_id_from(logged or request.headers.get(REQUEST_ID_HEADER))
        if request_id != logged:
            structlog.contextvars.bind_contextvars(request_id=request_id)
        request.request_id = request_id
        with acting(
            channel=channel_of_path(request.path),
            actor=lambda: getattr(request, "user", None),
            request_id=request_id,
            remote_addr=request.META.get("REMOTE_ADDR") or None,
            inherit_actor=False,
        ):
            response = self.get_response(request)
        response[REQUEST_ID_HEADER] = request_id
        return response


# --- Celery: a task runs in the ``task`` channel, on behalf of whoever sent it ----------------------


def _headers_for_task(headers: dict | None = None, **kwargs) -> None:
    """``before_task_publish``: the sender's actor and request id travel in the message headers."""
    if headers is None:
        return
    context = _current.get()
    if context is None:
        return
    user = context.user()
    headers.setdefault(TASK_ACTOR_HEADER, user.pk if user else None)
    headers.setdefault(TASK_REQUEST_ID_HEADER, context.request_id)


def _actor_loader(user_id):
    def load():
        from django.contrib.auth import get_user_model

        return get_user_model().objects.filter(pk=user_id).first()

    return load


_task_contexts: dict[str, object] = {}


def _from_headers(request, name: str):
    if request is None:
        return None
    value = getattr(request, name, None)
    return value if value is not None else (getattr(request, "headers", None) or {}).get(name)


def _enter_task(task_id=None, task=None, **kwargs) -> None:
    """``task_prerun``: enter the task channel on behalf of the sender: a worker takes the sender's
    actor and request id from the message headers; a task run in the sending process (eager) keeps
    the sender's context."""
    request = getattr(task, "request", None)
    actor_id = _from_headers(request, TASK_ACTOR_HEADER)
    request_id = _from_headers(request, TASK_REQUEST_ID_HEADER)
    eager = bool(getattr(request, "is_eager", False))
    manager = acting(
        channel=TASK,
        actor=_actor_loader(actor_id) if actor_id else None,
        request_id=request_id_from(request_id) if request_id or not eager else None,
        inherit_actor=eager and not actor_id,
    )
    manager.__enter__()
    _task_contexts[task_id] = manager


def _leave_task(task_id=None, **kwargs) -> None:
    manager = _task_contexts.pop(task_id, None)
    if manager is not None:
        manager.__exit__(None, None, None)


def connect_task_signals() -> None:
    from celery import signals

    signals.before_task_publish.connect(_headers_for_task, weak=False, dispatch_uid="portal-acting-publish")
    signals.task_prerun.connect(_enter_task, weak=False, dispatch_uid="portal-acting-prerun")
    signals.task_postrun.connect(_leave_task, weak=False, dispatch_uid="portal-acting-postrun")
