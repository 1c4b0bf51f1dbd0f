"""The demo logins of the README in Chromium, on the demo organisation: each one's home page starts
with what waits for that person (`pm`: a Checkout request to value; `noah`: ML Platform's triage,
decisions and sizing; `engineer`: nothing to decide; `platform`: every team's), and "waiting for me"
opens as the request list's filter and on the kanban, where the score switch changes the cards.
Screenshots kept under test-artifacts/; axe clean."""

import pytest

from apps.modelrequests import demo as requests_demo
from apps.teams import demo as teams_demo
from tests.factories import PASSWORD

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


@pytest.fixture
def demo_logins(django_user_model):
    org = teams_demo.load()
    requests_demo.load(org)
    users = {}
    for user in django_user_model.objects.filter(username__in=["pm", "noah", "engineer", "platform"]):
        user.set_password(PASSWORD)
        user.save(update_fields=["password"])
        users[user.username] = user
    return users


def _home(login_page, user):
    page = login_page(user)
    page.goto("/")
    return page


def test_pm_values_a_checkout_request_from_waiting_for_me(demo_logins, login_page, screenshot, axe):
    page = _home(login_page, demo_logins["pm"])
    roles = page.locator("[data-roles]").inner_text()
    assert "Accountable PM of the Checkout stream." in roles
    assert "Product manager of Checkout Experience." in roles
    value = page.locator("#waiting-for-me [data-section=value]")
    assert "Shipping cost sensitivity model" in value.inner_text()
    assert "needs reach, impact, confidence" in value.inner_text()
    assert axe(page) == []
    screenshot(page, "home-demo-pm")
    page.get_by_role("link", name="List the 1 request waiting for you").click()
    page.wait_for_url(lambda url: "waiting=me" in url and "/requests/" in url)
    assert page.get_by_label("Remove the filter Waiting for: me").is_visible()
    assert "Shipping cost sensitivity model" in page.locator("main").inner_text()
    assert page.locator('[data-view="waiting-for-me"][aria-current="true"]').is_visible()
    assert axe(page) == []
    screenshot(page, "requests-waiting-for-me-pm")


def test_noah_triages_and_sizes_and_switches_the_kanban_score(demo_logins, login_page, screenshot, axe):
    page = _home(login_page, demo_logins["noah"])
    assert "Product manager of ML Platform" in page.locator("[data-roles]").inner_text()
    triage = page.locator("[data-section=triage]")
    assert "Basket abandonment nudge timing" in triage.inner_text()
    to_triage = triage.locator("h3").inner_text().removeprefix("Requests to triage (").removesuffix(")")
    size = page.locator("[data-section=size]").inner_text()
    assert "Promo code abuse detection" in size and "needs effort" in size
    assert "Smart payment retry scheduling" in page.locator("[data-section=decide]").inner_text()
    assert axe(page) == []
    screenshot(page, "home-demo-noah")
    page.get_by_role("link", name="on the kanban").click()
    page.wait_for_url(lambda url: "/requests/board/" in url and "waiting=me" in url)
    cards = page.locator(".kcard")
    assert "Promo code abuse detection" in cards.locator(".ktitle").all_inner_texts()
    # every request noah has to triage is in the Submitted column (a few cards per lane, the rest a link)
    assert page.locator('.khead-cell[data-status="submitted"] .kcount').inner_text() == to_triage
    assert page.locator('.kdrop[data-status="in_progress"] .kcard').count() == 0  # nothing to decide there
    screenshot(page, "requests-kanban-waiting-for-me-noah")
    page.locator("[data-score-switch]").get_by_role("link", name="WSJF").click()
    page.wait_for_url(lambda url: "method=wsjf" in url and "waiting=me" in url)
    scores = page.locator(".kcard .kscore").all_inner_texts()
    assert scores and all(s.startswith("WSJF") or s == "unscored" for s in scores), scores
    assert page.locator("[data-score-switch] [aria-current=true]").inner_text() == "WSJF"
    assert axe(page) == []
    screenshot(page, "requests-kanban-waiting-for-me-wsjf")


def test_the_engineer_and_platform_staff_homes(demo_logins, login_page, screenshot, axe):
    page = _home(login_page, demo_logins["engineer"])
    assert "Engineer in Checkout Experience." in page.locator("[data-roles]").inner_text()
    assert "Nothing waits for you now." in page.locator("#waiting-for-me").inner_text()
    assert axe(page) == []
    screenshot(page, "home-demo-engineer")

    page.context.clear_cookies()
    page = _home(login_page, demo_logins["platform"])
    assert (
        "Platform staff: you see what waits across every team." in page.locator("[data-roles]").inner_text()
    )
    triage = page.locator("[data-section=triage]").inner_text()
    assert "to Forecasting Science" in triage and "to ML Platform" in triage  # every delivering team's
    total = page.locator("[data-waiting-total]").inner_text()
    assert total.startswith("List the ") and "requests waiting for you" in total
    assert axe(page) == []
    screenshot(page, "home-demo-platform")
