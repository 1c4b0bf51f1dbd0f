"""A team brings a model trained in its own notebook: it registers the ONNX file with the installed
`portal` command, the real worker judges it against the baselines on the dataset's holdout split,
and the team promotes it and predicts with it. Real processes throughout."""

import numpy as np
import pytest
import skops.io
from skl2onnx import to_onnx
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline
from sklearn.preprocessing import StandardScaler

from apps.registry.models import ModelVersion, Stage
from apps.teams.models import Team
from apps.training.models import JobKind, JobStatus, TrainingJob
from tests.client.test_cli import lead  # noqa: F401 - the fixture
from tests.client.test_end_to_end import portal
from tests.factories import api_token
from tests.registry.factories import RegisteredModelFactory
from tests.training.helpers import tumour_frame

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True), pytest.mark.timeout(600)]
NUMERIC = ["mean radius", "mean texture", "mean area"]


def register(live_server, token, artefact, dataset_id, *extra):
    return portal(
        live_server,
        token,
        "versions",
        "register",
        "tumour-notebook",
        str(artefact),
        "--dataset",
        str(dataset_id),
        "--target",
        "diagnosis",
        *[option for name in NUMERIC for option in ("--feature", name)],
        *extra,
    )


def upload_tumours(live_server, token, tmp_path):
    """The evaluation dataset, uploaded with the client, and the model the team registers versions of."""
    frame = tumour_frame()
    data = tmp_path / "tumours.csv"
    frame.to_csv(data, index=False)
    code, dataset, stderr = portal(
        live_server, token, "datasets", "upload", str(data), "--team", "checkout-ml", "--name", "tumours"
    )
    assert code == 0, stderr
    RegisteredModelFactory(slug="tumour-notebook", owning_team=Team.objects.get(slug="checkout-ml"))
    return frame, dataset


def test_a_notebook_model_is_registered_judged_promoted_and_served(
    celery_worker_process,
    live_server,
    lead,  # noqa: F811
    tmp_path,
):
    token = api_token(lead)
    frame, dataset = upload_tumours(live_server, token, tmp_path)

    # the notebook
    values = frame[NUMERIC].to_numpy(np.float32)
    fitted = Pipeline([("scale", StandardScaler()), ("model", LogisticRegression(C=2.0))]).fit(
        values, frame["diagnosis"]
    )
    artefact = tmp_path / "tumours.onnx"
    artefact.write_bytes(to_onnx(fitted, values[:1], options={"zipmap": False}).SerializeToString())

    code, job, stderr = register(
        live_server,
        token,
        artefact,
        dataset["id"],
        "--repository",
        "https://git.example.com/oncology/notebooks",
        "--commit",
        "9b1e4f2",
        "--param",
        "C=2.0",
        "--training-data",
        "Our own copy of the tumour extract.",
    )
    assert code == 0, stderr
    assert job["kind"] == "evaluate" and job["status"] == JobStatus.SUCCEEDED
    row = TrainingJob.objects.get(pk=job["id"])
    assert row.kind == JobKind.EVALUATE and row.worker  # it ran on the worker
    assert set(row.baseline_metrics) == {"dummy", "one_rule"}
    assert row.lift["absolute"] > 0  # it beats its simplest alternative
    version = ModelVersion.objects.get(
        model__slug="tumour-notebook", number=job["registered_version"]["number"]
    )
    assert version.origin == "external" and version.artefact_format == "onnx"
    assert (version.source_repository, version.source_commit) == (
        "https://git.example.com/oncology/notebooks",
        "9b1e4f2",
    )
    assert version.parameters == {"C": 2.0} and version.framework.startswith("skl2onnx")

    code, _, stderr = portal(
        live_server,
        token,
        "promote",
        "tumour-notebook",
        str(version.number),
        "--to",
        "staging",
        "--reason",
        "CI",
    )
    assert code == 0, stderr
    version.refresh_from_db()
    assert version.stage == Stage.STAGING

    rows = tmp_path / "rows.csv"
    frame[NUMERIC].head(5).to_csv(rows, index=False)
    code, result, stderr = portal(
        live_server, token, "predict", "tumour-notebook", str(rows), "--version", str(version.number)
    )
    assert code == 0, stderr
    assert result["predictions"] == fitted.predict(values[:5]).tolist()


def test_an_evaluation_that_fails_is_exit_code_3_and_a_refusal_exit_code_1(
    celery_worker_process,
    live_server,
    lead,  # noqa: F811
    tmp_path,
):
    token = api_token(lead)
    frame, dataset = upload_tumours(live_server, token, tmp_path)
    relabelled = np.where(frame["diagnosis"] == "benign", "no", "yes")
    pipeline = Pipeline([("scale", StandardScaler()), ("model", LogisticRegression())])
    artefact = tmp_path / "relabelled.skops"
    artefact.write_bytes(skops.io.dumps(pipeline.fit(frame[NUMERIC], relabelled)))

    code, job, stderr = register(live_server, token, artefact, dataset["id"])
    assert code == 3, stderr
    assert "do not include values of the target" in TrainingJob.objects.get(kind="evaluate").error
    assert not ModelVersion.objects.exists()

    code, _, stderr = register(live_server, token, artefact, dataset["id"], "--feature", "shoe size")
    assert code == 1
    assert "Not columns of tumours v1: shoe size" in stderr
    assert TrainingJob.objects.count() == 1
