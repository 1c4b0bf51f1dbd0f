import pytest

from apps.core import health


@pytest.mark.django_db
def test_healthz_names_what_is_down(client, monkeypatch):
    monkeypatch.setattr(health, "check_worker", lambda timeout=2.0: "error: no worker answered a ping")
    response = client.get("/healthz")
    assert response.status_code == 503
    body = response.json()
    assert body["database"] == "ok"
    assert body["broker"] == "ok"
    assert body["worker"] == "error: no worker answered a ping"


@pytest.mark.django_db
def test_broker_failure_is_reported(client, monkeypatch):
    from kombu import Connection

    from portal.celery import app

    monkeypatch.setattr(app, "connection_for_write", lambda: Connection("redis://127.0.0.1:1/0"))
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["broker"].startswith("error:")
