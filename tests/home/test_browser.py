"""The home page of each role in Chromium (axe clean, screenshots kept): a delivering team's PM,
the stream's accountable PM and an engineer each see their own first steps and can follow them."""

import pytest

from apps.modelrequests.models import RequestStatus
from apps.teams.models import MemberRole
from tests.factories import (
    MembershipFactory,
    PlatformTeamFactory,
    TeamFactory,
    UserFactory,
    ValueStreamFactory,
)
from tests.modelrequests.factories import ModelRequestFactory

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_home_page_of_each_role(login_page, screenshot, axe):
    stream_pm = UserFactory(username="stream-pm", first_name="Petra")
    stream = ValueStreamFactory(name="Checkout", product_manager=stream_pm)
    checkout = TeamFactory(name="Checkout Experience", value_stream=stream)
    platform = PlatformTeamFactory(name="ML Platform")
    delivering_pm = MembershipFactory(team=platform, role=MemberRole.PRODUCT_MANAGER).user
    engineer = MembershipFactory(team=checkout, role=MemberRole.ENGINEER).user
    request = ModelRequestFactory(
        title="Basket recommender", requesting_team=checkout, delivering_team=platform, created_by=engineer
    )
    assert request.status == RequestStatus.SUBMITTED

    page = login_page(delivering_pm)
    page.goto("/")
    triage = page.locator("[data-section=triage]")
    assert "Basket recommender" in triage.inner_text()
    assert axe(page) == []
    screenshot(page, "home-delivering-pm")
    triage.get_by_role("link", name=f"#{request.pk} Basket recommender").click()
    page.wait_for_url(f"**/requests/{request.pk}/")

    page.context.clear_cookies()
    page = login_page(stream_pm)
    page.goto("/")
    assert "Accountable PM of the Checkout stream." in page.locator("[data-roles]").inner_text()
    assert "Basket recommender" in page.locator("[data-section=value]").inner_text()
    assert axe(page) == []
    screenshot(page, "home-stream-pm")
    page.get_by_role("link", name="Every request of Checkout").click()
    page.wait_for_url("**/requests/stream/**")
    assert "Triage by ML Platform's PM or lead" in page.locator("#stream-requests").inner_text()
    assert axe(page) == []
    screenshot(page, "requests-stream-view")

    page.context.clear_cookies()
    page = login_page(engineer)
    page.goto("/")
    assert "Basket recommender" in page.locator("[data-section=mine]").inner_text()
    assert "Nothing waits for you now." in page.locator("#waiting-for-me").inner_text()
    assert axe(page) == []
    screenshot(page, "home-engineer")
