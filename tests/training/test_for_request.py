"""Request -> job -> model -> delivered through a real Celery worker process: a job started for an
accepted request moves it to in progress when the worker starts it, names the model it registers,
and the request is delivered once that version reaches production (the portal's moves, recorded)."""

import datetime

import pytest
from django.utils import timezone

from apps.modelrequests.models import RequestStatus
from apps.registry import services as registry_services
from apps.registry.models import ModelVersion
from apps.training.models import JobStatus
from tests.factories import UserFactory
from tests.modelrequests.factories import ModelRequestFactory
from tests.registry.factories import RegisteredModelFactory
from tests.training.helpers import tumour_frame, upload_frame
from tests.training.test_worker import finished, submit, wait_for

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_a_request_moves_with_the_job_and_the_model_that_answer_it(
    celery_worker_process, api_as, scientist, team
):
    now = timezone.now()
    request = ModelRequestFactory(
        title="Tumour triage",
        delivering_team=team,
        history=[(RequestStatus.TRIAGED, now - datetime.timedelta(hours=1)), (RequestStatus.ACCEPTED, now)],
    )
    dataset = upload_frame(actor=scientist, team=team, frame=tumour_frame())
    model = RegisteredModelFactory(owning_team=team, task="classification")
    job = wait_for(submit(api_as, scientist, dataset, model, model_request=request.pk), finished)
    assert job.status == JobStatus.SUCCEEDED, job.error

    # The request follows the job's events, sent after the job's own write commits: wait for them.
    request = wait_for(request, lambda r: r.registered_model_id is not None, timeout=30)
    assert request.status == RequestStatus.IN_PROGRESS
    assert request.registered_model == model
    started = request.transitions.get(to_status=RequestStatus.IN_PROGRESS)
    assert started.by_portal and started.actor is None and f"#{job.pk}" in started.note

    version = ModelVersion.objects.get(source_key=f"training-job:{job.pk}")
    body = api_as(scientist).get(f"/api/v1/models/{model.slug}/versions/{version.number}/").json()
    assert body["model_request"] == request.pk
    registry_services.version_promote(
        version=version,
        actor=UserFactory(is_staff=True),
        to_stage="production",
        reason="Beats the rule.",
        override=True,
    )
    request.refresh_from_db()
    assert request.status == RequestStatus.DELIVERED
    delivered = request.transitions.get(to_status=RequestStatus.DELIVERED)
    assert delivered.by_portal and f"v{version.number}" in delivered.note
