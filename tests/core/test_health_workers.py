"""/healthz per queue with real worker processes: each publishes a heartbeat per queue it consumes;
a queue whose only worker stops (cleanly or SIGKILLed) turns /healthz 503 naming it."""

import time

import pytest

from apps.core.models import WorkerHeartbeat

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

FAST_BEAT = {"PORTAL_WORKER_HEARTBEAT_SECONDS": "0.5"}


@pytest.fixture
def probe_queues(settings):
    settings.PORTAL_HEALTH_QUEUES = ["probe-default", "probe-training"]
    settings.PORTAL_WORKER_HEARTBEAT_STALE_SECONDS = 3


def wait_for_health(client, condition, timeout=60.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        response = client.get("/healthz")
        if condition(response.status_code, response.json()):
            return response.json()
        time.sleep(0.3)
    raise AssertionError(f"/healthz never matched: {response.status_code} {response.json()}")


def test_healthz_follows_the_consumers_of_each_queue(client, worker_factory, probe_queues):
    default = worker_factory(queues="probe-default", extra_env=FAST_BEAT)
    body = wait_for_health(client, lambda status, body: body["queues"]["probe-default"] == "ok")
    assert body["queues"]["probe-training"].startswith("error:")
    assert client.get("/healthz").status_code == 503
    assert WorkerHeartbeat.objects.filter(queue="probe-default").count() == 1

    training = worker_factory(queues="probe-training", extra_env=FAST_BEAT)
    body = wait_for_health(client, lambda status, body: status == 200)
    assert body["worker"] == "ok" and body["queues"] == {"probe-default": "ok", "probe-training": "ok"}

    default.stop()  # a clean stop removes its heartbeat at once
    assert not WorkerHeartbeat.objects.filter(queue="probe-default").exists()
    body = wait_for_health(client, lambda status, body: status == 503)
    assert body["worker"] == "error: no live worker consumes the probe-default queue"

    training.kill()  # SIGKILL: the heartbeat stays but goes stale
    assert WorkerHeartbeat.objects.filter(queue="probe-training").exists()
    body = wait_for_health(client, lambda status, body: body["queues"]["probe-training"] != "ok")
    assert body["queues"]["probe-training"] == "error: no live worker consumes this queue"


def test_a_worker_without_heartbeats_is_found_by_the_broadcast_fallback(client, worker_factory, probe_queues):
    worker_factory(queues="probe-default,probe-training", extra_env={"PORTAL_WORKER_HEARTBEAT_SECONDS": "0"})
    body = wait_for_health(client, lambda status, body: status == 200)
    assert body["queues"] == {"probe-default": "ok", "probe-training": "ok"}
    assert not WorkerHeartbeat.objects.filter(queue__startswith="probe-").exists()
