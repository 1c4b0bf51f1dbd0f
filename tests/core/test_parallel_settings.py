"""Each xdist worker's broker and folders (tests/settings.py): apart from every other worker's."""

import pytest

from tests.settings import isolate_xdist_worker


def test_each_worker_gets_the_next_redis_database_and_folders_of_its_own():
    environ = {
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/3",
        "PORTAL_VAR_DIR": "/srv/portal/var/test",
        "PORTAL_MEDIA_ROOT": "/srv/media",
    }
    isolate_xdist_worker(environ, "gw1")
    assert environ == {
        "CELERY_BROKER_URL": "redis://127.0.0.1:6379/4",
        "PORTAL_VAR_DIR": "/srv/portal/var/test/gw1",
        "PORTAL_MEDIA_ROOT": "/srv/media/gw1",
    }


def test_the_first_worker_keeps_the_configured_database_and_a_url_without_one_means_database_0():
    first, second = {"CELERY_BROKER_URL": "redis://localhost:6379/0"}, {"CELERY_BROKER_URL": "redis://x:1"}
    isolate_xdist_worker(first, "gw0")
    isolate_xdist_worker(second, "gw2")
    assert first["CELERY_BROKER_URL"] == "redis://localhost:6379/0"
    assert second["CELERY_BROKER_URL"] == "redis://x:1/2"
    assert first["PORTAL_VAR_DIR"].endswith("/var/gw0")


def test_the_embedded_broker_lives_in_the_worker_folder_and_other_brokers_are_refused():
    embedded = {"CELERY_BROKER_URL": "filesystem://", "PORTAL_VAR_DIR": "/tmp/v"}
    isolate_xdist_worker(embedded, "gw1")
    assert embedded == {"CELERY_BROKER_URL": "filesystem://", "PORTAL_VAR_DIR": "/tmp/v/gw1"}
    with pytest.raises(RuntimeError, match="parallel tests need Redis or the embedded broker"):
        isolate_xdist_worker({"CELERY_BROKER_URL": "amqp://guest@localhost//"}, "gw1")
