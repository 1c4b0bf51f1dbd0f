"""In Chromium: a lead edits their team's API, the team page's History shows the change, and platform
staff find it in the audit log by actor (screenshots of both, axe-checked)."""

import pytest

from apps.teams.models import MemberRole
from tests.factories import PASSWORD, MembershipFactory, StaffFactory, TeamFactory

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_history_section_and_audit_log(browser, live_server, login_page, page, screenshot, axe):
    team = TeamFactory(name="Checkout Experience", focus="Make paying fast.")
    lead = MembershipFactory(team=team, role=MemberRole.LEAD).user

    login_page(lead)
    page.goto(f"/teams/{team.slug}/edit/")
    page.fill("#id_focus", "Make paying fast and safe.")
    page.locator("form[method=post] button.primary").click()
    page.wait_for_url(f"**/teams/{team.slug}/")
    history = page.locator("#history")
    assert history.get_by_text("Browser").first.is_visible()
    assert history.get_by_text("Make paying fast and safe.").is_visible()
    assert history.locator("del").filter(has_text="Make paying fast.").count() == 1
    history.scroll_into_view_if_needed()
    screenshot(page, "audit-history-section")
    assert axe(page) == []

    staff_context = browser.new_context(viewport={"width": 1400, "height": 900}, base_url=live_server.url)
    staff_page = staff_context.new_page()
    staff = StaffFactory()
    staff_page.goto("/login/")
    staff_page.fill("#id_username", staff.username)
    staff_page.fill("#id_password", PASSWORD)
    staff_page.click("button[type=submit]")
    staff_page.wait_for_url(lambda url: "/login/" not in url)
    staff_page.goto("/audit/")
    staff_page.fill("#id_actor", lead.username)
    staff_page.locator("form.filters button[type=submit]").click()
    staff_page.wait_for_url(f"**/audit/?*actor={lead.username}*")
    rows = staff_page.locator("table.audit-log tbody tr")
    assert rows.count() == 1
    assert "Make paying fast and safe." in rows.first.inner_text()
    screenshot(staff_page, "audit-log-page")
    assert axe(staff_page) == []
    staff_context.close()
