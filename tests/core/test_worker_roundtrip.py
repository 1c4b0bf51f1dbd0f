"""The real stack end to end: a worker process, the configured broker, the test database."""

import time

import pytest

from apps.core.models import Heartbeat
from apps.core.tasks import answer_heartbeat

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_healthz_all_ok_with_a_live_worker(client, celery_worker_process):
    response = client.get("/healthz")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["database"], body["broker"], body["worker"]) == ("ok", "ok", "ok")
    assert body["queues"] == {"default": "ok", "training": "ok"}


def test_task_round_trip_through_the_broker(celery_worker_process):
    heartbeat = Heartbeat.objects.create()
    answer_heartbeat.delay(heartbeat.pk)
    deadline = time.monotonic() + 30
    while time.monotonic() < deadline:
        heartbeat.refresh_from_db()
        if heartbeat.answered_at:
            break
        time.sleep(0.2)
    assert heartbeat.answered_by.startswith("test-")
