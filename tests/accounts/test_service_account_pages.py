"""The team page's Service accounts section: the lead creates, deactivates and reactivates service
accounts and issues their tokens (shown once on the Tokens page); members read it; others see none of
it. The admin makes and deactivates them through the same services."""

import pytest

from apps.accounts.models import ApiToken, ServiceAccount
from apps.accounts.services import service_account_create
from apps.teams.models import MemberRole, Membership
from tests.accounts.test_tokens import client_with
from tests.factories import StaffFactory
from tests.querycount import assert_queries_independent_of_rows

pytestmark = pytest.mark.django_db


def section(client, team) -> str:
    page = client.get(f"/teams/{team.slug}/")
    assert page.status_code == 200
    html = page.content.decode()
    return html[html.index('id="service-accounts"') :] if 'id="service-accounts"' in html else ""


def test_the_lead_creates_one_and_issues_it_a_token(client, team, team_lead):
    client.force_login(team_lead)
    assert "Create service account" in section(client, team)
    response = client.post(
        f"/account/teams/{team.slug}/service-accounts/",
        {"username": "page-bot", "role": "data_scientist", "description": "Weekly retrain"},
    )
    assert response.status_code == 302 and response.url.endswith("#service-accounts")
    account = ServiceAccount.objects.get(user__username="page-bot")
    assert (account.team, account.role, account.description) == (
        team,
        MemberRole.DATA_SCIENTIST,
        "Weekly retrain",
    )
    html = section(client, team)
    assert "page-bot" in html and "Issue token" in html
    issued = client.post(
        "/account/tokens/", {"name": "retrain job", "owner": account.user.pk, "read_only": "on"}
    )
    assert issued.status_code == 200
    plain = issued.context["created"]["plain"]
    assert plain in issued.content.decode()
    token = ApiToken.objects.get(user=account.user)
    assert token.read_only and token.created_by == team_lead and token.name == "retrain job"
    assert client_with(plain).get(f"/api/v1/teams/{team.slug}/").status_code == 200
    # the Tokens page lists it for the lead, with a revoke button
    tokens_page = client.get(f"/account/tokens/?user={account.user.username}").content.decode()
    assert "retrain job" in tokens_page and f"/account/tokens/{token.pk}/revoke/" in tokens_page


def test_form_errors_are_shown_and_nothing_is_written(client, team, team_lead):
    client.force_login(team_lead)
    response = client.post(
        f"/account/teams/{team.slug}/service-accounts/", {"username": "lead-bot", "role": "lead"}, follow=True
    )
    assert "not one of the available choices" in response.content.decode()
    assert not ServiceAccount.objects.exists()


def test_deactivate_and_reactivate_from_the_team_page(client, team, team_lead):
    account = service_account_create(actor=team_lead, team=team, username="old-bot")
    client.force_login(team_lead)
    client.post("/account/tokens/", {"name": "t", "owner": account.user.pk})
    assert ApiToken.objects.filter(user=account.user).exists()
    client.post(f"/account/service-accounts/{account.pk}/deactivate/")
    account.user.refresh_from_db()
    assert not account.user.is_active and not ApiToken.objects.filter(user=account.user).exists()
    assert "Deactivated" in section(client, team)
    client.post(f"/account/service-accounts/{account.pk}/reactivate/")
    account.user.refresh_from_db()
    assert account.user.is_active


def test_members_read_it_others_see_nothing_and_cannot_post(client, team, team_lead, team_engineer, outsider):
    account = service_account_create(actor=team_lead, team=team, username="read-bot")
    client.force_login(team_engineer)
    html = section(client, team)
    assert "read-bot" in html and "Create service account" not in html and "Issue token" not in html
    assert f"Only a lead of {team.name}, or platform staff" in html
    # in the members list it is marked, and cannot be removed by hand
    members = client.get(f"/teams/{team.slug}/").content.decode()
    assert "service account</span>" in members
    client.force_login(outsider)
    assert section(client, team) == ""
    response = client.post(f"/account/service-accounts/{account.pk}/deactivate/")
    assert response.status_code == 403
    response = client.post(
        f"/account/teams/{team.slug}/service-accounts/", {"username": "x", "role": "engineer"}
    )
    assert response.status_code == 403
    account.user.refresh_from_db()
    assert account.user.is_active and not ServiceAccount.objects.filter(user__username="x").exists()
    # nor issue it a token through the Tokens page
    client.post("/account/tokens/", {"name": "t", "owner": account.user.pk})
    assert not ApiToken.objects.filter(user=account.user).exists()


def test_the_team_page_queries_do_not_grow_with_service_accounts(client, team, team_lead):
    count = iter(range(100))

    def add_rows():
        account = service_account_create(actor=team_lead, team=team, username=f"bot-{next(count)}")
        client.post("/account/tokens/", {"name": "t", "owner": account.user.pk})

    client.force_login(team_lead)
    assert_queries_independent_of_rows(client, f"/teams/{team.slug}/", add_rows, expected=16)


def test_the_admin_makes_changes_and_deactivates_them(client, team):
    admin = StaffFactory(is_superuser=True)
    client.force_login(admin)
    response = client.post(
        "/admin/accounts/serviceaccount/add/",
        {"username": "admin-bot", "team": team.pk, "role": "engineer", "description": "From the admin"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    account = ServiceAccount.objects.get(user__username="admin-bot")
    assert account.created_by == admin and Membership.objects.get(user=account.user).team == team
    response = client.post(
        f"/admin/accounts/serviceaccount/{account.pk}/change/", {"role": "ml_engineer", "description": "x"}
    )
    assert response.status_code == 302
    assert Membership.objects.get(user=account.user).role == MemberRole.ML_ENGINEER
    client.post("/admin/accounts/serviceaccount/", {"action": "deactivate", "_selected_action": [account.pk]})
    account.user.refresh_from_db()
    assert not account.user.is_active
