"""A successful job registers one candidate version with full lineage; predictions work on it; a
redelivered job gets the same version back (source_key)."""

import importlib.metadata
import math
import subprocess

import pytest
import sklearn
from sklearn.metrics import accuracy_score
from sklearn.model_selection import train_test_split

from apps.core import storage
from apps.registry.artefacts import load_pipeline
from apps.registry.models import ModelVersion, RegisteredModel
from apps.registry.prediction import predict
from apps.training import runner, services
from apps.training.models import JobStatus, TrainingJob
from tests.registry.factories import RegisteredModelFactory
from tests.training.helpers import tumour_frame

pytestmark = pytest.mark.django_db


@pytest.fixture
def tumour_model(team):
    return RegisteredModelFactory(owning_team=team, slug="tumour-screening", task="classification")


def run(job):
    return runner.execute(job.pk, task_id=job.celery_task_id, worker="pytest")


def test_success_registers_a_candidate_with_full_lineage(tumours, scientist, tumour_model):
    job = services.training_job_create(
        actor=scientist,
        data={
            "dataset_version": tumours,
            "target": "diagnosis",
            "features": ["mean radius", "mean texture", "clinic", "smoker"],
            "estimator": "logistic_regression",
            "cv_folds": 3,
            "registered_model": tumour_model,
        },
    )
    done = run(job)
    assert done.status == JobStatus.SUCCEEDED, done.error
    version = done.registered_version
    assert version.model == tumour_model and version.stage == "candidate"
    assert version.source_key == f"training-job:{job.pk}"
    assert (version.dataset_name, version.dataset_version, version.dataset_sha256) == (
        "tumours",
        1,
        tumours.sha256,
    )
    assert version.input_schema == [
        {"name": "mean radius", "type": "number"},
        {"name": "mean texture", "type": "number"},
        {"name": "clinic", "type": "string"},
        {"name": "smoker", "type": "boolean"},
    ]
    assert (
        version.estimator == "logistic_regression" and version.parameters["C"] if version.parameters else True
    )
    head = subprocess.run(
        ["git", "rev-parse", "HEAD"], capture_output=True, text=True, check=True
    ).stdout.strip()
    assert version.code_commit == head  # the full commit, as the README says
    assert version.package_version == importlib.metadata.version("ml-portal")
    assert version.library_versions["scikit-learn"] == sklearn.__version__
    assert version.code_version == f"ml-portal {version.package_version} @ {head[:12]}"
    assert version.split == {
        "target": "diagnosis",
        "rows": tumours.row_count,
        "holdout_rows": math.ceil(0.2 * tumours.row_count),
        "seed": 42,
        "holdout_share": 0.2,
        "stratified": True,
        "cv_folds": 3,
        "cv_stratified": True,
    }
    assert version.metrics == done.metrics
    # Anyone can reproduce the holdout metric outside the portal from the recorded split.
    frame = tumour_frame()
    X, y = frame[version.features], frame["diagnosis"]
    _, X_holdout, _, y_holdout = train_test_split(
        X, y, test_size=version.split["holdout_share"], random_state=version.split["seed"], stratify=y
    )
    X_holdout = X_holdout.assign(smoker=X_holdout["smoker"].map({"true": 1.0, "false": 0.0}))
    pipeline = load_pipeline(version)
    assert round(accuracy_score(y_holdout, pipeline.predict(X_holdout)), 6) == version.metrics["accuracy"]
    best = done.lift["best_baseline"]
    assert version.baseline_metrics == done.baseline_metrics[best]
    assert storage.exists(version.artefact_key) and len(version.artefact_sha256) == 64

    result = predict(
        version=version,
        records=[
            {"mean radius": 20.0, "mean texture": 25.0, "clinic": "north", "smoker": True},
            {"mean radius": 9.0, "mean texture": 12.0, "clinic": "east", "smoker": False},
        ],
    )
    assert result["predictions"] == ["malignant", "benign"]


def test_redelivery_after_registration_returns_the_same_version(tumours, scientist, tumour_model):
    job = services.training_job_create(
        actor=scientist,
        data={
            "dataset_version": tumours,
            "target": "diagnosis",
            "estimator": "knn",
            "registered_model": tumour_model,
        },
    )
    first = run(job).registered_version
    # The worker died after registering but before recording success: the broker redelivers.
    TrainingJob.objects.filter(pk=job.pk).update(status=JobStatus.RUNNING, registered_version=None)
    again = run(job)
    assert again.status == JobStatus.SUCCEEDED and again.attempts == 2
    assert again.registered_version == first
    assert ModelVersion.objects.filter(model=tumour_model).count() == 1


def test_a_new_model_can_be_created_from_the_job(tumours, team_lead):
    job = services.training_job_create(
        actor=team_lead,
        data={
            "dataset_version": tumours,
            "target": "diagnosis",
            "estimator": "random_forest",
            "parameters": {"n_estimators": 20},
            "new_model": {"name": "Tumour triage", "slug": "tumour-triage"},
        },
    )
    model = RegisteredModel.objects.get(slug="tumour-triage")
    assert (
        job.registered_model == model and model.task == "classification" and model.owning_team == tumours.team
    )
    assert run(job).registered_version.model == model


def test_a_model_of_the_other_task_is_refused(tumours, scientist, team):
    regression_model = RegisteredModelFactory(owning_team=team, task="regression", primary_metric="r2")
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError, match="regression model"):
        services.training_job_create(
            actor=scientist,
            data={
                "dataset_version": tumours,
                "target": "diagnosis",
                "estimator": "knn",
                "registered_model": regression_model,
            },
        )


def test_new_model_errors_are_named_under_new_model(tumours, team_lead, tumour_model):
    from django.core.exceptions import ValidationError

    with pytest.raises(ValidationError) as caught:
        services.training_job_create(
            actor=team_lead,
            data={
                "dataset_version": tumours,
                "target": "diagnosis",
                "estimator": "knn",
                "new_model": {"name": "Another", "slug": tumour_model.slug},
            },
        )
    assert any(message.startswith("slug:") for message in caught.value.message_dict["new_model"])
    assert not TrainingJob.objects.exists()


def test_version_links_its_training_job_on_the_model_page_and_in_the_api(
    tumours, scientist, tumour_model, api_as, client, browser_login
):
    job = services.training_job_create(
        actor=scientist,
        data={
            "dataset_version": tumours,
            "target": "diagnosis",
            "estimator": "logistic_regression",
            "cv_folds": 0,
            "registered_model": tumour_model,
        },
    )
    version = run(job).registered_version
    body = api_as(scientist).get(f"/api/v1/models/{tumour_model.slug}/versions/{version.number}/").json()
    assert body["training_job"] == job.pk
    assert body["training_job_url"] == f"http://testserver/api/v1/training-jobs/{job.pk}/"
    browser_login(client, scientist)
    page = client.get(tumour_model.get_absolute_url()).content.decode()
    assert f'href="{job.get_absolute_url()}"' in page
