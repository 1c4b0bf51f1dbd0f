"""Training jobs without a worker process: validation, permissions, the claim and recovery rules, and
an in-process run (the Celery task calls the same ``runner.execute``)."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from apps.core.exceptions import Conflict
from apps.training import engine, runner, services
from apps.training.models import JobStatus, TrainingJob

pytestmark = pytest.mark.django_db


def job_data(dataset, **overrides):
    return {
        "dataset_version": dataset,
        "target": "diagnosis",
        "estimator": "logistic_regression",
        "parameters": {"C": 0.5},
        "cv_folds": 3,
    } | overrides


def test_create_defaults_features_and_infers_the_task(tumours, scientist):
    job = services.training_job_create(actor=scientist, data=job_data(tumours))
    assert job.status == JobStatus.QUEUED and job.celery_task_id
    assert job.features == [name for name in tumours.column_names if name != "diagnosis"]
    assert (job.task, job.task_inferred) == ("classification", True)
    assert job.parameters == {"C": 0.5}
    assert job.time_limit_seconds == 1800


@pytest.mark.parametrize(
    ("overrides", "field", "message"),
    [
        ({"target": "nope"}, "target", "Choose a column"),
        ({"features": ["mean radius", "ghost"]}, "features", "Not columns of tumours v1: ghost"),
        ({"features": ["diagnosis"]}, "features", "cannot also be a feature"),
        ({"task": "regression"}, "task", "regression needs numbers"),
        ({"task": "clustering"}, "task", "Unknown task"),
        ({"estimator": "ridge"}, "estimator", "does not do classification"),
        ({"parameters": {"C": -1}}, "parameters", "C: must be between"),
        ({"parameters": {"penalty": "l1"}}, "parameters", "Unknown parameter 'penalty'"),
        ({"cv_folds": 1}, "cv_folds", "Use 0 (holdout only) or between 2 and 20"),
        ({"holdout_share": 0.9}, "holdout_share", "between 0.05 and 0.5"),
        ({"search_budget": 1000}, "search_budget", "between 0 and 100"),
        ({"time_limit_seconds": 0}, "time_limit_seconds", "between 1 and"),
    ],
)
def test_bad_job_settings_are_refused_per_field(tumours, scientist, overrides, field, message):
    with pytest.raises(ValidationError) as caught:
        services.training_job_create(actor=scientist, data=job_data(tumours, **overrides))
    assert message in " ".join(caught.value.message_dict[field])
    assert not TrainingJob.objects.exists()


def test_only_members_or_staff_train_and_cancel(tumours, scientist, outsider, staff_user):
    with pytest.raises(PermissionDenied):
        services.training_job_create(actor=outsider, data=job_data(tumours))
    job = services.training_job_create(actor=staff_user, data=job_data(tumours))
    with pytest.raises(PermissionDenied):
        services.training_job_cancel(actor=outsider, job=job)
    assert services.training_job_cancel(actor=scientist, job=job).status == JobStatus.CANCELLED


def test_cancel_is_a_conflict_once_finished(tumours, scientist):
    job = services.training_job_create(actor=scientist, data=job_data(tumours))
    services.training_job_cancel(actor=scientist, job=job)
    with pytest.raises(Conflict) as caught:
        services.training_job_cancel(actor=scientist, job=job)
    assert caught.value.allowed == ["queued", "running"]
    assert "cancelled" in caught.value.message


def test_in_process_run_without_a_model_records_metrics_progress_and_timings(tumours, scientist):
    job = services.training_job_create(actor=scientist, data=job_data(tumours))
    done = runner.execute(job.pk, task_id=job.celery_task_id, worker="pytest")
    assert done.status == JobStatus.SUCCEEDED, done.error
    assert done.progress == 100 and done.stage == "Done" and done.attempts == 1
    assert set(done.baseline_metrics) == {"dummy", "one_rule"}
    assert done.metrics["roc_auc"] > done.baseline_metrics["one_rule"]["roc_auc"]
    assert done.lift["absolute"] > 0 and done.registered_version is None
    assert "Cross-validation: fold 3 of 3" in done.timings
    assert any("Succeeded" in line for line in done.log)
    assert done.started_at <= done.finished_at
    # A second delivery of the same message finds nothing to do.
    assert runner.execute(job.pk, task_id=job.celery_task_id) is None


def test_each_stage_is_charged_the_time_it_spent(tumours, scientist, monkeypatch):
    """Every fit runs while its own stage is the one being timed: a fold's fitting is charged to that
    fold, not to the stage reported before it."""
    job = services.training_job_create(actor=scientist, data=job_data(tumours, cv_folds=3))
    stages_at_fit = []
    reporter_class, fit_all = runner.Reporter, engine._fit_all

    class Recording(reporter_class):
        def __init__(self, job):
            super().__init__(job)
            Recording.current = self

    def recorded_fit(*args, **kwargs):
        stages_at_fit.append(Recording.current.stage)
        return fit_all(*args, **kwargs)

    monkeypatch.setattr(runner, "Reporter", Recording)
    monkeypatch.setattr(engine, "_fit_all", recorded_fit)
    done = runner.execute(job.pk, task_id=job.celery_task_id, worker="pytest")
    assert done.status == JobStatus.SUCCEEDED, done.error
    assert stages_at_fit == [
        "Cross-validation: fold 1 of 3",
        "Cross-validation: fold 2 of 3",
        "Cross-validation: fold 3 of 3",
        "Fitting on the training split",
    ]
    assert set(done.timings) >= {"Loading the data", "Split the data", *stages_at_fit}


def test_a_job_that_raises_fails_with_the_error_in_plain_words(tumours, scientist):
    job = services.training_job_create(actor=scientist, data=job_data(tumours))
    TrainingJob.objects.filter(pk=job.pk).update(
        target="clinic"
    )  # now a column with too few rows? no: 3 classes
    tumours.storage_key = "datasets/0/missing.csv"
    tumours.save()
    done = runner.execute(job.pk, task_id=job.celery_task_id)
    assert done.status == JobStatus.FAILED
    assert done.error.startswith("Training failed at 'Loading the data'")
    assert "datasets/0/missing.csv is missing from platform storage" in done.error


def test_cancellation_is_honoured_between_stages(tumours, scientist, monkeypatch):
    job = services.training_job_create(actor=scientist, data=job_data(tumours, cv_folds=5))
    original = services.job_report

    def cancel_at_fold_two(*, job, progress, stage, line=None):
        if stage.startswith("Cross-validation: fold 2"):
            services.training_job_cancel(actor=scientist, job=job)
        return original(job=job, progress=progress, stage=stage, line=line)

    monkeypatch.setattr(services, "job_report", cancel_at_fold_two)
    done = runner.execute(job.pk, task_id=job.celery_task_id)
    assert done.status == JobStatus.CANCELLED
    assert done.metrics == {} and done.progress < 100


def test_a_superseded_delivery_does_nothing(tumours, scientist):
    job = services.training_job_create(actor=scientist, data=job_data(tumours))
    assert services.job_claim(job_id=job.pk, task_id="an-old-message", worker="w") is None
    assert TrainingJob.objects.get(pk=job.pk).status == JobStatus.QUEUED


def test_redelivery_after_a_dead_worker_is_a_new_attempt_until_the_limit(tumours, scientist, settings):
    settings.TRAINING_MAX_ATTEMPTS = 2
    job = services.training_job_create(actor=scientist, data=job_data(tumours))
    first = services.job_claim(job_id=job.pk, task_id=job.celery_task_id, worker="w1")
    second = services.job_claim(job_id=job.pk, task_id=job.celery_task_id, worker="w2")
    assert (first.attempts, second.attempts) == (1, 2)
    assert services.job_claim(job_id=job.pk, task_id=job.celery_task_id, worker="w3") is None
    job.refresh_from_db()
    assert job.status == JobStatus.FAILED and "Gave up after 2 attempts" in job.error


def test_recovery_requeues_silent_jobs_with_a_new_task_id_then_fails_them(tumours, scientist, settings):
    settings.TRAINING_MAX_ATTEMPTS = 2
    job = services.training_job_create(actor=scientist, data=job_data(tumours))
    services.job_claim(job_id=job.pk, task_id=job.celery_task_id, worker="w1")
    later = timezone.now() + datetime.timedelta(minutes=10)
    assert services.jobs_recover_stale(now=later, stale_after=120) == {
        "requeued": [job.pk],
        "failed": [],
        "resent": [],
    }
    requeued = TrainingJob.objects.get(pk=job.pk)
    assert requeued.status == JobStatus.QUEUED and requeued.celery_task_id != job.celery_task_id
    assert services.job_claim(job_id=job.pk, task_id=job.celery_task_id, worker="old") is None
    services.job_claim(job_id=job.pk, task_id=requeued.celery_task_id, worker="w2")
    assert services.jobs_recover_stale(now=later + datetime.timedelta(minutes=10), stale_after=120) == {
        "requeued": [],
        "failed": [job.pk],
        "resent": [],
    }
    failed = TrainingJob.objects.get(pk=job.pk)
    assert failed.status == JobStatus.FAILED and "giving up" in failed.error


def test_fresh_running_jobs_are_left_alone(tumours, scientist):
    job = services.training_job_create(actor=scientist, data=job_data(tumours))
    services.job_claim(job_id=job.pk, task_id=job.celery_task_id, worker="w1")
    assert services.jobs_recover_stale(stale_after=120) == {"requeued": [], "failed": [], "resent": []}
