"""Machines that share only the bucket: this process (a web process) takes the upload, a worker with
a local folder of its own checks the file and trains on it, and a gunicorn server with a third local
folder serves predictions from the artefact the worker stored. Nothing is shared but S3 (SeaweedFS)
and the database; no local folder keeps a dataset or an artefact."""

import json

import pytest

from apps.registry.artefacts import pipeline_cache
from apps.registry.models import ModelVersion
from apps.training.models import DatasetVersion, JobStatus
from tests.factories import api_token
from tests.registry.factories import RegisteredModelFactory
from tests.training.helpers import csv_upload, frame_csv, tumour_frame
from tests.training.test_upload_worker import wait_until_processed
from tests.training.test_worker import finished, submit, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def s3_worker(s3_platform, session_worker_aside, worker_factory, tmp_path):
    """The only worker on the queues for this test: the session's worker (local folder) steps aside."""
    folder = tmp_path / "worker"
    worker_factory(extra_env=s3_platform.env | {"PORTAL_PLATFORM_STORAGE": str(folder)})
    return folder


FEATURES = ["mean radius", "mean texture", "mean area", "clinic"]


def a_row(frame) -> dict:
    """The features of a row without gaps (the second: every ninth row has no clinic)."""
    return frame[FEATURES].iloc[1].to_dict()


def files_in(folder) -> list:
    return sorted(path for path in folder.rglob("*") if path.is_file())


def test_upload_train_and_predict_with_only_the_bucket_shared(
    s3_platform, s3_worker, gunicorn_factory, api_as, team, scientist, tmp_path
):
    client = api_as(scientist)
    frame = tumour_frame()
    response = client.post(
        "/api/v1/datasets/",
        {"team": team.slug, "name": "tumours", "file": csv_upload(frame_csv(frame))},
        format="multipart",
    )
    assert response.status_code == 202, response.json()
    body = wait_until_processed(client, response.json()["id"])
    assert body["status"] == "ready", body["error"]
    dataset = DatasetVersion.objects.get(pk=body["id"])
    assert dataset.row_count == len(frame) and s3_platform.keys() == [dataset.storage_key]

    model = RegisteredModelFactory(owning_team=team, task="classification")
    job = submit(api_as, scientist, dataset, model, features=FEATURES)
    wait_for(job, finished)
    assert job.status == JobStatus.SUCCEEDED, job.error
    version = ModelVersion.objects.get(source_key=f"training-job:{job.pk}")
    assert s3_platform.keys() == sorted([dataset.storage_key, version.artefact_key])
    assert len(s3_platform.object(version.artefact_key)) == version.artefact_size

    web_folder = tmp_path / "web"
    server = gunicorn_factory(extra_env=s3_platform.env | {"PORTAL_PLATFORM_STORAGE": str(web_folder)})
    row = a_row(frame)
    connection = server.connection()
    connection.request(
        "POST",
        f"/api/v1/models/{model.slug}/predict/?version={version.number}",
        body=json.dumps({"records": [row]}),
        headers={"Authorization": f"Token {api_token(scientist)}", "Content-Type": "application/json"},
    )
    answer = connection.getresponse()
    payload = json.loads(answer.read())
    assert answer.status == 200, payload
    assert payload["predictions"][0] in {"benign", "malignant"}

    for folder in (s3_platform.local_root, s3_worker, web_folder):
        assert files_in(folder) == [], f"{folder} keeps platform files"


def test_a_missing_artefact_in_the_bucket_is_a_409_naming_it(s3_platform, s3_worker, api_as, team, scientist):
    client = api_as(scientist)
    response = client.post(
        "/api/v1/datasets/",
        {"team": team.slug, "name": "tumours", "file": csv_upload(frame_csv(tumour_frame(200)))},
        format="multipart",
    )
    dataset = DatasetVersion.objects.get(pk=wait_until_processed(client, response.json()["id"])["id"])
    model = RegisteredModelFactory(owning_team=team, task="classification")
    job = wait_for(
        submit(
            api_as,
            scientist,
            dataset,
            model,
            estimator="logistic_regression",
            parameters={},
            features=FEATURES,
        ),
        finished,
    )
    assert job.status == JobStatus.SUCCEEDED, job.error
    version = ModelVersion.objects.get(source_key=f"training-job:{job.pk}")
    s3_platform.server.client().delete_object(
        Bucket=s3_platform.bucket, Key=f"{s3_platform.prefix}/{version.artefact_key}"
    )
    pipeline_cache.clear()
    row = a_row(tumour_frame(2))
    refused = client.post(
        f"/api/v1/models/{model.slug}/predict/?version={version.number}", {"records": [row]}, format="json"
    )
    assert refused.status_code == 409
    assert f"The artefact {version.artefact_key} is missing from platform storage" in refused.json()["detail"]
