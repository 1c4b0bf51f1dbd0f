"""Faults a deployment meets, survived: the broker unreachable for a minute while jobs are submitted,
PostgreSQL restarting under a running job. No job stays stuck, no version is registered twice, no
write fails because a message could not be sent."""

import json
import os
import time

import pytest
from django.conf import settings
from django.db import connection

from apps.registry.models import ModelVersion
from apps.training.models import JobStatus, TrainingJob
from apps.training.tasks import recover_stale_jobs
from tests.factories import api_token
from tests.faults import Outage
from tests.registry.factories import RegisteredModelFactory
from tests.training.helpers import tumour_frame, upload_frame
from tests.training.test_worker import SLOW_FOREST, finished, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True), pytest.mark.timeout(600)]

# The fault: a minute without the broker (PORTAL_FAULT_OUTAGE_SECONDS shortens it locally).
OUTAGE_SECONDS = float(os.environ.get("PORTAL_FAULT_OUTAGE_SECONDS", "60"))


@pytest.fixture
def setup(team, scientist):
    dataset = upload_frame(actor=scientist, team=team, frame=tumour_frame())
    return dataset, RegisteredModelFactory(owning_team=team, task="classification")


def call(server, method, path, token=None, body=None):
    connection_ = server.connection(timeout=60)
    headers = {"Content-Type": "application/json"} | ({"Authorization": f"Token {token}"} if token else {})
    connection_.request(method, path, body=json.dumps(body) if body is not None else None, headers=headers)
    response = connection_.getresponse()
    return response.status, json.loads(response.read() or b"{}")


def job_body(dataset, model, **overrides):
    return {
        "dataset_version": dataset.pk,
        "target": "diagnosis",
        "estimator": "hist_gradient_boosting",
        "parameters": {"max_iter": 30},
        "cv_folds": 3,
        "registered_model": model.slug,
    } | overrides


def recovered(job, timeout=300.0):
    """The job once finished, running the recovery every few seconds meanwhile, as beat would."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        recover_stale_jobs.delay()
        job.refresh_from_db()
        if finished(job):
            return job
        time.sleep(3)
    raise AssertionError(f"job {job.pk} stuck: {job.status} {job.progress}% {job.stage} {job.error}")


def test_a_minute_without_the_broker_fails_no_write_and_loses_no_job(
    celery_worker_process, worker_factory, gunicorn_factory, scientist, setup
):
    dataset, model = setup
    relay, broker_url = Outage.in_front_of(settings.CELERY_BROKER_URL)
    celery_worker_process.stop()  # only processes behind the relay serve this test
    try:
        through_relay = {"CELERY_BROKER_URL": broker_url, "PORTAL_TRAINING_STALE_AFTER_SECONDS": "5"}
        worker_factory(extra_env=through_relay)
        server = gunicorn_factory(extra_env=through_relay)
        token = api_token(scientist)
        relay.down()
        started = time.monotonic()
        status, body = call(server, "POST", "/api/v1/training-jobs/", token, job_body(dataset, model))
        assert status == 201, body  # the job is a row: the write succeeds, the message waits
        job = TrainingJob.objects.get(pk=body["id"])
        assert job.status == JobStatus.QUEUED
        status, health = call(server, "GET", "/healthz")
        assert status == 503 and health["broker"].startswith("error"), health
        time.sleep(max(OUTAGE_SECONDS - (time.monotonic() - started), 0))
        relay.up()
        job = recovered(job)
        assert job.status == JobStatus.SUCCEEDED, job.error
        assert ModelVersion.objects.filter(source_key=f"training-job:{job.pk}").count() == 1
        status, health = call(server, "GET", "/healthz")
        assert health["broker"] == "ok", health
    finally:
        relay.down()
        celery_worker_process.start()


def test_a_postgresql_restart_during_a_job_leaves_it_neither_stuck_nor_doubled(
    celery_worker_process, worker_factory, api_as, scientist, setup
):
    """What a restart looks like to the worker: every connection it holds is closed under it."""
    dataset, model = setup
    celery_worker_process.stop()
    try:
        worker_factory(extra_env={"PORTAL_TRAINING_STALE_AFTER_SECONDS": "5"})
        response = api_as(scientist).post(
            "/api/v1/training-jobs/", job_body(dataset, model, **SLOW_FOREST), format="json"
        )
        assert response.status_code == 201, response.json()
        job = TrainingJob.objects.get(pk=response.json()["id"])
        wait_for(job, lambda j: j.status == JobStatus.RUNNING and j.progress >= 20)
        with connection.cursor() as cursor:
            cursor.execute(
                "SELECT count(pg_terminate_backend(pid)) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
            assert cursor.fetchone()[0] >= 1
        job = recovered(job)
        assert job.status == JobStatus.SUCCEEDED, job.error
        assert ModelVersion.objects.filter(source_key=f"training-job:{job.pk}").count() == 1
    finally:
        celery_worker_process.start()
