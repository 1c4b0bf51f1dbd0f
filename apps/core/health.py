"""Checks behind /healthz: database, broker, a live worker for every queue, and the platform's S3
bucket when files are kept in one (no entry for the quick start's local folder).

Workers publish a heartbeat per queue they consume (``apps.core.heartbeats``); the check reads those
rows. Only a queue without a fresh heartbeat (e.g. served by a worker that does not publish one) is
asked about with a broadcast ``active_queues`` call, the slow fallback."""

from celery import current_app as app  # the project's app (portal.celery), which apps never import
from django.conf import settings
from django.db import connection

from apps.core import heartbeats, storage

NO_CONSUMER = "error: no live worker consumes this queue"


def check_database() -> str:
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:  # any failure is reported, never raised
        return f"error: {exc.__class__.__name__}: {exc}"
    return "ok"


def check_broker() -> str:
    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=2)
    except Exception as exc:
        return f"error: {exc.__class__.__name__}: {exc}"
    return "ok"


def health_queues() -> list[str]:
    return list(settings.PORTAL_HEALTH_QUEUES) or [queue.name for queue in settings.CELERY_TASK_QUEUES]


def consumed_by_ping(timeout: float) -> set[str]:
    """The fallback: queues named by the workers that answer a broadcast within ``timeout``."""
    replies = app.control.inspect(timeout=timeout).active_queues() or {}
    return {queue["name"] for queues in replies.values() for queue in queues or ()}


def check_queues(*, database_ok: bool, timeout: float = 1.0) -> dict[str, str]:
    queues = health_queues()
    live = heartbeats.live_queues(queues) if database_ok else set()
    missing = [queue for queue in queues if queue not in live]
    if missing:
        try:
            live |= consumed_by_ping(timeout) & set(missing)
        except Exception as exc:
            return {
                queue: "ok" if queue in live else f"error: {exc.__class__.__name__}: {exc}"
                for queue in queues
            }
    return {queue: "ok" if queue in live else NO_CONSUMER for queue in queues}


def health_report() -> dict:
    """``database``, ``broker`` and ``worker`` are "ok" or an error text (the contract since the first
    release); ``queues`` adds the state of each queue, and ``worker`` is "ok" only when every queue
    has a live consumer."""
    report = {"database": check_database(), "broker": check_broker()}
    if not storage.is_local():
        report["storage"] = storage.check_reachable()
    if report["broker"] != "ok":
        report["worker"] = "error: broker unreachable"
        report["queues"] = {queue: "error: broker unreachable" for queue in health_queues()}
        return report
    queues = check_queues(database_ok=report["database"] == "ok")
    down = [queue for queue, state in queues.items() if state != "ok"]
    report["worker"] = f"error: no live worker consumes the {', '.join(down)} queue" if down else "ok"
    report["queues"] = queues
    return report


def is_healthy(report: dict) -> bool:
    return all(report.get(key, "ok") == "ok" for key in ("database", "broker", "worker", "storage"))
