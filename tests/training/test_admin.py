"""The admin console uploads through the same service and cancels through the same service."""

import pytest

from apps.training.models import DatasetVersion, JobStatus, TrainingJob
from tests.training.factories import DatasetVersionFactory, TrainingJobFactory
from tests.training.helpers import csv_upload

pytestmark = pytest.mark.django_db


def test_admin_upload_validates_and_stores_a_version(client, admin_user, team):
    client.force_login(admin_user)
    refused = client.post(
        "/admin/training/datasetversion/add/", {"team": team.pk, "name": "x", "file": csv_upload("a,b\n1\n")}
    )
    assert refused.status_code == 200 and "Ragged row on line 2" in refused.content.decode()
    assert not DatasetVersion.objects.exists()
    response = client.post(
        "/admin/training/datasetversion/add/",
        {"team": team.pk, "name": "shop", "description": "d", "file": csv_upload("a,b\n1,x\n2,y\n")},
    )
    assert response.status_code == 302
    dataset = DatasetVersion.objects.get()
    assert (dataset.version, dataset.status, dataset.uploaded_by) == (1, "processing", admin_user)
    assert client.get(f"/admin/training/datasetversion/{dataset.pk}/change/").status_code == 200


def test_admin_cancel_action_and_job_page(client, admin_user):
    queued = TrainingJobFactory(status=JobStatus.QUEUED)
    done = TrainingJobFactory(status=JobStatus.SUCCEEDED)
    client.force_login(admin_user)
    assert client.get(f"/admin/training/trainingjob/{done.pk}/change/").status_code == 200
    response = client.post(
        "/admin/training/trainingjob/",
        {"action": "cancel_jobs", "_selected_action": [queued.pk, done.pk]},
        follow=True,
    )
    assert "Cancelled 1 job(s)." in response.content.decode()
    assert TrainingJob.objects.get(pk=queued.pk).status == JobStatus.CANCELLED
    assert TrainingJob.objects.get(pk=done.pk).status == JobStatus.SUCCEEDED


def test_an_admin_upload_goes_to_the_bucket_and_its_page_says_where(client, admin_user, team, s3_platform):
    client.force_login(admin_user)
    response = client.post(
        "/admin/training/datasetversion/add/",
        {"team": team.pk, "name": "shop", "file": csv_upload("a,b\n1,x\n2,y\n")},
    )
    assert response.status_code == 302
    dataset = DatasetVersion.objects.get()
    assert s3_platform.keys() == [dataset.storage_key] and s3_platform.local_files() == []
    page = client.get(f"/admin/training/datasetversion/{dataset.pk}/change/").content.decode()
    assert f"s3://{s3_platform.bucket}/{s3_platform.prefix}/{dataset.storage_key}" in page


def test_an_admin_description_edit_goes_through_the_service(client, admin_user):
    dataset = DatasetVersionFactory(description="old")
    client.force_login(admin_user)
    response = client.post(
        f"/admin/training/datasetversion/{dataset.pk}/change/",
        {"description": "new", "jobs-TOTAL_FORMS": "0", "jobs-INITIAL_FORMS": "0"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    stored = DatasetVersion.objects.get(pk=dataset.pk)
    assert (stored.description, stored.name, stored.version) == ("new", dataset.name, 1)
