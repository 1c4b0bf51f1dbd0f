"""The Tokens page: make a token (shown once), list, revoke; and tokens from before knox keep working."""

import pytest
from django.apps import apps
from django.db import connection

from apps.accounts.models import ApiToken
from tests.accounts.test_tokens import client_with
from tests.factories import api_token

pytestmark = pytest.mark.django_db


def test_the_tokens_page_shows_a_new_token_once(client, outsider):
    client.force_login(outsider)
    response = client.post("/account/tokens/", {"name": "laptop", "read_only": "on"})
    assert response.status_code == 200
    token = ApiToken.objects.get(user=outsider, name="laptop")
    assert token.read_only
    plain = response.context["created"]["plain"]
    assert plain in response.content.decode()
    assert client_with(plain).get("/api/v1/teams/").status_code == 200
    again = client.get("/account/tokens/").content.decode()
    assert "laptop" in again and plain not in again


def test_a_past_expiry_date_is_shown_on_the_form(client, outsider):
    client.force_login(outsider)
    response = client.post("/account/tokens/", {"name": "old", "expires_on": "2001-01-01"})
    assert "must be in the future" in response.content.decode()
    assert not ApiToken.objects.filter(name="old").exists()


def test_revoke_from_the_tokens_page(client, outsider, team_engineer):
    plain = api_token(outsider, name="revoke me")
    token = ApiToken.objects.get(user=outsider)
    client.force_login(team_engineer)
    assert client.post(f"/account/tokens/{token.pk}/revoke/").status_code == 404  # not theirs
    client.force_login(outsider)
    assert client.post(f"/account/tokens/{token.pk}/revoke/").status_code == 302
    assert not ApiToken.objects.filter(pk=token.pk).exists()
    assert client_with(plain).get("/api/v1/teams/").status_code == 401


def test_tokens_from_before_knox_become_hashed_and_keep_working(outsider):
    from importlib import import_module

    migration = import_module("apps.accounts.migrations.0002_move_authtoken_tokens")
    old_key = "0123456789abcdef0123456789abcdef01234567"
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE TABLE authtoken_token (key varchar(40) PRIMARY KEY, user_id integer, created timestamptz)"
        )
        cursor.execute("INSERT INTO authtoken_token VALUES (%s, %s, now())", [old_key, outsider.pk])
    with connection.schema_editor() as editor:
        migration.move_tokens(apps, editor)
    with connection.cursor() as cursor:
        cursor.execute("SELECT count(*) FROM authtoken_token")
        assert cursor.fetchone()[0] == 0
    token = ApiToken.objects.get(user=outsider)
    assert token.expiry is not None and old_key not in token.digest
    assert client_with(old_key).get("/api/v1/teams/").status_code == 200
