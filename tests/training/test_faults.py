"""Faults a training job survives, with real components: a PostgreSQL restart and a broker outage
while a job runs (a SIGKILLed worker is in test_worker.py). No job is left stuck, none registers a
second version, none is half-written. The servers restarted here are the test's own
(tests/private_services.py), never the machine's shared ones."""

import pytest

from apps.registry.models import ModelVersion
from apps.training.models import JobStatus
from tests.registry.factories import RegisteredModelFactory
from tests.training.helpers import tumour_frame, upload_frame
from tests.training.test_worker import SLOW_FOREST, finished, submit, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True), pytest.mark.timeout(900)]


@pytest.fixture
def suite_worker_stopped(celery_worker_process):
    """The suite's worker takes no job while the test runs its own (started again afterwards, once
    the test database is back where it was)."""
    celery_worker_process.stop()
    yield
    celery_worker_process.start()


def test_a_postgresql_restart_mid_job_leaves_no_job_stuck_and_one_version(
    suite_worker_stopped, private_postgres, worker_factory, api_as, team, scientist
):
    dataset = upload_frame(actor=scientist, team=team, frame=tumour_frame())
    model = RegisteredModelFactory(owning_team=team, task="classification")
    worker_factory(queues="default,training")
    job = submit(api_as, scientist, dataset, model, **SLOW_FOREST)
    wait_for(job, lambda j: j.status == JobStatus.RUNNING and j.progress >= 20)
    private_postgres.restart()  # every open session ends; the worker's next write finds it gone
    job = wait_for(job, finished, timeout=600)
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.attempts == 1  # it went on where it was, nothing redone
    assert ModelVersion.objects.filter(model=model).count() == 1
    assert job.registered_version == ModelVersion.objects.get(source_key=f"training-job:{job.pk}")
