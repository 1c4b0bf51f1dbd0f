"""Uploads through the API with a real Celery worker: 202 at once, then the worker checks every row,
profiles the file and the dataset turns ready (or failed, naming the problem)."""

import time

import pytest

from apps.core import storage
from apps.training.csvfile import SAMPLE_BYTES
from apps.training.models import DatasetStatus, DatasetVersion
from tests.training.helpers import csv_upload, frame_csv, tumour_frame

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def post(client, team, content, name):
    return client.post(
        "/api/v1/datasets/",
        {"team": team.slug, "name": name, "file": csv_upload(content)},
        format="multipart",
    )


def wait_until_processed(client, pk, timeout=120.0):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        body = client.get(f"/api/v1/datasets/{pk}/").json()
        if body["status"] != DatasetStatus.PROCESSING:
            return body
        time.sleep(0.2)
    raise AssertionError(f"dataset {pk} still processing after {timeout} s")


def test_an_upload_is_accepted_then_profiled_by_the_worker(celery_worker_process, api_as, team, scientist):
    client = api_as(scientist)
    response = post(client, team, frame_csv(tumour_frame(200)), "tumours")
    assert response.status_code == 202, response.json()
    assert response.json()["status"] == "processing"
    body = wait_until_processed(client, response.json()["id"])
    assert body["status"] == "ready" and body["progress"] == 100 and body["error"] == ""
    assert body["row_count"] == 200 and len(body["schema"]) == 33
    dataset = DatasetVersion.objects.get(pk=body["id"])
    assert dataset.column("diagnosis")["type"] == "string" and dataset.attempts == 1
    ready = client.get("/api/v1/datasets/?status=ready").json()
    assert [d["id"] for d in ready["results"]] == [dataset.pk]


def test_a_bad_row_past_the_head_fails_on_the_worker_and_nothing_is_kept(
    celery_worker_process, api_as, team, scientist
):
    content = b"a,b\n" + b"1,2\n" * (SAMPLE_BYTES // 4 + 10) + b"1,2,3\n"
    client = api_as(scientist)
    response = post(client, team, content, "late")
    assert response.status_code == 202, response.json()
    body = wait_until_processed(client, response.json()["id"])
    assert body["status"] == "failed"
    assert body["error"].startswith("Ragged row on line ") and "it has 3 values" in body["error"]
    assert not storage.exists(DatasetVersion.objects.get(pk=body["id"]).storage_key)
    refused = client.post(
        "/api/v1/training-jobs/",
        {"dataset_version": body["id"], "target": "a", "estimator": "knn"},
        format="json",
    )
    assert refused.status_code == 400 and "failed processing" in refused.json()["dataset_version"][0]
