"""Checks behind /healthz: database, broker and a worker that answers a ping."""

from celery import current_app as app  # the project's app (portal.celery), which apps never import
from django.db import connection


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


def check_worker(timeout: float = 2.0) -> str:
    try:
        replies = app.control.ping(timeout=timeout)
    except Exception as exc:
        return f"error: {exc.__class__.__name__}: {exc}"
    return "ok" if replies else "error: no worker answered a ping"


def health_report() -> dict[str, str]:
    report = {"database": check_database(), "broker": check_broker()}
    report["worker"] = check_worker() if report["broker"] == "ok" else "error: broker unreachable"
    return report
