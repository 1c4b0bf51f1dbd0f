"""The real stack end to end: a worker process, the configured broker, the test database."""

import pytest

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_healthz_all_ok_with_a_live_worker(client, celery_worker_process):
    response = client.get("/healthz")
    assert response.status_code == 200, response.json()
    body = response.json()
    assert (body["database"], body["broker"], body["worker"]) == ("ok", "ok", "ok")
    assert body["queues"] == {"default": "ok", "training": "ok"}
