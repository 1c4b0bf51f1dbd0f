"""Login throttling and lockout (django-axes) with real requests: the login page and the token
endpoint, per username and per address; unlocking by platform staff in the admin and the API."""

from datetime import timedelta

import pytest
from axes.models import AccessAttempt
from django.test import Client
from rest_framework.test import APIClient

from apps.accounts.models import ApiToken
from tests.factories import PASSWORD, UserFactory

pytestmark = pytest.mark.django_db

LIMIT = 5


@pytest.fixture(autouse=True)
def lockout_settings(settings):
    settings.AXES_FAILURE_LIMIT = LIMIT


def page_login(client, username, password, address="10.0.0.1"):
    return client.post("/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


def api_login(username, password, address="10.0.0.1"):
    return APIClient().post(
        "/api/v1/auth/token/",
        {"username": username, "password": password},
        format="json",
        REMOTE_ADDR=address,
    )


def test_five_bad_passwords_lock_the_login_page_and_the_right_one_is_refused_while_locked(outsider):
    client = Client()
    for _ in range(LIMIT - 1):
        response = page_login(client, outsider.username, "wrong")
        assert response.status_code == 200  # the form again, with its error
    response = page_login(client, outsider.username, "wrong")
    assert response.status_code == 429
    body = response.content.decode()
    assert "Too many failed sign-ins" in body and "locked until" in body
    assert int(response["Retry-After"]) > 0
    response = page_login(client, outsider.username, PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session
    assert client.get("/teams/").status_code == 302  # still signed out


def test_the_token_endpoint_answers_429_json_naming_when_to_retry(outsider, settings):
    settings.AXES_COOLOFF_TIME = timedelta(minutes=15)
    for _ in range(LIMIT - 1):
        assert api_login(outsider.username, "wrong").status_code == 400
    response = api_login(outsider.username, "wrong")
    assert response.status_code == 429
    body = response.json()
    assert "locked until" in body["detail"]
    assert 14 * 60 <= body["retry_after_seconds"] <= 15 * 60
    assert body["retry_after"]
    assert response["Retry-After"] == str(body["retry_after_seconds"])
    refused = api_login(outsider.username, PASSWORD)
    assert refused.status_code == 429
    assert not ApiToken.objects.filter(user=outsider).exists()


def test_failures_on_the_page_and_the_api_count_together(outsider):
    client = Client()
    for _ in range(3):
        page_login(client, outsider.username, "wrong")
    api_login(outsider.username, "wrong")
    assert api_login(outsider.username, "wrong").status_code == 429


def test_a_username_is_locked_from_every_address(outsider):
    for number in range(LIMIT):
        api_login(outsider.username, "wrong", address=f"10.0.1.{number}")
    assert api_login(outsider.username, PASSWORD, address="10.0.2.1").status_code == 429


def test_an_address_is_locked_for_every_username(db):
    users = UserFactory.create_batch(LIMIT + 1)
    for user in users[:LIMIT]:
        api_login(user.username, "wrong", address="10.0.3.3")
    assert api_login(users[LIMIT].username, PASSWORD, address="10.0.3.3").status_code == 429
    # the same user from another address is not locked: neither its username nor that address failed
    assert api_login(users[LIMIT].username, PASSWORD, address="10.0.3.4").status_code == 200


def test_other_users_and_addresses_are_not_locked(outsider, team_engineer):
    for _ in range(LIMIT):
        api_login(outsider.username, "wrong")
    assert api_login(team_engineer.username, PASSWORD, address="10.9.9.9").status_code == 200


def test_staff_unlock_in_the_admin_and_the_user_signs_in_again(outsider, staff_user):
    staff_user.is_superuser = True
    staff_user.save()
    client = Client()
    for _ in range(LIMIT):
        page_login(client, outsider.username, "wrong")
    assert page_login(client, outsider.username, PASSWORD).status_code == 429
    admin = Client()
    admin.force_login(staff_user)
    listed = admin.get("/admin/axes/accessattempt/")
    assert listed.status_code == 200 and outsider.username in listed.content.decode()
    ids = [
        str(pk)
        for pk in AccessAttempt.objects.filter(username=outsider.username).values_list("pk", flat=True)
    ]
    response = admin.post(
        "/admin/axes/accessattempt/",
        {"action": "delete_selected", "_selected_action": ids, "post": "yes"},
    )
    assert response.status_code == 302
    assert not AccessAttempt.objects.filter(username=outsider.username).exists()
    response = page_login(client, outsider.username, PASSWORD)
    assert response.status_code == 302
    assert client.session["_auth_user_id"] == str(outsider.pk)


def test_staff_unlock_through_the_api(outsider, staff_user, api_as):
    for _ in range(LIMIT):
        api_login(outsider.username, "wrong")
    listed = api_as(staff_user).get("/api/v1/auth/lockouts/", {"username": outsider.username}).json()
    assert listed["count"] == 1 and listed["results"][0]["failures"] == LIMIT
    response = api_as(staff_user).post(
        "/api/v1/auth/lockouts/unlock/", {"username": outsider.username}, format="json"
    )
    assert response.status_code == 200 and response.json() == {"unlocked": 1}
    assert not AccessAttempt.objects.filter(username=outsider.username).exists()
    assert api_login(outsider.username, PASSWORD).status_code == 200


def test_only_staff_see_and_unlock_lockouts(outsider, team_lead, api_as):
    for _ in range(LIMIT):
        api_login(outsider.username, "wrong")
    assert api_as(team_lead).get("/api/v1/auth/lockouts/").status_code == 403
    response = api_as(team_lead).post(
        "/api/v1/auth/lockouts/unlock/", {"username": outsider.username}, format="json"
    )
    assert response.status_code == 403
    assert AccessAttempt.objects.filter(username=outsider.username).exists()


def test_unlock_without_a_username_or_address_is_a_400(staff_user, api_as):
    response = api_as(staff_user).post("/api/v1/auth/lockouts/unlock/", {}, format="json")
    assert response.status_code == 400
    assert "username" in response.json()


def test_the_limit_and_lockout_minutes_come_from_the_environment(monkeypatch):
    import importlib

    import portal.settings as portal_settings

    monkeypatch.setenv("PORTAL_LOGIN_FAILURE_LIMIT", "7")
    monkeypatch.setenv("PORTAL_LOCKOUT_MINUTES", "30")
    monkeypatch.setenv("PORTAL_SESSION_HOURS", "8")
    try:
        reloaded = importlib.reload(portal_settings)
        assert reloaded.AXES_FAILURE_LIMIT == 7
        assert reloaded.AXES_COOLOFF_TIME.total_seconds() == 30 * 60
        assert reloaded.SESSION_COOKIE_AGE == 8 * 3600
    finally:
        monkeypatch.undo()
        importlib.reload(portal_settings)
