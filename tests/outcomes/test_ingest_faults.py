"""A web worker SIGKILLed in the middle of an observation ingest, on gunicorn with the shipped
gunicorn.conf.py: the batch is all or nothing, so none of its rows (nor their daily aggregates)
stays written, the arbiter replaces the worker, and the same batch sent again is saved once."""

import datetime
import json
import os
import signal
import threading
import time
from pathlib import Path

import pytest
from django.db import connection, transaction

from apps.outcomes.models import DailyAggregate, Kpi, Observation
from tests.factories import api_token
from tests.outcomes.factories import KpiFactory

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

ROWS = 2_000
START = datetime.date(2026, 1, 1)


def batch(kpi) -> list[dict]:
    return [
        {
            "kpi": kpi.pk,
            "time": f"{START + datetime.timedelta(days=i % 100)}T{i // 100:02d}:00:00Z",
            "value": i,
        }
        for i in range(ROWS)
    ]


def post(server, token: str, rows: list[dict]):
    connection_ = server.connection()
    connection_.request(
        "POST",
        "/api/v1/observations/",
        body=json.dumps(rows),
        headers={"Authorization": f"Token {token}", "Content-Type": "application/json"},
    )
    response = connection_.getresponse()
    return response.status, response.read()


def worker_pids(server) -> list[int]:
    children = Path(f"/proc/{server.process.pid}/task/{server.process.pid}/children").read_text().split()
    return [int(pid) for pid in children]


def backends_waiting_on_a_lock() -> list[int]:
    with connection.cursor() as cursor:
        # The test runs inside a transaction, and PostgreSQL serves pg_stat_activity from a snapshot taken
        # at its first read in a transaction: without clearing it every poll saw the sessions as they were
        # at the first poll, and an ingest that reached the lock later was never seen waiting.
        cursor.execute("SELECT pg_stat_clear_snapshot()")
        cursor.execute(
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'"
        )
        return [pid for (pid,) in cursor.fetchall()]


def backend_alive(pid: int) -> bool:
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_stat_activity WHERE pid = %s", [pid])
        return cursor.fetchone() is not None


def until(condition, *, timeout=120.0, what="condition"):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if value := condition():
            return value
        time.sleep(0.1)
    raise AssertionError(f"{what} did not happen within {timeout} s")


def test_a_web_worker_killed_mid_ingest_leaves_nothing_half_written(gunicorn_factory, team, team_engineer):
    kpi = KpiFactory(stream=team.value_stream, name="Conversion")
    token = api_token(team_engineer)
    server = gunicorn_factory(workers=1)
    [victim] = worker_pids(server)
    # A first request warms the worker (its first API call loads the API's modules: many seconds on a
    # busy machine), on another KPI.
    warm_up = KpiFactory(stream=team.value_stream, name="Warm-up")
    assert post(server, token, batch(warm_up)[:1])[0] == 201
    rows = batch(kpi)
    outcome: dict = {}

    def send():
        try:
            outcome["response"] = post(server, token, rows)
        except Exception as exc:  # the worker died with the request in its hands
            outcome["error"] = exc

    # The test holds the KPI's row lock, which an ingest takes after writing its rows and before
    # rebuilding their daily aggregates: the worker is caught with the rows written, uncommitted.
    with transaction.atomic():
        Kpi.objects.select_for_update().get(pk=kpi.pk)
        sender = threading.Thread(target=send)
        sender.start()
        waiting = until(
            lambda: backends_waiting_on_a_lock() or (not sender.is_alive() and ["answered"]),
            what="the ingest reaching its aggregates",
        )
        assert waiting != ["answered"], f"the ingest was answered before it reached the lock: {outcome}"
        [backend] = waiting
        os.kill(victim, signal.SIGKILL)
        sender.join(timeout=60)
    assert "response" not in outcome, outcome  # no answer: the worker died mid-request
    until(lambda: not backend_alive(backend), what="the killed worker's session ending")

    assert Observation.objects.filter(kpi=kpi).count() == 0
    assert DailyAggregate.objects.filter(kpi=kpi).count() == 0

    # The arbiter started another worker; the client sends the batch again, twice: saved once.
    until(lambda: [pid for pid in worker_pids(server) if pid != victim], what="a new worker")
    for _ in range(2):
        status, body = post(server, token, rows)
        assert status == 201, body
        assert json.loads(body) == {"saved": ROWS, "kpis": [kpi.pk]}
    assert Observation.objects.filter(kpi=kpi).count() == ROWS
    assert DailyAggregate.objects.filter(kpi=kpi).count() == 100
    assert set(DailyAggregate.objects.filter(kpi=kpi).values_list("n", flat=True)) == {20}
