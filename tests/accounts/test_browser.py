"""In Chromium: a team's lead creates a service account on the team page, issues it a token (shown
once on the Tokens page), and the token works; then deactivates it. Platform staff use the Users page."""

import pytest
from rest_framework.test import APIClient

from apps.accounts.models import ApiToken, ServiceAccount
from apps.teams.models import MemberRole
from tests.factories import MembershipFactory, StaffFactory, TeamFactory

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_a_lead_manages_service_accounts_on_the_team_page(login_page, screenshot, axe):
    team = TeamFactory(name="Fraud Signals", slug="fraud-signals")
    lead = MembershipFactory(team=team, role=MemberRole.LEAD).user
    page = login_page(lead)
    page.goto(f"/teams/{team.slug}/")
    section = page.locator("#service-accounts")
    assert section.get_by_text("No service account yet.").is_visible()

    section.get_by_label("Username").fill("fraud-scoring-bot")
    section.get_by_label("Role").select_option("ml_engineer")
    section.get_by_label("Description").fill("Nightly batch scoring")
    section.get_by_role("button", name="Create service account").click()
    page.wait_for_url(f"**/teams/{team.slug}/#service-accounts")
    assert page.get_by_text("Created the service account fraud-scoring-bot").is_visible()
    account = ServiceAccount.objects.get(user__username="fraud-scoring-bot")
    assert account.role == MemberRole.ML_ENGINEER and account.team == team

    row = section.locator('tr[data-service-account="fraud-scoring-bot"]')
    row.get_by_text("Issue token").click()
    row.get_by_label("Name").fill("nightly scoring")
    screenshot(page, "team-service-accounts")
    assert axe(page) == []
    row.get_by_role("button", name="Make token").click()
    page.wait_for_url("**/account/tokens/")
    plain = page.locator("[data-new-token]").inner_text()
    token = ApiToken.objects.get(user=account.user)
    assert token.name == "nightly scoring" and token.created_by == lead
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {plain}")
    assert client.get(f"/api/v1/teams/{team.slug}/").status_code == 200

    page.goto(f"/teams/{team.slug}/")
    section.locator('tr[data-service-account="fraud-scoring-bot"]').get_by_role(
        "button", name="Deactivate"
    ).click()
    page.wait_for_url(f"**/teams/{team.slug}/#service-accounts")
    assert section.get_by_text("Deactivated", exact=True).is_visible()
    account.user.refresh_from_db()
    assert not account.user.is_active and not ApiToken.objects.filter(user=account.user).exists()
    assert client.get(f"/api/v1/teams/{team.slug}/").status_code == 401
    screenshot(page, "team-service-accounts-deactivated")


def test_staff_create_and_deactivate_a_user_on_the_users_page(login_page, screenshot, axe):
    team = TeamFactory(name="Checkout Experience")
    staff = StaffFactory()
    page = login_page(staff)
    page.get_by_role("navigation", name="Main").locator("summary", has_text="Staff").click()
    page.get_by_role("link", name="Users").click()
    page.wait_for_url("**/account/users/")
    page.fill("#id_username", "ada")
    page.fill("#id_email", "ada@example.com")
    page.fill("#id_name", "Ada Lovelace")
    page.select_option("#id_team", team.slug)
    page.select_option("#id_role", "data_scientist")
    page.get_by_role("button", name="Create user").click()
    page.wait_for_url("**/account/users/")
    row = page.locator('tr[data-user="ada"]')
    assert "Checkout Experience" in row.inner_text() and "Active" in row.inner_text()
    assert axe(page) == []
    row.get_by_role("button", name="Deactivate").click()
    page.wait_for_url("**/account/users/")
    assert "Deactivated" in page.locator('tr[data-user="ada"]').inner_text()
    screenshot(page, "users-page")
