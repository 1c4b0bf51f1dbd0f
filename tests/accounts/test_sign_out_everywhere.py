"""Session lifetime and signing out everywhere: every session of the user ends and every token of
theirs is revoked, from the account page and from the API; other users keep theirs."""

import pytest
from django.contrib.sessions.models import Session
from django.test import Client
from rest_framework.test import APIClient

from apps.accounts.models import ApiToken, UserSession
from tests.factories import api_token

pytestmark = pytest.mark.django_db


def with_token(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def signed_in(two_sessions_of, browser_login):
    return [browser_login(Client(), two_sessions_of) for _ in range(2)]


def test_the_session_lasts_the_configured_hours(outsider, browser_login, settings):
    settings.SESSION_COOKIE_AGE = 8 * 3600
    client = browser_login(Client(), outsider)
    assert client.cookies["sessionid"]["max-age"] == 8 * 3600
    assert "8 hours" in client.get("/account/").content.decode()


def test_the_account_page_signs_out_every_session_and_revokes_every_token(
    outsider, team_engineer, browser_login
):
    first, second = signed_in(outsider, browser_login)
    plain = api_token(outsider)
    other_session = browser_login(Client(), team_engineer)
    other_token = api_token(team_engineer)
    assert UserSession.objects.filter(user=outsider).count() == 2
    for client in (first, second):
        assert client.get("/teams/").status_code == 200
    assert with_token(plain).get("/api/v1/teams/").status_code == 200

    page = first.get("/account/").content.decode()
    assert "Sign out everywhere" in page
    response = first.post("/account/sign-out-everywhere/", follow=True)
    assert response.redirect_chain[-1][0] == "/login/"
    assert "2 session(s) ended and 1 API token(s) revoked" in response.content.decode()

    assert first.get("/teams/").status_code == 302
    assert second.get("/teams/").status_code == 302
    assert with_token(plain).get("/api/v1/teams/").status_code == 401
    assert not ApiToken.objects.filter(user=outsider).exists()
    assert not UserSession.objects.filter(user=outsider).exists()
    remaining = {session.get_decoded().get("_auth_user_id") for session in Session.objects.all()}
    assert str(outsider.pk) not in remaining
    # someone else's session and token are untouched
    assert other_session.get("/teams/").status_code == 200
    assert with_token(other_token).get("/api/v1/teams/").status_code == 200


def test_the_api_signs_out_everywhere_including_its_own_token(outsider, browser_login):
    first, second = signed_in(outsider, browser_login)
    plain = api_token(outsider)
    response = with_token(plain).post("/api/v1/auth/sign-out-everywhere/")
    assert response.status_code == 200
    assert response.json() == {"sessions_ended": 2, "tokens_revoked": 1}
    assert first.get("/teams/").status_code == 302
    assert second.get("/teams/").status_code == 302
    assert with_token(plain).get("/api/v1/teams/").status_code == 401


def test_signing_out_everywhere_needs_a_signed_in_user(client):
    assert APIClient().post("/api/v1/auth/sign-out-everywhere/").status_code == 401
    response = client.post("/account/sign-out-everywhere/")
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_a_read_only_token_cannot_sign_out_everywhere(outsider):
    plain = api_token(outsider, read_only=True)
    assert with_token(plain).post("/api/v1/auth/sign-out-everywhere/").status_code == 403
    assert ApiToken.objects.filter(user=outsider).exists()
