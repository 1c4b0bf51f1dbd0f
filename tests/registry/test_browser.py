import pytest

from apps.registry import services
from apps.teams.models import MemberRole
from tests.factories import PASSWORD, MembershipFactory, StaffFactory, TeamFactory
from tests.registry.factories import CompleteCardModelFactory, FeedbackFactory, register

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_lead_promotes_a_version_and_sees_it_in_the_stage_history(login_page, screenshot):
    team = TeamFactory(name="Fraud Signals")
    model = CompleteCardModelFactory(owning_team=team, name="Fraud scorer", slug="fraud-scorer")
    model.consuming_teams.add(TeamFactory(name="Payments"))
    v1 = register(model, score=0.74, baseline=0.58)
    services.version_promote(version=v1, actor=StaffFactory(), to_stage="production", reason="First model.")
    register(model, score=0.79, baseline=0.58)
    weak = register(model, score=0.59, baseline=0.58)
    FeedbackFactory(model=model, title="Good app payments declined")
    lead = MembershipFactory(team=team, role=MemberRole.LEAD).user

    page = login_page(lead)
    page.goto("/models/fraud-scorer/")
    assert page.locator("[data-chart=metric-chart-data] .main-svg").first.is_visible()  # plotly drew it
    screenshot(page, "registry-model-page")

    # a weak version is refused, naming the failed gate
    page.goto(f"/models/fraud-scorer/versions/{weak.number}/promote/")
    page.select_option("#id_to_stage", "production")
    page.fill("#id_reason", "Try it")
    page.get_by_role("button", name="Move stage").click()
    refusal = page.locator(".gate-refusal")
    assert "Beats its baseline" in refusal.inner_text() and "margin" in refusal.inner_text()
    screenshot(page, "registry-promotion-refused")

    # v2 goes to production from the model page; v1 is archived; the history shows both
    page.goto("/models/fraud-scorer/")
    page.locator("#versions tr", has_text="v2").get_by_role("link", name="Move stage").click()
    page.select_option("#id_to_stage", "production")
    page.fill("#id_reason", "Better recall on new accounts")
    page.get_by_role("button", name="Move stage").click()
    page.wait_for_url("**/models/fraud-scorer/")
    assert "moved to production" in page.locator(".messages").inner_text()
    history = page.locator("#history tbody tr")
    assert "Better recall on new accounts" in history.nth(0).inner_text()
    assert "Superseded by v2" in history.nth(1).inner_text()
    assert page.locator(".stat").first.inner_text().startswith("v2")
    screenshot(page, "registry-promoted")


def test_owner_acknowledges_and_resolves_feedback_without_a_reload(login_page, screenshot):
    """htmx posts the plain form and swaps in the table the server renders; the page stays."""
    team = TeamFactory(name="Fraud Signals")
    model = CompleteCardModelFactory(owning_team=team, name="Fraud scorer", slug="fraud-scorer")
    feedback = FeedbackFactory(model=model, title="Good app payments declined")
    FeedbackFactory(model=model, title="Slow at noon")
    engineer = MembershipFactory(team=team, role=MemberRole.ENGINEER).user
    page = login_page(engineer)
    refused: list[str] = []
    page.on(
        "console", lambda message: "Content Security Policy" in message.text and refused.append(message.text)
    )
    page.goto("/models/fraud-scorer/#feedback")
    page.evaluate("() => { window.portalTestMarker = 'the page before the clicks'; }")
    assert page.locator("#stat-open-feedback strong").inner_text() == "2"
    row = page.locator(f"#feedback-{feedback.pk}")
    row.get_by_role("button", name="Acknowledge").click()
    page.locator("#feedback-answer").get_by_text("Acknowledged: Good app payments declined.").wait_for()
    assert row.locator("[data-feedback-status]").inner_text() == "Acknowledged"
    assert row.get_by_role("button", name="Acknowledge").count() == 0
    assert page.locator("#stat-open-feedback strong").inner_text() == "2"  # acknowledged is still open
    screenshot(page, "registry-feedback-acknowledged")

    row.get_by_role("button", name="Resolve").click()
    page.locator("#feedback-answer").get_by_text("Resolved: Good app payments declined.").wait_for()
    assert row.locator("[data-feedback-status]").inner_text() == "Resolved"
    assert page.locator("#stat-open-feedback strong").inner_text() == "1"
    # the same page all along: no reload, no message waiting for the next page
    assert page.evaluate("() => window.portalTestMarker") == "the page before the clicks"
    feedback.refresh_from_db()
    assert feedback.status == "resolved" and feedback.acknowledged_at and feedback.resolved_at
    assert not refused, refused
    screenshot(page, "registry-feedback-resolved")
    page.reload()
    assert page.locator(".messages").count() == 0


def test_feedback_acknowledge_works_without_javascript(browser, live_server, screenshot):
    team = TeamFactory(name="Fraud Signals")
    model = CompleteCardModelFactory(owning_team=team, name="Fraud scorer", slug="fraud-scorer")
    feedback = FeedbackFactory(model=model, title="Good app payments declined")
    engineer = MembershipFactory(team=team, role=MemberRole.ENGINEER).user
    context = browser.new_context(java_script_enabled=False, base_url=live_server.url)
    page = context.new_page()
    page.goto("/login/")
    page.fill("#id_username", engineer.username)
    page.fill("#id_password", PASSWORD)
    page.click("button[type=submit]")
    page.goto("/models/fraud-scorer/")
    page.locator(f"#feedback-{feedback.pk}").get_by_role("button", name="Acknowledge").click()
    page.wait_for_url("**/models/fraud-scorer/#feedback")
    assert "Acknowledged: Good app payments declined." in page.locator(".messages").inner_text()
    feedback.refresh_from_db()
    assert feedback.status == "acknowledged"
    screenshot(page, "registry-feedback-without-javascript")
    context.close()
