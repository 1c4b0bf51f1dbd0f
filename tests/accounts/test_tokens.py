"""API tokens: made once and stored hashed, expiring, revocable, read-only scope, last-used time."""

import hashlib
from datetime import timedelta

import pytest
from django.db import connection
from django.utils import timezone
from rest_framework.test import APIClient

from apps.accounts.models import ApiToken
from apps.teams.models import Team
from tests.factories import PASSWORD, api_token

pytestmark = pytest.mark.django_db


def client_with(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_a_new_token_is_answered_once_and_only_its_hash_is_stored(api_as, outsider):
    response = api_as(outsider).post("/api/v1/tokens/", {"name": "nightly job"}, format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    plain = body["token"]
    row = ApiToken.objects.get(pk=body["id"])
    assert row.digest == hashlib.sha512(plain.encode()).hexdigest()
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT * FROM {ApiToken._meta.db_table}")
        stored = [str(value) for record in cursor.fetchall() for value in record]
    assert not any(plain in value for value in stored)
    assert row.token_key == plain[: len(row.token_key)]
    assert client_with(plain).get("/api/v1/teams/").status_code == 200
    listed = api_as(outsider).get("/api/v1/tokens/").json()["results"]
    assert {item["name"] for item in listed} >= {"nightly job"}
    assert all("token" not in item for item in listed)


def test_a_token_expires_by_default_after_90_days(api_as, outsider):
    body = api_as(outsider).post("/api/v1/tokens/", {"name": "default"}, format="json").json()
    expiry = ApiToken.objects.get(pk=body["id"]).expiry
    assert abs(expiry - (timezone.now() + timedelta(days=90))) < timedelta(minutes=1)


def test_an_expiry_past_the_maximum_is_a_400_naming_it(api_as, outsider, settings):
    settings.PORTAL_TOKEN_MAX_DAYS = 30
    late = (timezone.now() + timedelta(days=31)).isoformat()
    response = api_as(outsider).post("/api/v1/tokens/", {"name": "late", "expiry": late}, format="json")
    assert response.status_code == 400
    assert "30 days" in response.json()["expiry"][0]
    assert not ApiToken.objects.filter(name="late").exists()


def test_an_expired_token_is_refused_with_401(outsider):
    plain = api_token(outsider)
    client = client_with(plain)
    assert client.get("/api/v1/teams/").status_code == 200
    ApiToken.objects.filter(user=outsider).update(expiry=timezone.now() - timedelta(seconds=1))
    response = client.get("/api/v1/teams/")
    assert response.status_code == 401
    assert "expired" in response.json()["detail"].lower()


def test_a_revoked_token_stops_working(api_as, outsider):
    plain = api_token(outsider, name="to revoke")
    token = ApiToken.objects.get(user=outsider, name="to revoke")
    assert client_with(plain).get("/api/v1/teams/").status_code == 200
    assert api_as(outsider).delete(f"/api/v1/tokens/{token.pk}/").status_code == 204
    assert not ApiToken.objects.filter(pk=token.pk).exists()
    assert client_with(plain).get("/api/v1/teams/").status_code == 401


def test_someone_elses_token_is_neither_listed_nor_revocable(api_as, outsider, team_engineer, staff_user):
    api_token(team_engineer, name="engineer's")
    token = ApiToken.objects.get(user=team_engineer)
    assert api_as(outsider).delete(f"/api/v1/tokens/{token.pk}/").status_code == 404
    names = [item["name"] for item in api_as(outsider).get("/api/v1/tokens/").json()["results"]]
    assert "engineer's" not in names
    assert ApiToken.objects.filter(pk=token.pk).exists()
    # platform staff see and revoke every token
    assert api_as(staff_user).get(f"/api/v1/tokens/?user={team_engineer.username}").json()["count"] == 1
    assert api_as(staff_user).delete(f"/api/v1/tokens/{token.pk}/").status_code == 204
    assert not ApiToken.objects.filter(pk=token.pk).exists()


def test_a_plain_user_cannot_make_a_token_for_someone_else(api_as, outsider, team_engineer):
    response = api_as(outsider).post(
        "/api/v1/tokens/", {"name": "theirs", "user": team_engineer.username}, format="json"
    )
    assert response.status_code == 403
    assert not ApiToken.objects.filter(user=team_engineer).exists()


def test_a_read_only_token_reads_but_cannot_write(team, team_lead):
    plain = api_token(team_lead, read_only=True)
    client = client_with(plain)
    assert client.get(f"/api/v1/teams/{team.slug}/").status_code == 200
    response = client.patch(f"/api/v1/teams/{team.slug}/", {"focus": "changed"}, format="json")
    assert response.status_code == 403
    assert "read-only" in response.json()["detail"]
    team.refresh_from_db()
    assert team.focus != "changed"
    assert client.delete(f"/api/v1/teams/{team.slug}/").status_code == 403
    assert Team.objects.filter(pk=team.pk).exists()
    # the same user's read-and-write token may
    writer = client_with(api_token(team_lead))
    assert writer.patch(f"/api/v1/teams/{team.slug}/", {"focus": "changed"}, format="json").status_code == 200
    team.refresh_from_db()
    assert team.focus == "changed"


def test_last_use_is_recorded(outsider, django_capture_on_commit_callbacks):
    plain = api_token(outsider)
    assert ApiToken.objects.get(user=outsider).last_used_at is None
    with django_capture_on_commit_callbacks(execute=True):
        assert client_with(plain).get("/api/v1/teams/").status_code == 200
    used = ApiToken.objects.get(user=outsider).last_used_at
    assert used is not None and timezone.now() - used < timedelta(minutes=1)


def test_the_login_endpoint_issues_a_new_expiring_token(anon_api, team_lead):
    response = anon_api.post("/api/v1/auth/token/", {"username": team_lead.username, "password": PASSWORD})
    assert response.status_code == 200
    assert set(response.json()) == {"token"}
    token = ApiToken.objects.get(user=team_lead)
    assert token.expiry > timezone.now() + timedelta(days=89)
    assert client_with(response.json()["token"]).get("/api/v1/teams/").status_code == 200


def test_a_deactivated_users_token_is_refused(outsider):
    client = client_with(api_token(outsider))
    outsider.is_active = False
    outsider.save()
    assert client.get("/api/v1/teams/").status_code == 401
