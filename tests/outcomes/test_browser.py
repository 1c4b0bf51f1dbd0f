import pytest

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_product_manager_opens_a_stream_dashboard_and_sees_its_charts_drawn(demo_org, login_page, screenshot):
    from tests.factories import UserFactory

    page = login_page(UserFactory())
    page.goto("/outcomes/streams/supply/")
    page.wait_for_selector("#chart-impact .main-svg")
    charts = page.locator(".outcome-chart")
    assert charts.count() >= 4  # impact, ML vs alternative, one per KPI
    for index in range(charts.count()):
        assert charts.nth(index).locator(".main-svg").count() >= 1
    modebar = page.locator("#chart-impact .modebar-btn")
    assert modebar.locator("xpath=self::*[@data-title='Download plot as a PNG']").count() == 1
    assert modebar.locator("xpath=self::*[@data-title='Share chart...']").count() == 0
    assert page.get_by_text("consider the simpler alternative").first.is_visible()
    assert page.get_by_text("before/after (weaker evidence)").first.is_visible()
    screenshot(page, "outcomes-stream-dashboard")

    page.goto("/outcomes/")
    page.wait_for_selector("#chart-portfolio .main-svg")
    screenshot(page, "outcomes-portfolio")

    page.goto("/outcomes/models/fraud-scorer/")
    page.wait_for_selector("#chart-drift .main-svg")
    assert page.locator(".outcome-chart .main-svg").count() >= 5
    screenshot(page, "outcomes-model-monitoring")
