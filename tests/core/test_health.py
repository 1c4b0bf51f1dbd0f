"""/healthz: database, broker and a live worker per queue, read from the workers' heartbeats.

Tests name their own queues (``PORTAL_HEALTH_QUEUES``) so a worker other tests started for the
real queues cannot make them pass."""

import datetime

import pytest
from django.utils import timezone

from apps.core import heartbeats
from apps.core.health import NO_CONSUMER
from apps.core.models import WorkerHeartbeat
from tests.servers import free_port

QUEUES = ["probe-default", "probe-training"]


@pytest.fixture
def probe_queues(settings):
    settings.PORTAL_HEALTH_QUEUES = QUEUES
    return QUEUES


def beat(hostname: str, queues: list[str], *, ago: float = 0):
    heartbeats.beat(hostname=hostname, queues=queues, started_at=timezone.now())
    if ago:
        WorkerHeartbeat.objects.filter(hostname=hostname).update(
            beat_at=timezone.now() - datetime.timedelta(seconds=ago)
        )


@pytest.mark.django_db
def test_healthy_when_every_queue_has_a_fresh_heartbeat(client, probe_queues):
    beat("a@host", ["probe-default"])
    beat("b@host", ["probe-training", "probe-default"])
    response = client.get("/healthz")
    assert response.status_code == 200, response.json()
    assert response.json() == {
        "database": "ok",
        "broker": "ok",
        "worker": "ok",
        "queues": {"probe-default": "ok", "probe-training": "ok"},
    }


@pytest.mark.django_db
def test_a_queue_without_a_live_consumer_is_a_503_naming_it(client, probe_queues, settings):
    beat("a@host", ["probe-default"])
    beat("b@host", ["probe-training"], ago=settings.PORTAL_WORKER_HEARTBEAT_STALE_SECONDS + 1)
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert (body["database"], body["broker"]) == ("ok", "ok")
    assert body["worker"] == "error: no live worker consumes the probe-training queue"
    assert body["queues"] == {"probe-default": "ok", "probe-training": NO_CONSUMER}


@pytest.mark.django_db
def test_a_worker_forgets_queues_it_stopped_consuming(probe_queues):
    beat("a@host", ["probe-default", "probe-training"])
    beat("a@host", ["probe-default"])
    assert list(WorkerHeartbeat.objects.values_list("queue", flat=True)) == ["probe-default"]
    heartbeats.forget(hostname="a@host")
    assert not WorkerHeartbeat.objects.exists()


@pytest.mark.django_db
def test_broker_failure_is_reported(client, monkeypatch, probe_queues):
    from kombu import Connection

    from portal.celery import app

    monkeypatch.setattr(app, "connection_for_write", lambda: Connection("redis://127.0.0.1:1/0"))
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["broker"].startswith("error:") and body["worker"] == "error: broker unreachable"
    assert body["queues"] == {queue: "error: broker unreachable" for queue in QUEUES}


@pytest.mark.django_db
def test_an_s3_store_is_checked_and_named_when_it_does_not_answer(
    client, probe_queues, s3_platform, settings
):
    beat("a@host", QUEUES)
    response = client.get("/healthz")
    assert response.status_code == 200, response.json()
    assert response.json()["storage"] == "ok"

    missing = s3_platform.entry()
    missing["OPTIONS"] = missing["OPTIONS"] | {"bucket_name": "no-such-bucket"}
    settings.STORAGES = settings.STORAGES | {"platform": missing}
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["storage"].startswith("error: s3://no-such-bucket/")
    assert "404" in response.json()["storage"]

    unreachable = s3_platform.entry()
    unreachable["OPTIONS"] = unreachable["OPTIONS"] | {"endpoint_url": f"http://127.0.0.1:{free_port()}"}
    settings.STORAGES = settings.STORAGES | {"platform": unreachable}
    body = client.get("/healthz").json()
    assert (
        body["storage"].startswith("error: s3://portal-test/")
        and "EndpointConnectionError" in body["storage"]
    )
    assert (body["database"], body["broker"], body["worker"]) == ("ok", "ok", "ok")


@pytest.mark.django_db
def test_a_local_store_has_no_storage_entry(client, probe_queues):
    beat("a@host", QUEUES)
    assert "storage" not in client.get("/healthz").json()
