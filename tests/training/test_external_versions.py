"""Bring your own model: a version trained elsewhere (a skops pipeline or an ONNX graph) is checked
on upload, evaluated on a worker as a job row on the dataset's holdout split with the same baselines
as a portal-trained version, and registered with where it came from."""

import io
import json

import numpy as np
import pytest
import skops.io
from django.core.files.uploadedfile import SimpleUploadedFile
from skl2onnx import to_onnx
from sklearn.compose import ColumnTransformer
from sklearn.ensemble import GradientBoostingClassifier
from sklearn.impute import SimpleImputer
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.model_selection import train_test_split
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from apps.core import storage
from apps.registry.models import ModelVersion
from apps.training import runner, services
from apps.training.models import JobKind, JobStatus, TrainingJob
from tests.registry.factories import RegisteredModelFactory
from tests.training.helpers import tumour_frame

pytestmark = pytest.mark.django_db

NUMERIC = ["mean radius", "mean texture", "mean area"]
FEATURES = [*NUMERIC, "clinic"]


@pytest.fixture
def tumour_model(team):
    return RegisteredModelFactory(owning_team=team, slug="tumour-screening", task="classification")


def notebook_pipeline(estimator=None):
    """What a team fits in its own notebook on its own copy of the data."""
    frame = tumour_frame()
    pre = ColumnTransformer(
        [
            ("numbers", StandardScaler(), NUMERIC),
            (
                "text",
                Pipeline(
                    [
                        ("impute", SimpleImputer(strategy="constant", fill_value="none")),
                        ("onehot", OneHotEncoder(handle_unknown="ignore")),
                    ]
                ),
                ["clinic"],
            ),
        ]
    )
    model = Pipeline(
        [("pre", pre), ("model", LogisticRegression(C=0.5, max_iter=500) if estimator is None else estimator)]
    )
    return model.fit(frame[FEATURES], frame["diagnosis"])


def onnx_classifier():
    frame = tumour_frame()
    values = frame[NUMERIC].to_numpy(np.float32)
    fitted = Pipeline([("scale", StandardScaler()), ("model", LogisticRegression())]).fit(
        values, frame["diagnosis"]
    )
    return fitted, to_onnx(fitted, values[:1], options={"zipmap": False}).SerializeToString()


def upload(data: bytes, name: str):
    return SimpleUploadedFile(name, data, content_type="application/octet-stream")


def submit(api, model, dataset, artefact: bytes, name="model.skops", **fields):
    body = {
        "registered_model": model.slug,
        "dataset_version": dataset.pk,
        "target": "diagnosis",
        "artefact": upload(artefact, name),
        "features": FEATURES,
        "source_repository": "https://git.example.com/oncology/screening",
        "source_commit": "0f3c2a9d1e",
        "training_data": "Clinic extract of 2026-10, de-identified.",
        "framework": "scikit-learn",
        "framework_version": "1.8.0",
        "parameters": json.dumps({"C": 0.5}),
    } | fields
    return api.post("/api/v1/external-versions/", body, format="multipart")


def run(job):
    return runner.execute(job.pk, task_id=job.celery_task_id, worker="pytest")


def test_a_skops_pipeline_is_judged_on_the_same_split_and_baselines_as_a_portal_version(
    api_as, scientist, tumours, tumour_model
):
    response = submit(api_as(scientist), tumour_model, tumours, skops.io.dumps(notebook_pipeline()))
    assert response.status_code == 201, response.json()
    job = TrainingJob.objects.get(pk=response.json()["id"])
    assert (job.kind, job.status, job.cv_folds, job.features) == (JobKind.EVALUATE, "queued", 0, FEATURES)
    assert storage.exists(job.artefact_key) and job.artefact_key.endswith(".skops")
    done = run(job)
    assert done.status == JobStatus.SUCCEEDED, done.error
    version = done.registered_version
    assert version.origin == "external" and version.artefact_key == job.artefact_key
    assert version.source_repository == "https://git.example.com/oncology/screening"
    assert (version.source_commit, version.framework, version.framework_version) == (
        "0f3c2a9d1e",
        "scikit-learn",
        "1.8.0",
    )
    assert version.training_data.startswith("Clinic extract")
    assert version.estimator == "LogisticRegression" and version.parameters == {"C": 0.5}
    assert version.split["seed"] == 42 and version.split["cv_folds"] == 0 and version.split["stratified"]

    # The metrics are the holdout's: reproduce them with the recorded split.
    frame = tumour_frame()
    _, X_holdout, _, y_holdout = train_test_split(
        frame[FEATURES], frame["diagnosis"], test_size=0.2, random_state=42, stratify=frame["diagnosis"]
    )
    accuracy = (notebook_pipeline().predict(X_holdout) == y_holdout).mean()
    assert version.metrics["accuracy"] == round(accuracy, 6)

    # The baselines are exactly a portal-trained job's on the same split (same seed, no folds).
    portal = services.training_job_create(
        actor=scientist,
        data={
            "dataset_version": tumours,
            "target": "diagnosis",
            "features": FEATURES,
            "estimator": "logistic_regression",
            "cv_folds": 0,
        },
        enqueue=False,
    )
    portal = run(portal)
    assert portal.status == JobStatus.SUCCEEDED, portal.error
    assert done.baseline_metrics == portal.baseline_metrics
    assert version.baseline_metrics == portal.baseline_metrics[done.lift["best_baseline"]]

    # It predicts like any version, through the API.
    row = {"mean radius": 20.0, "mean texture": 25.0, "mean area": 1200.0, "clinic": "north"}
    predicted = api_as(scientist).post(
        f"/api/v1/models/{tumour_model.slug}/predict/?version={version.number}",
        {"records": [row]},
        format="json",
    )
    assert predicted.status_code == 200, predicted.json()
    assert predicted.json()["predictions"] == ["malignant"]


def test_an_onnx_graph_is_evaluated_and_predicts_through_onnxruntime(
    api_as, scientist, tumours, tumour_model
):
    fitted, data = onnx_classifier()
    response = submit(
        api_as(scientist), tumour_model, tumours, data, name="model.onnx", features=NUMERIC, framework=""
    )
    assert response.status_code == 201, response.json()
    done = run(TrainingJob.objects.get(pk=response.json()["id"]))
    assert done.status == JobStatus.SUCCEEDED, done.error
    version = done.registered_version
    assert version.artefact_format == "onnx" and version.framework.startswith("skl2onnx")
    assert version.estimator.startswith("ONNX graph (skl2onnx")
    frame = tumour_frame()
    _, X_holdout, _, y_holdout = train_test_split(
        frame[NUMERIC], frame["diagnosis"], test_size=0.2, random_state=42, stratify=frame["diagnosis"]
    )
    accuracy = (fitted.predict(X_holdout.to_numpy(np.float32)) == y_holdout).mean()
    assert version.metrics["accuracy"] == round(accuracy, 6)
    row = {"mean radius": 9.0, "mean texture": 12.0, "mean area": 250.0}
    predicted = api_as(scientist).post(
        f"/api/v1/models/{tumour_model.slug}/predict/?version={version.number}",
        {"records": [row]},
        format="json",
    )
    assert predicted.status_code == 200, predicted.json()
    assert predicted.json()["predictions"] == ["benign"]
    assert predicted.json()["classes"] == ["benign", "malignant"]


def test_a_type_outside_the_trusted_list_is_refused_by_name(api_as, scientist, tumours, tumour_model):
    pipeline = notebook_pipeline(GradientBoostingClassifier(n_estimators=5))
    response = submit(api_as(scientist), tumour_model, tumours, skops.io.dumps(pipeline))
    assert response.status_code == 400
    assert "sklearn.ensemble._gb.GradientBoostingClassifier" in response.json()["artefact"][0]
    assert not TrainingJob.objects.exists() and not ModelVersion.objects.exists()


def test_onnx_inputs_that_do_not_match_the_schema_are_refused(api_as, scientist, tumours, tumour_model):
    _, data = onnx_classifier()  # three numeric columns in one matrix
    response = submit(api_as(scientist), tumour_model, tumours, data, name="model.onnx", features=FEATURES)
    assert response.status_code == 400
    assert "input schema has text columns (clinic)" in response.json()["artefact"][0]
    assert not TrainingJob.objects.exists()


def test_an_artefact_over_the_size_limit_is_refused(api_as, scientist, tumours, tumour_model, settings):
    settings.PORTAL_MAX_ARTEFACT_BYTES = 1024
    response = submit(api_as(scientist), tumour_model, tumours, skops.io.dumps(notebook_pipeline()))
    assert response.status_code == 413
    assert "over the limit of 0.0009765" in json.dumps(response.json())
    assert not TrainingJob.objects.exists()


def test_predictions_of_the_wrong_type_fail_the_job_naming_the_problem(
    api_as, scientist, tumours, team, django_capture_on_commit_callbacks
):
    regression_model = RegisteredModelFactory(owning_team=team, task="regression", primary_metric="r2")
    frame = tumour_frame()
    values = frame[NUMERIC].to_numpy(np.float32)
    # a classifier exported as if it were the regressor: labels, not numbers
    classifier = LogisticRegression().fit(values, frame["diagnosis"])
    regressor = LinearRegression().fit(values, frame["mean perimeter"])
    body = {"target": "mean perimeter", "features": NUMERIC}
    wrong = skops.io.dumps(Pipeline([("model", classifier)]))
    response = submit(api_as(scientist), regression_model, tumours, wrong, **body)
    assert response.status_code == 201, response.json()
    job = TrainingJob.objects.get(pk=response.json()["id"])
    with django_capture_on_commit_callbacks(execute=True):
        failed = run(job)
    assert failed.status == JobStatus.FAILED
    assert failed.error == "A regressor must predict finite numbers; got values of type object."
    assert not storage.exists(job.artefact_key)  # no version, so nothing is kept
    assert not ModelVersion.objects.exists()
    right = submit(
        api_as(scientist), regression_model, tumours, skops.io.dumps(Pipeline([("model", regressor)])), **body
    )
    done = run(TrainingJob.objects.get(pk=right.json()["id"]))
    assert done.status == JobStatus.SUCCEEDED, done.error
    assert done.registered_version.metrics["r2"] > 0.9


def test_classes_that_do_not_cover_the_target_fail_the_job(api_as, scientist, tumours, tumour_model):
    frame = tumour_frame()
    relabelled = np.where(frame["diagnosis"] == "benign", "negative", "positive")
    pipeline = notebook_pipeline()
    pipeline.fit(frame[FEATURES], relabelled)
    response = submit(api_as(scientist), tumour_model, tumours, skops.io.dumps(pipeline))
    failed = run(TrainingJob.objects.get(pk=response.json()["id"]))
    assert failed.status == JobStatus.FAILED
    assert failed.error == (
        "The model's classes (negative, positive) do not include values of the target in the holdout: "
        "benign, malignant."
    )


def test_only_the_owning_team_may_register_a_version(api_as, outsider, tumours, tumour_model):
    response = submit(api_as(outsider), tumour_model, tumours, skops.io.dumps(notebook_pipeline()))
    assert response.status_code == 403
    assert not TrainingJob.objects.exists()


def test_a_file_that_is_no_model_is_refused(api_as, scientist, tumours, tumour_model):
    response = submit(api_as(scientist), tumour_model, tumours, b"not a model at all", name="model.bin")
    assert response.status_code == 400
    assert "not a readable ONNX model" in response.json()["artefact"][0]
    stored = io.BytesIO(skops.io.dumps(notebook_pipeline())).getvalue()
    response = submit(api_as(scientist), tumour_model, tumours, stored, artefact_format="onnx")
    assert response.status_code == 400
    assert response.json()["artefact_format"] == ["The file is not a onnx artefact (it reads as skops)."]
