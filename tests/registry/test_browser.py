import pytest

from apps.registry import services
from apps.teams.models import MemberRole
from tests.factories import MembershipFactory, StaffFactory, TeamFactory
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
