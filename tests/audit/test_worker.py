"""A task run by the real Celery worker process records its writes in the task channel, for the user
whose API call enqueued it, under that call's request id (carried in the message headers)."""

import time

import pytest

from apps.audit.models import Action
from apps.training.models import DatasetStatus, DatasetVersion
from tests.audit.helpers import events_of
from tests.training.helpers import csv_upload, frame_csv, tumour_frame

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_a_worker_task_is_recorded_for_the_user_who_enqueued_it(
    celery_worker_process, api_as, team, team_lead
):
    response = api_as(team_lead).post(
        "/api/v1/datasets/",
        {"team": team.slug, "name": "tumours", "file": csv_upload(frame_csv(tumour_frame(60)))},
        format="multipart",
        HTTP_X_REQUEST_ID="upload-7",
    )
    assert response.status_code == 202, response.json()
    dataset = DatasetVersion.objects.get(pk=response.json()["id"])
    deadline = time.monotonic() + 120
    while dataset.status == DatasetStatus.PROCESSING and time.monotonic() < deadline:
        time.sleep(0.3)
        dataset.refresh_from_db()
    assert dataset.status == DatasetStatus.READY, dataset.error

    created, *changes = events_of(dataset)
    assert (created.action, created.channel, created.actor, created.cid) == (
        Action.CREATE,
        "api",
        team_lead,
        "upload-7",
    )
    assert changes and {event.channel for event in changes} == {"task"}
    assert {event.actor for event in changes} == {team_lead}
    assert {event.cid for event in changes} == {"upload-7"}
    ready = changes[-1]
    assert ready.changes_dict["status"] == [DatasetStatus.PROCESSING.value, DatasetStatus.READY.value]
