import pytest

from tests.factories import TeamFactory, UserFactory
from tests.registry.factories import RegisteredModelFactory

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_the_header_box_suggests_as_you_type_and_opens_a_hit_with_the_keyboard(login_page, screenshot):
    team = TeamFactory(name="Forecasting Science", slug="forecasting-science")
    model = RegisteredModelFactory(name="Demand forecast", slug="demand-forecast", owning_team=team)
    page = login_page(UserFactory())
    box = page.get_by_role("combobox", name="Search the portal")
    box.fill("forec")
    listbox = page.locator("#header-search-list")
    listbox.get_by_text("Demand forecast").wait_for()
    assert box.get_attribute("aria-expanded") == "true"
    assert listbox.get_by_text("Forecasting Science", exact=True).is_visible()
    screenshot(page, "search-suggestions")

    # Teams come first, then models: two steps down reach the model.
    box.press("ArrowDown")
    box.press("ArrowDown")
    selected = listbox.locator("[aria-selected=true]")
    assert "Demand forecast" in selected.inner_text()
    assert box.get_attribute("aria-activedescendant") == selected.get_attribute("id")
    box.press("Enter")
    page.wait_for_url(f"**{model.get_absolute_url()}")

    box = page.get_by_role("combobox", name="Search the portal")
    box.fill("forecast")
    page.locator("#header-search-list").get_by_text("All results for").wait_for()
    box.press("Escape")
    assert page.locator("#header-search-list").is_hidden()
    box.press("Enter")  # with nothing selected the form goes to the results page
    page.wait_for_url("**/search/?q=forecast")
    assert page.get_by_role("heading", name="Models").is_visible()
    screenshot(page, "search-results")
