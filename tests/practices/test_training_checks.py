"""Checks that read the training area: re-runs as training jobs, and retraining schedules."""

import pytest
from django.utils import timezone

from apps.practices.checks import CHECKS, Status
from apps.practices.sources import load_facts
from apps.training.models import RetrainingSchedule
from tests.registry.factories import ModelVersionFactory, RegisteredModelFactory
from tests.training.factories import DatasetVersionFactory, TrainingJobFactory

pytestmark = pytest.mark.django_db


def run(code, model):
    facts = load_facts([model.pk])
    return CHECKS[code].function(facts.models[model.pk], facts)


def trained(model, dataset, *, metrics, register=True, **kwargs):
    version = ModelVersionFactory(model=model, dataset_sha256=dataset.sha256) if register else None
    return TrainingJobFactory(
        registered_model=model, registered_version=version, dataset_version=dataset, metrics=metrics, **kwargs
    )


def test_a_training_job_rerun_with_the_same_metrics_makes_training_reproducible():
    model = RegisteredModelFactory()
    dataset = DatasetVersionFactory()
    trained(model, dataset, metrics={"roc_auc": 0.81})
    assert run("training_reproducible", model).status == Status.FAIL  # nothing to compare with yet
    trained(model, dataset, metrics={"roc_auc": 0.81}, register=False)
    trained(model, dataset, metrics={"roc_auc": 0.5}, register=False, seed=7)  # another recipe
    result = run("training_reproducible", model)
    assert result.status == Status.PASS and result.evidence["reruns"] == 1


def test_a_training_job_rerun_with_other_metrics_fails():
    model = RegisteredModelFactory()
    dataset = DatasetVersionFactory()
    trained(model, dataset, metrics={"roc_auc": 0.81})
    trained(model, dataset, metrics={"roc_auc": 0.79}, register=False)
    result = run("training_reproducible", model)
    assert result.status == Status.FAIL
    assert result.evidence["differences"] == {"roc_auc": [0.81, 0.79]}


def test_retraining_scheduled():
    model = RegisteredModelFactory()
    TrainingJobFactory(registered_model=model)  # the training area has data
    assert run("retraining_scheduled", model).status == Status.FAIL
    schedule = RetrainingSchedule.objects.create(
        registered_model=model,
        dataset_team=model.owning_team,
        dataset_name="orders",
        target="y",
        estimator="knn",
        next_run_at=timezone.now(),
    )
    assert run("retraining_scheduled", model).status == Status.PASS
    schedule.enabled = False
    schedule.save()
    assert run("retraining_scheduled", model).status == Status.FAIL
