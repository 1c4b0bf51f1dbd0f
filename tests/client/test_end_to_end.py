"""A team's pipeline with the installed `portal` command, as a CI job would run it: upload a dataset,
train on the real worker while following its progress, promote, predict. Real processes throughout."""

import json
import subprocess
import sys
from pathlib import Path

import pytest

from apps.registry.models import ModelVersion, Stage
from apps.training.models import DatasetVersion, JobStatus, TrainingJob
from tests.client.test_cli import lead  # noqa: F401 - the fixture
from tests.factories import api_token
from tests.training.helpers import tumour_frame

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True), pytest.mark.timeout(600)]
PORTAL = str(Path(sys.executable).with_name("portal"))


def portal(live_server, token, *args):
    done = subprocess.run(
        [PORTAL, "--url", live_server.url, "--token", token, "--json", *args],
        capture_output=True,
        text=True,
        timeout=300,
    )
    return done.returncode, (json.loads(done.stdout) if done.stdout.strip() else None), done.stderr


def test_upload_train_follow_promote_predict(celery_worker_process, live_server, lead, tmp_path):  # noqa: F811
    token = api_token(lead)
    frame = tumour_frame()
    data = tmp_path / "tumours.csv"
    frame.to_csv(data, index=False)

    code, dataset, stderr = portal(
        live_server, token, "datasets", "upload", str(data), "--team", "checkout-ml", "--name", "tumours"
    )
    assert code == 0, stderr
    assert dataset["status"] == "ready"
    assert DatasetVersion.objects.get(pk=dataset["id"]).row_count == len(frame)

    code, job, stderr = portal(
        live_server,
        token,
        "jobs",
        "start",
        "--dataset",
        str(dataset["id"]),
        "--target",
        "diagnosis",
        "--estimator",
        "logistic_regression",
        "--new-model",
        "Tumour triage",
        "tumour-triage",
        "--cv-folds",
        "3",
    )
    assert code == 0, stderr
    assert job["status"] == JobStatus.SUCCEEDED
    assert TrainingJob.objects.get(pk=job["id"]).status == JobStatus.SUCCEEDED
    number = job["registered_version"]["number"]

    code, version, stderr = portal(
        live_server, token, "promote", "tumour-triage", str(number), "--to", "staging", "--reason", "CI"
    )
    assert code == 0, stderr
    assert ModelVersion.objects.get(model__slug="tumour-triage", number=number).stage == Stage.STAGING

    rows = tmp_path / "rows.csv"
    frame.drop(columns="diagnosis").dropna().head(4).to_csv(rows, index=False)
    code, result, stderr = portal(
        live_server, token, "predict", "tumour-triage", str(rows), "--version", str(number)
    )
    assert code == 0, stderr
    assert len(result["predictions"]) == 4
    assert set(result["predictions"]) <= {"benign", "malignant"}


def test_a_failing_job_is_exit_code_3(celery_worker_process, live_server, lead, tmp_path):  # noqa: F811
    token = api_token(lead)
    data = tmp_path / "constant.csv"
    data.write_text("x,y\n" + "".join(f"{i},same\n" for i in range(40)))
    code, dataset, stderr = portal(
        live_server, token, "datasets", "upload", str(data), "--team", "checkout-ml", "--name", "constant"
    )
    assert code == 0, stderr
    code, body, stderr = portal(
        live_server,
        token,
        "jobs",
        "start",
        "--dataset",
        str(dataset["id"]),
        "--target",
        "y",
        "--estimator",
        "logistic_regression",
        "--task",
        "classification",
        "--new-model",
        "Const",
        "const",
    )
    assert code in (1, 3), stderr  # refused at once (one class) or failed on the worker
    assert "class" in stderr.lower()
