import pytest
from django.core.management import call_command

from apps.practices.models import Engagement
from tests.factories import UserFactory

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_heatmap_team_scorecard_and_engagement_pages(login_page, screenshot):
    call_command("load_demo", verbosity=0)
    page = login_page(UserFactory())
    page.goto("/practices/")
    page.wait_for_selector("#heatmap .main-svg")
    assert page.locator("#heatmap .heatmaplayer").count() == 1
    assert page.locator("#heatmap-table tbody tr").count() >= 10
    assert page.locator("#heatmap-table td.heat.lvl-3").count() >= 1
    screenshot(page, "practices-heatmap")
    page.click("#heatmap-card summary")
    assert page.locator("#heatmap-table").is_visible()

    page.locator("#heatmap-table").get_by_role("link", name="Demand Planning").click()
    page.wait_for_selector("[data-figure=history-figure] .main-svg")
    assert page.get_by_text("Self-assessed practices").is_visible()
    screenshot(page, "practices-team-scorecard")

    engagement = Engagement.objects.get(completed_at__isnull=False)
    page.goto(engagement.get_absolute_url())
    page.wait_for_selector("[data-figure=history-figure] .main-svg")
    assert page.locator("#goals tbody tr").count() == len(engagement.goals)
    screenshot(page, "practices-engagement")

    page.goto("/practices/survey/")
    page.wait_for_selector("[data-figure=trend-figure] .main-svg")
    screenshot(page, "practices-survey")
    page.goto("/practices/delivery/")
    assert page.locator("#delivery tbody tr").count() == 4
    screenshot(page, "practices-delivery")
