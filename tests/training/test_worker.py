"""Training jobs through a real Celery worker process on the real broker and test database."""

import time

import numpy as np
import pandas as pd
import pytest

from apps.core.threads import available_cores
from apps.registry.models import ModelVersion
from apps.training.models import JobStatus, TrainingJob
from apps.training.tasks import recover_stale_jobs, run_training_job
from portal.celery import app
from tests.registry.factories import RegisteredModelFactory
from tests.training.helpers import tumour_frame, upload_frame

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]

SLOW_FOREST = {"estimator": "random_forest", "parameters": {"n_estimators": 400}, "cv_folds": 10}


def wait_for(row, condition, *, timeout=120.0, interval=0.2):
    """Re-read ``row`` until ``condition(row)`` holds (a job, or a row that follows a job's events)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        row.refresh_from_db()
        if condition(row):
            return row
        time.sleep(interval)
    if isinstance(row, TrainingJob):
        raise AssertionError(f"job {row.pk} stuck: {row.status} {row.progress}% {row.stage} {row.error}")
    raise AssertionError(f"{row!r} did not reach the expected state within {timeout} s")


def finished(job):
    return job.status not in (JobStatus.QUEUED, JobStatus.RUNNING)


@pytest.fixture
def setup(team, scientist):
    dataset = upload_frame(actor=scientist, team=team, frame=tumour_frame())
    model = RegisteredModelFactory(owning_team=team, task="classification")
    return dataset, model


def submit(api_as, user, dataset, model, **overrides):
    body = {
        "dataset_version": dataset.pk,
        "target": "diagnosis",
        "estimator": "hist_gradient_boosting",
        "parameters": {"max_iter": 30},
        "cv_folds": 3,
        "registered_model": model.slug,
    } | overrides
    response = api_as(user).post("/api/v1/training-jobs/", body, format="json")
    assert response.status_code == 201, response.json()
    return TrainingJob.objects.get(pk=response.json()["id"])


def test_a_job_runs_through_the_worker_and_registers_a_version(
    celery_worker_process, api_as, scientist, setup
):
    dataset, model = setup
    job = submit(api_as, scientist, dataset, model)
    seen = set()
    wait_for(job, lambda j: seen.add(j.progress) or finished(j))
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.worker.startswith("test-") and job.attempts == 1
    assert len(seen) > 2 and max(seen) == 100  # progress was reported stage by stage
    version = ModelVersion.objects.get(source_key=f"training-job:{job.pk}")
    assert job.registered_version == version and version.metrics == job.metrics
    body = api_as(scientist).get(f"/api/v1/training-jobs/{job.pk}/").json()
    assert body["progress"] == 100 and body["registered_version"]["number"] == version.number
    assert body["metrics"]["roc_auc"] > body["baseline_metrics"]["dummy"]["roc_auc"]


def test_a_redelivered_message_never_registers_a_second_version(
    celery_worker_process, api_as, scientist, setup
):
    dataset, model = setup
    job = wait_for(submit(api_as, scientist, dataset, model), finished)
    first = job.registered_version
    # As if the worker died after registering, before recording success: the same message comes back.
    TrainingJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, registered_version=None)
    run_training_job.apply_async(args=[job.pk], task_id=job.celery_task_id)
    job = wait_for(job, lambda j: j.status == JobStatus.SUCCEEDED and j.attempts == 2)
    assert job.registered_version == first
    assert ModelVersion.objects.filter(model=model).count() == 1


def test_cancelling_a_running_job_stops_the_worker_between_stages(
    celery_worker_process, api_as, scientist, setup
):
    dataset, model = setup
    job = submit(api_as, scientist, dataset, model, **SLOW_FOREST)
    wait_for(job, lambda j: j.status == JobStatus.RUNNING and j.progress >= 20)
    response = api_as(scientist).post(f"/api/v1/training-jobs/{job.pk}/cancel/")
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    # The worker notices at its next stage and is free again: a quick job now runs to the end.
    quick = wait_for(submit(api_as, scientist, dataset, model), finished)
    assert quick.status == JobStatus.SUCCEEDED
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED and job.registered_version is None
    assert not ModelVersion.objects.filter(source_key=f"training-job:{job.pk}").exists()
    again = api_as(scientist).post(f"/api/v1/training-jobs/{job.pk}/cancel/")
    assert again.status_code == 409 and again.json()["allowed"] == ["queued", "running"]


def test_the_time_limit_fails_the_job_with_a_clear_message(celery_worker_process, api_as, scientist, setup):
    dataset, model = setup
    job = submit(api_as, scientist, dataset, model, time_limit_seconds=2, **SLOW_FOREST)
    job = wait_for(job, finished, timeout=60)
    assert job.status == JobStatus.FAILED
    assert "ran longer than its time limit of 2 s" in job.error
    assert job.registered_version is None


def test_a_killed_worker_leaves_no_job_running_forever(
    session_worker_aside, worker_factory, api_as, scientist, setup
):
    """Only the workers under test may take the job."""
    dataset, model = setup
    victim = worker_factory(queues="training")
    job = submit(api_as, scientist, dataset, model, **SLOW_FOREST)
    wait_for(job, lambda j: j.status == JobStatus.RUNNING and j.progress >= 20)
    victim.kill()
    time.sleep(3)
    job.refresh_from_db()
    assert job.status == JobStatus.RUNNING  # nobody will finish it...
    # ...until the periodic recovery task, run by a healthy worker, sees its heartbeat is stale.
    rescuer = worker_factory(extra_env={"PORTAL_TRAINING_STALE_AFTER_SECONDS": "2"})
    recover_stale_jobs.delay()
    job = wait_for(job, finished, timeout=180)
    assert job.status == JobStatus.SUCCEEDED, job.error
    assert job.attempts == 2
    assert any("requeued" in line for line in job.log)
    assert ModelVersion.objects.filter(source_key=f"training-job:{job.pk}").count() == 1
    rescuer.stop()


def test_cancelling_interrupts_a_long_fit_at_once(celery_worker_process, api_as, team, scientist):
    rng = np.random.default_rng(0)
    frame = pd.DataFrame(rng.normal(size=(20_000, 10)), columns=[f"x{i}" for i in range(10)])
    frame["label"] = np.where(frame["x0"] + rng.normal(size=20_000) > 0, "yes", "no")
    dataset = upload_frame(actor=scientist, team=team, frame=frame, name="wide")
    body = {
        "dataset_version": dataset.pk,
        "target": "label",
        "estimator": "random_forest",
        "parameters": {"n_estimators": 1000, "max_features": 1.0},  # one fit of a minute or more
        "cv_folds": 0,
    }
    client = api_as(scientist)
    job = TrainingJob.objects.get(pk=client.post("/api/v1/training-jobs/", body, format="json").json()["id"])
    wait_for(job, lambda j: j.stage == "Fitting on the training split")
    assert client.post(f"/api/v1/training-jobs/{job.pk}/cancel/").status_code == 200
    inspector = app.control.inspect(timeout=1)
    # The pool process was signalled mid-fit: the worker is idle again long before the fit could end.
    deadline = time.monotonic() + 20
    while time.monotonic() < deadline and any((inspector.active() or {}).values()):
        time.sleep(0.5)
    assert not any((inspector.active() or {}).values())
    job.refresh_from_db()
    assert job.status == JobStatus.CANCELLED and job.registered_version is None


@pytest.mark.parametrize("concurrency", [1, 2])
def test_each_pool_process_trains_on_its_share_of_the_cores(
    session_worker_aside, worker_factory, api_as, scientist, setup, concurrency
):
    """Two pool processes on two cores run one OpenMP thread each, not two each (oversubscription made
    a 0.3 s fit take a minute); the job's log says how many it used. Only the worker under test may
    take the job."""
    dataset, model = setup
    # As on a machine with no OMP_NUM_THREADS set: OpenMP would start one thread per core.
    worker_factory(
        queues="training", concurrency=concurrency, extra_env={"OMP_NUM_THREADS": str(available_cores())}
    )
    job = wait_for(submit(api_as, scientist, dataset, model), finished)
    assert job.status == JobStatus.SUCCEEDED, job.error
    share = max(1, available_cores() // concurrency)
    expected = f"training on {share} CPU thread{'s' if share > 1 else ''}."
    assert any(expected in line for line in job.log), job.log
