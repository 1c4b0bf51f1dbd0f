"""From request to model (apps.outcomes.work): a job started for a request through the API and the
browser form, the refusals (no such request, not yet accepted, not the delivering team), and the
portal's own moves: in progress when the job starts, the model named when it registers a version,
delivered when that model reaches production; each recorded as the portal's, undoable by the
delivering PM. The real worker's run of the same flow is in tests/training/test_for_request.py."""

import datetime
from types import SimpleNamespace

import pytest
from django.utils import timezone

from apps.modelrequests.models import ModelRequest, RequestStatus, RequestTransition
from apps.outcomes.models import JobForRequest
from apps.registry import services as registry_services
from apps.teams.models import MemberRole
from apps.training import services as training_services
from apps.training.models import TrainingJob
from tests.factories import MembershipFactory, PlatformTeamFactory, TeamFactory, UserFactory
from tests.modelrequests.factories import ModelRequestFactory
from tests.registry.factories import ModelVersionFactory, RegisteredModelFactory
from tests.training.factories import DatasetVersionFactory

pytestmark = pytest.mark.django_db


def _accepted():
    now = timezone.now()
    return [(RequestStatus.TRIAGED, now - datetime.timedelta(hours=2)), (RequestStatus.ACCEPTED, now)]


@pytest.fixture
def flow(django_user_model):
    platform = PlatformTeamFactory(name="ML Platform")
    checkout = TeamFactory(name="Checkout Experience")
    scientist = MembershipFactory(team=platform, role=MemberRole.DATA_SCIENTIST).user
    delivering_pm = MembershipFactory(team=platform, role=MemberRole.PRODUCT_MANAGER).user
    request = ModelRequestFactory(
        title="Basket recommender",
        requesting_team=checkout,
        delivering_team=platform,
        history=_accepted(),
    )
    model = RegisteredModelFactory(
        owning_team=platform, value_stream=checkout.value_stream, name="Basket recommender", slug="basket"
    )
    return SimpleNamespace(
        platform=platform,
        checkout=checkout,
        scientist=scientist,
        delivering_pm=delivering_pm,
        request=request,
        model=model,
        dataset=DatasetVersionFactory(team=platform),
    )


def _job_body(flow, **changes):
    return {
        "dataset_version": flow.dataset.pk,
        "target": "y",
        "estimator": "logistic_regression",
        "registered_model": flow.model.slug,
        "model_request": flow.request.pk,
    } | changes


def test_a_job_started_for_a_request_through_the_api_links_both(api_as, flow):
    api = api_as(flow.scientist)
    response = api.post("/api/v1/training-jobs/", _job_body(flow), format="json")
    assert response.status_code == 201, response.json()
    job = TrainingJob.objects.get(pk=response.json()["id"])
    link = JobForRequest.objects.get(job=job)
    assert (link.request, link.linked_by) == (flow.request, flow.scientist)
    assert response.json()["model_request"] == flow.request.pk
    assert f"For model request #{flow.request.pk} Basket recommender." in job.log[-1]
    listed = api.get(f"/api/v1/training-jobs/?model_request={flow.request.pk}").json()["results"]
    assert [row["id"] for row in listed] == [job.pk]
    assert api.get(f"/api/v1/training-jobs/?model_request={flow.request.pk + 1}").json()["results"] == []
    detail = api.get(f"/api/v1/model-requests/{flow.request.pk}/").json()
    assert detail["training_jobs"] == [job.pk]


@pytest.mark.parametrize(
    ("case", "status", "message"),
    [
        ("missing", 400, "There is no model request #"),
        ("submitted", 400, "is Submitted: train for a request once it is accepted"),
        ("not delivering", 403, "Only members of Search Platform, or platform staff, can train models for #"),
        ("not a number", 400, "A valid integer is required."),
    ],
)
def test_a_job_for_a_request_it_may_not_answer_is_refused_and_nothing_is_written(
    api_as, flow, case, status, message
):
    actor, body = flow.scientist, _job_body(flow)
    if case == "missing":
        body["model_request"] = flow.request.pk + 1000
    elif case == "submitted":
        body["model_request"] = ModelRequestFactory(delivering_team=flow.platform).pk
    elif case == "not delivering":
        # a member of the dataset's team, which is not the request's delivering team
        other = ModelRequestFactory(
            delivering_team=PlatformTeamFactory(name="Search Platform"),
            history=_accepted(),
        )
        body["model_request"] = other.pk
    else:
        body["model_request"] = "#46"
    response = api_as(actor).post("/api/v1/training-jobs/", body, format="json")
    assert response.status_code == status, response.json()
    text = str(response.json())
    assert message in text
    if status == 400:
        assert "model_request" in response.json()
    assert not TrainingJob.objects.exists() and not JobForRequest.objects.exists()


def _succeed(job, version):
    result = SimpleNamespace(metrics={"roc_auc": 0.8}, baseline_metrics={}, lift={}, best_parameters={})
    return training_services.job_succeed(job=job, result=result, version=version)


def test_the_portal_moves_the_request_as_its_work_goes_and_the_delivering_pm_undoes_it(
    flow, client, browser_login, django_capture_on_commit_callbacks
):
    job = training_services.training_job_create(
        actor=flow.scientist,
        data=_job_body(flow, registered_model=flow.model, dataset_version=flow.dataset),
        enqueue=False,
    )
    with django_capture_on_commit_callbacks(execute=True):
        claimed = training_services.job_claim(job_id=job.pk, task_id=job.celery_task_id, worker="w1")
    request = ModelRequest.objects.get(pk=flow.request.pk)
    assert request.status == RequestStatus.IN_PROGRESS and request.started_at is not None
    moved = request.transitions.order_by("at", "id").last()
    assert (moved.from_status, moved.to_status, moved.actor, moved.by_portal) == (
        RequestStatus.ACCEPTED,
        RequestStatus.IN_PROGRESS,
        None,
        True,
    )
    assert moved.note == f"Training job #{job.pk} for this request started."

    version = ModelVersionFactory(model=flow.model)
    with django_capture_on_commit_callbacks(execute=True):
        assert _succeed(claimed, version)
    request.refresh_from_db()
    assert request.registered_model == flow.model
    assert request.status == RequestStatus.IN_PROGRESS  # a registered candidate delivers nothing yet

    # a second job starting leaves the request where it is (one move, not two)
    second = training_services.training_job_create(
        actor=flow.scientist,
        data=_job_body(flow, registered_model=flow.model, dataset_version=flow.dataset),
        enqueue=False,
    )
    with django_capture_on_commit_callbacks(execute=True):
        training_services.job_claim(job_id=second.pk, task_id=second.celery_task_id, worker="w1")
    assert RequestTransition.objects.filter(request=request, by_portal=True).count() == 1

    staff = UserFactory(is_staff=True)
    with django_capture_on_commit_callbacks(execute=True):
        registry_services.version_promote(
            version=version, actor=staff, to_stage="production", reason="Beats the rule.", override=True
        )
    request.refresh_from_db()
    assert request.status == RequestStatus.DELIVERED and request.delivered_at is not None
    delivered = request.transitions.order_by("at", "id").last()
    assert delivered.by_portal and delivered.actor is None
    assert (
        delivered.note
        == f"Basket recommender v{version.number}, the model answering this request, reached production."
    )

    browser_login(client, flow.delivering_pm)
    page = client.get(f"/requests/{request.pk}/")
    html = page.content.decode()
    assert "Undo: back to In progress" in html and f"Job #{job.pk}" in html
    assert [job.pk for job in page.context["work"]["jobs"]] == [second.pk, job.pk]
    assert page.context["work"]["production"] == version
    response = client.post(
        f"/requests/{request.pk}/transition/", {"to": RequestStatus.IN_PROGRESS, "note": "Undo"}
    )
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == RequestStatus.IN_PROGRESS
    undone = request.transitions.order_by("at", "id").last()
    assert (undone.actor, undone.by_portal) == (flow.delivering_pm, False)


def test_only_the_delivering_pm_or_staff_see_the_undo(flow, client, browser_login):
    RequestTransition.objects.create(
        request=flow.request,
        from_status=RequestStatus.ACCEPTED,
        to_status=RequestStatus.IN_PROGRESS,
        note="Training job #1 for this request started.",
        by_portal=True,
    )
    ModelRequest.objects.filter(pk=flow.request.pk).update(status=RequestStatus.IN_PROGRESS)
    browser_login(client, flow.scientist)
    page = client.get(f"/requests/{flow.request.pk}/")
    assert page.context["undo"] is None and page.context["can_train"] is True
    client.logout()
    browser_login(client, flow.delivering_pm)
    assert client.get(f"/requests/{flow.request.pk}/").context["undo"].to_status == RequestStatus.IN_PROGRESS
    outsider = MembershipFactory(team=flow.checkout, role=MemberRole.ENGINEER).user
    client.logout()
    browser_login(client, outsider)
    page = client.get(f"/requests/{flow.request.pk}/")
    assert page.context["can_train"] is False
    assert "Members of ML Platform (or platform staff) train models for it." in page.content.decode()


def test_train_for_this_request_opens_the_form_filled_in_and_the_pages_link_back(flow, client, browser_login):
    browser_login(client, flow.scientist)
    page = client.get(f"/requests/{flow.request.pk}/")
    assert f"/training/jobs/new/?model_request={flow.request.pk}" in page.content.decode()
    form_page = client.get(f"/training/jobs/new/?model_request={flow.request.pk}&dataset={flow.dataset.pk}")
    form = form_page.context["form"]
    assert form.initial["model_request"] == flow.request.pk
    assert form.initial["new_model_name"] == "Basket recommender"  # the request names no model yet
    assert "requested by Checkout Experience" in form_page.content.decode()
    response = client.post(
        f"/training/jobs/new/?model_request={flow.request.pk}",
        {
            "dataset_version": flow.dataset.pk,
            "target": "y",
            "estimator": "logistic_regression",
            "cv_folds": 0,
            "holdout_share": 0.2,
            "seed": 1,
            "search_budget": 0,
            "time_limit_seconds": 60,
            "registered_model": flow.model.pk,
            "model_request": flow.request.pk,
        },
    )
    assert response.status_code == 302, response.context["form"].errors
    link = JobForRequest.objects.get(request=flow.request)
    assert link.job.registered_model == flow.model
    job_page = client.get(link.job.get_absolute_url()).content.decode()
    assert f"#{flow.request.pk} Basket recommender" in job_page

    version = ModelVersionFactory(model=flow.model)
    TrainingJob.objects.filter(pk=link.job.pk).update(registered_version=version)
    model_page = client.get(flow.model.get_absolute_url()).content.decode()
    assert f'href="/requests/{flow.request.pk}/">request #{flow.request.pk}</a>' in model_page
    api = client.get(f"/api/v1/models/{flow.model.slug}/versions/").json()
    assert api["results"][0]["model_request"] == flow.request.pk
