"""Enqueue a Celery task by its name, so services never import the task modules that call them
(an app's ``tasks.py`` imports its services, never the reverse).

Task names are Celery's default, the task's module path: ``apps.<app>.tasks.<function>``."""

from celery import current_app
from celery.result import AsyncResult
from django.db import transaction


def _task(name: str):
    app = current_app
    if name not in app.tasks:
        app.loader.import_default_modules()  # autodiscovers every app's tasks.py (a web process)
    return app.tasks[name]  # raises celery.exceptions.NotRegistered for a name no app declares


def enqueue(name: str, *, args: tuple | list = (), **options) -> AsyncResult:
    """Send task ``name`` now; ``options`` are ``apply_async``'s (task_id, time limits, queue...)."""
    return _task(name).apply_async(args=list(args), **options)


def enqueue_on_commit(name: str, *, args: tuple | list = (), **options) -> None:
    """Send task ``name`` once the current transaction commits (at once outside a transaction)."""
    task = _task(name)  # an unknown name fails the write, not a callback after the commit
    transaction.on_commit(lambda: task.apply_async(args=list(args), **options))
