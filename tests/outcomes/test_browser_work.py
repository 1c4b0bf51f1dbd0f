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
