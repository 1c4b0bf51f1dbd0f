"""Platform staff create, list, deactivate and reactivate users through the API, the Users page and
the admin; everyone else is refused with a 403 saying who can. A deactivated user cannot sign in, and
their tokens and sessions end at once."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sessions.models import Session

from apps.accounts.models import ApiToken
from apps.teams.models import MemberRole, Membership
from tests.accounts.test_tokens import client_with
from tests.factories import PASSWORD, MembershipFactory, StaffFactory, UserFactory, api_token
from tests.querycount import assert_queries_independent_of_rows

pytestmark = pytest.mark.django_db
User = get_user_model()


def test_staff_create_a_user_in_a_team(api_as, staff_user, team):
    response = api_as(staff_user).post(
        "/api/v1/users/",
        {
            "username": "ada",
            "email": "ada@example.com",
            "name": "Ada Lovelace",
            "team": team.slug,
            "role": "engineer",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["name"] == "Ada Lovelace" and body["teams"] == [{"team": team.slug, "role": "engineer"}]
    ada = User.objects.get(username="ada")
    assert (ada.first_name, ada.last_name, ada.email, ada.is_active) == (
        "Ada",
        "Lovelace",
        "ada@example.com",
        True,
    )
    assert not ada.has_usable_password()  # signs in through SSO or a password reset
    assert Membership.objects.get(user=ada).team == team


def test_a_user_made_with_a_password_signs_in(api_as, staff_user, client):
    response = api_as(staff_user).post(
        "/api/v1/users/", {"username": "bob", "email": "bob@example.com", "password": PASSWORD}, format="json"
    )
    assert response.status_code == 201
    assert "password" not in response.json()
    assert client.post("/login/", {"username": "bob", "password": PASSWORD}).status_code == 302


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"username": "taken", "email": "new@example.com"}, "username", "taken"),
        ({"username": "new", "email": "taken@example.com"}, "email", "already"),
        ({"username": "new", "email": "not-an-address"}, "email", "not an e-mail"),
        ({"username": "has space", "email": "new@example.com"}, "username", "valid username"),
        ({"username": "new", "email": "new@example.com", "role": "engineer"}, "team", "both"),
        ({"username": "new", "email": "new@example.com", "password": "123"}, "password", "too short"),
        ({"username": "new", "email": "new@example.com", "is_staff": True}, "is_staff", "Unknown field"),
        (
            {"username": "new", "email": "new@example.com", "team": "nope", "role": "lead"},
            "team",
            "not exist",
        ),
    ],
)
def test_bad_input_is_a_400_naming_the_field_and_writes_nothing(api_as, staff_user, body, field, words):
    UserFactory(username="taken", email="taken@example.com")
    before = User.objects.count()
    response = api_as(staff_user).post("/api/v1/users/", body, format="json")
    assert response.status_code == 400, response.content
    assert words.lower() in " ".join(response.json()[field]).lower()
    assert User.objects.count() == before


def test_a_team_whose_members_come_from_the_idp_takes_no_user_by_hand(api_as, staff_user, team, settings):
    settings.SSO_ISSUER = "https://idp.example.com/realms/company"
    settings.SSO_CLIENT_ID = "portal"
    settings.SSO_CLIENT_SECRET = "secret"
    settings.SSO_GROUP_MAP = [f"{team.slug}-people={team.slug}:engineer"]
    response = api_as(staff_user).post(
        "/api/v1/users/",
        {"username": "idp", "email": "idp@example.com", "team": team.slug, "role": "engineer"},
        format="json",
    )
    assert response.status_code == 400
    assert "identity provider" in response.json()["team"][0]
    assert not User.objects.filter(username="idp").exists()  # the user was rolled back with it


@pytest.mark.parametrize("who", ["outsider", "team_lead"])
def test_non_staff_get_403_naming_who_can(api_as, request, who, team_engineer):
    user = request.getfixturevalue(who)
    client = api_as(user)
    for response in (
        client.get("/api/v1/users/"),
        client.post("/api/v1/users/", {"username": "x", "email": "x@example.com"}, format="json"),
        client.post(f"/api/v1/users/{team_engineer.username}/deactivate/"),
    ):
        assert response.status_code == 403
        assert "Only platform staff" in response.json()["detail"]
    team_engineer.refresh_from_db()
    assert team_engineer.is_active and not User.objects.filter(username="x").exists()


def test_deactivation_ends_sessions_and_tokens_and_sign_in(
    api_as, staff_user, team_engineer, client, browser_login
):
    plain = api_token(team_engineer)
    browser_login(client, team_engineer)
    assert client.get("/teams/").status_code == 200
    response = api_as(staff_user).post(f"/api/v1/users/{team_engineer.username}/deactivate/")
    assert response.status_code == 200 and response.json()["is_active"] is False
    team_engineer.refresh_from_db()
    assert not team_engineer.is_active
    assert not ApiToken.objects.filter(user=team_engineer).exists()
    assert not Session.objects.filter(session_key=client.session.session_key).exists()
    assert client.get("/teams/").status_code == 302  # back to the login page
    assert client_with(plain).get("/api/v1/teams/").status_code == 401
    from rest_framework.test import APIClient

    assert APIClient().post(
        "/api/v1/auth/token/", {"username": team_engineer.username, "password": PASSWORD}
    ).status_code in (400, 403)
    assert (
        client.post("/login/", {"username": team_engineer.username, "password": PASSWORD}).status_code == 200
    )
    # reactivated: signs in again, the old token stays revoked
    response = api_as(staff_user).post(f"/api/v1/users/{team_engineer.username}/reactivate/")
    assert response.status_code == 200 and response.json()["is_active"] is True
    team_engineer.refresh_from_db()
    assert team_engineer.is_active
    assert (
        client.post("/login/", {"username": team_engineer.username, "password": PASSWORD}).status_code == 302
    )
    assert client_with(plain).get("/api/v1/teams/").status_code == 401


def test_staff_cannot_deactivate_themselves_nor_a_superuser_unless_superuser(api_as, staff_user):
    response = api_as(staff_user).post(f"/api/v1/users/{staff_user.username}/deactivate/")
    assert response.status_code == 400 and "yourself" in response.json()["user"][0]
    root = UserFactory(is_superuser=True, is_staff=True)
    response = api_as(staff_user).post(f"/api/v1/users/{root.username}/deactivate/")
    assert response.status_code == 403
    staff_user.refresh_from_db()
    root.refresh_from_db()
    assert staff_user.is_active and root.is_active


def test_the_list_filters_by_search_active_and_team(api_as, staff_user, team):
    MembershipFactory(team=team, user=UserFactory(username="alice", first_name="Alice"))
    UserFactory(username="gone", is_active=False)
    client = api_as(staff_user)

    def names(query):
        response = client.get(f"/api/v1/users/?{query}")
        assert response.status_code == 200, response.content
        return {row["username"] for row in response.json()["results"]}

    assert names("q=alic") == {"alice"}
    assert names(f"team={team.slug}") == {"alice"}
    assert "gone" in names("is_active=false") and "alice" not in names("is_active=false")
    assert client.get("/api/v1/users/?is_active=maybe").status_code == 400


def test_user_list_queries_do_not_grow_with_rows(api_as, staff_user, client, team):
    def add_rows():
        user = UserFactory()
        MembershipFactory(team=team, user=user, role=MemberRole.ENGINEER)
        api_token(user)

    assert_queries_independent_of_rows(api_as(staff_user), "/api/v1/users/", add_rows, expected=4)
    client.force_login(staff_user)
    assert_queries_independent_of_rows(client, "/account/users/", add_rows, expected=6)


def test_the_users_page_creates_deactivates_and_reactivates(client, staff_user, team_engineer, team):
    client.force_login(staff_user)
    response = client.post(
        "/account/users/",
        {
            "username": "carol",
            "email": "carol@example.com",
            "name": "Carol Danvers",
            "team": team.slug,
            "role": "data_scientist",
        },
    )
    assert response.status_code == 302
    carol = User.objects.get(username="carol")
    assert Membership.objects.get(user=carol).role == MemberRole.DATA_SCIENTIST
    page = client.get("/account/users/?q=carol").content.decode()
    assert "Carol Danvers" in page and "Deactivate" in page
    api_token(team_engineer)
    next_url = "/account/users/?is_active=false"
    assert client.post(f"/account/users/{team_engineer.pk}/deactivate/", {"next": next_url}).url == next_url
    team_engineer.refresh_from_db()
    assert not team_engineer.is_active and not ApiToken.objects.filter(user=team_engineer).exists()
    client.post(f"/account/users/{team_engineer.pk}/reactivate/", {"next": "https://elsewhere.example/"})
    team_engineer.refresh_from_db()
    assert team_engineer.is_active


def test_the_users_page_shows_errors_on_the_form(client, staff_user):
    UserFactory(username="dup")
    client.force_login(staff_user)
    response = client.post("/account/users/", {"username": "dup", "email": "dup2@example.com"})
    assert response.status_code == 200
    assert "is taken" in response.content.decode()
    assert not User.objects.filter(email="dup2@example.com").exists()


def test_the_users_page_is_403_for_others_naming_who_can(client, team_lead):
    client.force_login(team_lead)
    response = client.get("/account/users/")
    assert response.status_code == 403
    assert "Only platform staff" in response.content.decode()
    assert "Users</a>" not in client.get("/teams/").content.decode()


def test_admin_deactivate_action_revokes_tokens(client, team_engineer):
    admin = StaffFactory(is_superuser=True)
    api_token(team_engineer)
    client.force_login(admin)
    response = client.post(
        "/admin/auth/user/", {"action": "deactivate", "_selected_action": [team_engineer.pk]}, follow=True
    )
    assert response.status_code == 200
    team_engineer.refresh_from_db()
    assert not team_engineer.is_active and not ApiToken.objects.filter(user=team_engineer).exists()
