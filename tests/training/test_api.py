"""/api/v1/datasets/ and /api/v1/training-jobs/: upload, read, create, cancel, errors, permissions."""

import pytest

from apps.training import services
from apps.training.models import DatasetVersion, JobStatus, TrainingJob
from tests.querycount import assert_queries_independent_of_rows
from tests.training.factories import DatasetVersionFactory, TrainingJobFactory
from tests.training.helpers import csv_upload, frame_csv, stored_files, tumour_frame

pytestmark = pytest.mark.django_db

LISTS = ["/api/v1/datasets/", "/api/v1/training-jobs/", "/api/v1/estimators/"]


@pytest.mark.parametrize("url", LISTS)
def test_anonymous_gets_401(anon_api, url):
    assert anon_api.get(url).status_code == 401


def upload(client, team, content, name="tumours", filename="data.csv"):
    return client.post(
        "/api/v1/datasets/",
        {"team": team.slug, "name": name, "description": "d", "file": csv_upload(content, filename)},
        format="multipart",
    )


def test_upload_then_read_versions_schema_and_preview(api_as, team, scientist):
    client = api_as(scientist)
    content = frame_csv(tumour_frame(50))
    first = upload(client, team, content)
    assert first.status_code == 202, first.json()
    assert first.json()["status"] == "processing" and first.json()["row_count"] is None
    assert first.json()["schema"] == [] and first.json()["column_count"] == 33
    second = upload(client, team, content)
    assert second.json()["version"] == 2
    pk = second.json()["id"]
    for dataset in (first.json()["id"], pk):  # what the worker does
        services.dataset_process(dataset_id=dataset)
    body = client.get(f"/api/v1/datasets/{pk}/").json()
    assert body["row_count"] == 50 and body["team"] == team.slug and len(body["schema"]) == 33
    versions = client.get(f"/api/v1/datasets/{pk}/versions/").json()
    assert [v["version"] for v in versions] == [2, 1]
    schema = client.get(f"/api/v1/datasets/{pk}/schema/").json()["columns"]
    assert {c["name"]: c["type"] for c in schema}["diagnosis"] == "string"
    preview = client.get(f"/api/v1/datasets/{pk}/preview/").json()
    assert preview["columns"][0] == "mean radius" and len(preview["rows"]) == 10
    listed = client.get(f"/api/v1/datasets/?team={team.slug}&latest=true").json()
    assert [d["version"] for d in listed["results"]] == [2]


def test_refused_upload_is_a_400_naming_the_problem(api_as, team, scientist):
    response = upload(api_as(scientist), team, "a,b\n1,2\n3\n")
    assert response.status_code == 400
    assert response.json() == {"file": ["Ragged row on line 3: it has 1 values, the header has 2 columns."]}
    assert not DatasetVersion.objects.exists() and stored_files() == []


def test_unknown_upload_fields_are_a_400(api_as, team, scientist):
    response = api_as(scientist).post(
        "/api/v1/datasets/",
        {"team": team.slug, "name": "x", "file": csv_upload("a\n1\n"), "path": "/etc/passwd"},
        format="multipart",
    )
    assert response.status_code == 400 and "path" in response.json()


def test_oversized_upload_is_a_413(api_as, team, scientist, settings):
    settings.PORTAL_MAX_UPLOAD_BYTES = 2000
    response = upload(api_as(scientist), team, "a,b\n" + "1,2\n" * 5000)
    assert response.status_code == 413
    assert "limit" in response.json()["detail"]
    assert not DatasetVersion.objects.exists() and stored_files() == []
    settings.PORTAL_MAX_UPLOAD_BYTES = 20000  # body within the declared slack: refused while streaming
    response = upload(api_as(scientist), team, "a,b\n" + "1,2\n" * 6000)
    assert response.status_code == 413 and "larger than the upload limit" in response.json()["detail"]
    assert stored_files() == []


def test_outsider_may_not_upload_train_or_cancel(api_as, team, outsider, tumours):
    client = api_as(outsider)
    assert upload(client, team, "a\n1\n").status_code == 403
    response = client.post(
        "/api/v1/training-jobs/",
        {"dataset_version": tumours.pk, "target": "diagnosis", "estimator": "knn"},
        format="json",
    )
    assert response.status_code == 403
    job = TrainingJobFactory(dataset_version=tumours, status=JobStatus.RUNNING)
    assert client.post(f"/api/v1/training-jobs/{job.pk}/cancel/").status_code == 403
    assert client.get(f"/api/v1/training-jobs/{job.pk}/").status_code == 200  # everyone signed in reads


def test_create_job_and_read_it_back(api_as, scientist, tumours):
    response = api_as(scientist).post(
        "/api/v1/training-jobs/",
        {
            "dataset_version": tumours.pk,
            "target": "diagnosis",
            "features": ["mean radius", "clinic"],
            "estimator": "random_forest",
            "parameters": {"n_estimators": 50, "max_depth": 3},
            "cv_folds": 4,
            "seed": 3,
            "search_budget": 2,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert body["status"] == "queued" and body["progress"] == 0 and body["task"] == "classification"
    assert body["parameters"] == {"n_estimators": 50, "max_depth": 3} and body["log"]
    assert TrainingJob.objects.get(pk=body["id"]).created_by == scientist


@pytest.mark.parametrize(
    ("payload", "field", "text"),
    [
        ({"parameters": {"n_estimators": 5000}}, "parameters", "n_estimators: must be between 1 and 1000"),
        ({"parameters": {"depth": 3}}, "parameters", "Unknown parameter 'depth'"),
        ({"target": "ghost"}, "target", "Choose a column"),
        ({"estimator": "svm"}, "estimator", "Unknown estimator 'svm'"),
        ({"holdout": 0.3}, "holdout", "Unknown field"),
        ({"task": "clustering"}, "task", "not a valid choice"),
    ],
)
def test_bad_job_requests_are_400s_naming_the_field(api_as, scientist, tumours, payload, field, text):
    body = {"dataset_version": tumours.pk, "target": "diagnosis", "estimator": "random_forest"} | payload
    response = api_as(scientist).post("/api/v1/training-jobs/", body, format="json")
    assert response.status_code == 400
    assert text in " ".join(response.json()[field])
    assert not TrainingJob.objects.exists()


def test_cancel_then_cancel_again_is_409_naming_allowed_states(api_as, scientist, tumours):
    job = TrainingJobFactory(dataset_version=tumours, status=JobStatus.QUEUED)
    client = api_as(scientist)
    assert client.post(f"/api/v1/training-jobs/{job.pk}/cancel/").json()["status"] == "cancelled"
    response = client.post(f"/api/v1/training-jobs/{job.pk}/cancel/")
    assert response.status_code == 409
    assert response.json()["allowed"] == ["queued", "running"] and "cancelled" in response.json()["detail"]


def test_estimator_catalogue_lists_parameter_specs(api_as, outsider):
    estimators = {e["key"]: e for e in api_as(outsider).get("/api/v1/estimators/").json()["estimators"]}
    forest = {p["name"]: p for p in estimators["random_forest"]["parameters"]}
    assert forest["n_estimators"] == {
        "name": "n_estimators",
        "type": "int",
        "default": 100,
        "nullable": False,
        "min": 1,
        "max": 1000,
        "help": "Trees in the forest.",
    }
    assert estimators["ridge"]["tasks"] == ["regression"]


def test_job_filters(api_as, outsider):
    TrainingJobFactory(status=JobStatus.FAILED)
    TrainingJobFactory(status=JobStatus.SUCCEEDED)
    body = api_as(outsider).get("/api/v1/training-jobs/?status=failed").json()
    assert [j["status"] for j in body["results"]] == ["failed"]
    assert api_as(outsider).get("/api/v1/training-jobs/?status=lost").status_code == 400


@pytest.mark.parametrize(
    ("url", "factory"),
    [("/api/v1/datasets/", DatasetVersionFactory), ("/api/v1/training-jobs/", TrainingJobFactory)],
)
def test_list_endpoints_query_count_is_independent_of_rows(api_as, outsider, url, factory):
    assert_queries_independent_of_rows(api_as(outsider), url, lambda: factory.create_batch(3))


def test_openapi_schema_documents_the_endpoints(api_as, outsider):
    schema = api_as(outsider).get("/api/schema/?format=json").json()
    paths = schema["paths"]
    assert "/api/v1/datasets/" in paths and "post" in paths["/api/v1/datasets/"]
    assert "409" in paths["/api/v1/training-jobs/{id}/cancel/"]["post"]["responses"]
    assert "/api/v1/datasets/{id}/schema/" in paths and "/api/v1/datasets/{id}/preview/" in paths
