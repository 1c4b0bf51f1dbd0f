"""'Train for this request' in Chromium: the request page's work section leads to the training form
with the request named and filled in; starting the job links it (the row is checked)."""

import datetime

import pytest
from django.utils import timezone

from apps.modelrequests.models import RequestStatus
from apps.outcomes.models import JobForRequest
from apps.teams.models import MemberRole
from tests.factories import MembershipFactory, PlatformTeamFactory, TeamFactory
from tests.modelrequests.factories import ModelRequestFactory
from tests.training.factories import DatasetVersionFactory

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_train_for_this_request_from_the_request_page(login_page, screenshot, axe):
    checkout = TeamFactory(name="Checkout Experience")
    # a team of the stream: its PM may attribute the new model to the stream (the registry's rule)
    platform = PlatformTeamFactory(name="Checkout ML", value_stream=checkout.value_stream)
    scientist = MembershipFactory(team=platform, role=MemberRole.PRODUCT_MANAGER).user
    now = timezone.now()
    request = ModelRequestFactory(
        title="Basket recommender",
        requesting_team=checkout,
        delivering_team=platform,
        history=[(RequestStatus.TRIAGED, now - datetime.timedelta(hours=1)), (RequestStatus.ACCEPTED, now)],
    )
    dataset = DatasetVersionFactory(team=platform, name="baskets")

    page = login_page(scientist)
    page.goto(f"/requests/{request.pk}/")
    work = page.locator("#work")
    assert "No training job for this request yet." in work.inner_text()
    assert axe(page) == []
    screenshot(page, "requests-work-section")
    work.get_by_role("link", name="Train for this request").click()
    page.wait_for_url(f"**/training/jobs/new/?model_request={request.pk}")
    assert f"#{request.pk} Basket recommender" in page.locator("[data-for-request]").inner_text()
    assert page.locator("#id_model_request").input_value() == str(request.pk)
    assert page.locator("#id_new_model_name").input_value() == "Basket recommender"
    assert axe(page) == []
    screenshot(page, "training-form-for-request")
    page.fill("#id_new_model_slug", "basket-recommender")
    with page.expect_navigation():
        page.get_by_role("button", name="Start training").click()
    assert page.locator(".field-error, .errors").all_inner_texts() == []
    link = JobForRequest.objects.select_related("job__registered_model").get(request=request)
    assert link.job.dataset_version == dataset and link.job.registered_model.slug == "basket-recommender"
    assert f"#{request.pk} Basket recommender" in page.locator("[data-for-request]").inner_text()


def test_the_request_page_shows_its_job_model_production_version_and_realised_impact(
    login_page, screenshot, axe
):
    from tests.outcomes.factories import KpiFactory, ModelCostFactory, observations
    from tests.registry.factories import ModelVersionFactory, RegisteredModelFactory
    from tests.training.factories import TrainingJobFactory

    checkout = TeamFactory(name="Checkout Experience")
    platform = PlatformTeamFactory(name="ML Platform")
    pm = MembershipFactory(team=platform, role=MemberRole.PRODUCT_MANAGER).user
    request = ModelRequestFactory(
        title="Basket recommender",
        requesting_team=checkout,
        delivering_team=platform,
        kpi="Conversion",
        expected_change=2.0,
        status=RequestStatus.IN_PRODUCTION,
    )
    model = RegisteredModelFactory(
        owning_team=platform, value_stream=request.value_stream, name="Basket model"
    )
    request.registered_model = model
    request.save()
    version = ModelVersionFactory(model=model, stage="production")
    job = TrainingJobFactory(
        dataset_version=DatasetVersionFactory(team=platform, name="baskets"), created_by=pm
    )
    JobForRequest.objects.create(job=job, request=request, linked_by=pm)
    kpi = KpiFactory(stream=request.value_stream, name="Conversion", value_per_unit=1000.0)
    observations(
        kpi, [0.11, 0.12, 0.13, 0.12, 0.11, 0.13, 0.12], segment="treatment", model=model, volume=1000
    )
    observations(kpi, [0.10, 0.10, 0.11, 0.10, 0.09, 0.10, 0.11], segment="control", model=model, volume=1000)
    ModelCostFactory(model=model, monthly_running_cost=1.0, monthly_team_effort_cost=1.0)

    page = login_page(pm)
    page.goto(f"/requests/{request.pk}/")
    work = page.locator("#work")
    text = work.inner_text()
    assert "Basket model" in text and f"v{version.number}" in text
    assert f"Job #{job.pk}" in work.locator("[data-request-jobs]").inner_text()
    impact = work.locator("[data-realised-impact]").inner_text()
    assert "realised value" in impact and "Conversion: +" in impact and "expected +2.0%" in impact
    assert axe(page) == []
    screenshot(page, "requests-work-realised-impact")
    work.get_by_role("link", name="outcomes of Basket model").click()
    page.wait_for_url(f"**/outcomes/models/{model.slug}/")
