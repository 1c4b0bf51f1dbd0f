"""Enqueue a Celery task by its name, so services never import the task modules that call them
(an app's ``tasks.py`` imports its services, never the reverse).

Task names are Celery's default, the task's module path: ``apps.<app>.tasks.<function>``."""

import logging

from celery import current_app
from celery.result import AsyncResult
from django.db import transaction
from kombu.exceptions import OperationalError as BrokerUnavailable

logger = logging.getLogger(__name__)

# A message waits at most about a second for an unreachable broker; then the write that sent it stands
# and whoever keeps the row (a job's recovery, a task's schedule) sends it again later.
PUBLISH_RETRY = {"max_retries": 2, "interval_start": 0, "interval_step": 0.3, "interval_max": 0.5}


def _task(name: str):
    app = current_app
    if name not in app.tasks:
        app.loader.import_default_modules()  # autodiscovers every app's tasks.py (a web process)
    return app.tasks[name]  # raises celery.exceptions.NotRegistered for a name no app declares


def enqueue(name: str, *, args: tuple | list = (), **options) -> AsyncResult:
    """Send task ``name`` now; ``options`` are ``apply_async``'s (task_id, time limits, queue...)."""
    return _task(name).apply_async(args=list(args), retry_policy=PUBLISH_RETRY, **options)


def try_enqueue(name: str, *, args: tuple | list = (), **options) -> bool:
    """``enqueue``, but a broker that cannot be reached is logged and answered with False, never
    raised: the caller's write has committed and must not fail because its message could not be sent."""
    try:
        enqueue(name, args=args, **options)
    except BrokerUnavailable as exc:
        logger.warning("task %s not sent: the broker is unreachable (%s)", name, exc)
        return False
    return True


def enqueue_on_commit(name: str, *, args: tuple | list = (), **options) -> None:
    """Send task ``name`` once the current transaction commits (at once outside a transaction); an
    unreachable broker is logged, never raised to the caller of the write."""
    _task(name)  # an unknown name fails the write, not a callback after the commit
    transaction.on_commit(lambda: try_enqueue(name, args=args, **options))
