"""Service accounts: a team's lead (or platform staff) creates them; each is a user of exactly one
team with a role, signs in with tokens only, and may do what a member of that team with that role
may, nothing else. Their tokens are made by the lead or staff, listed and revoked by the account
itself, the lead and staff; another team's lead neither sees nor revokes them."""

from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.utils import timezone

from apps.accounts.models import ApiToken, ServiceAccount
from apps.modelrequests.models import ModelRequest
from apps.teams.models import MemberRole, Membership, Team
from tests.accounts.test_tokens import client_with
from tests.conftest import member_of
from tests.factories import PASSWORD, PlatformTeamFactory, TeamFactory
from tests.querycount import assert_queries_independent_of_rows

pytestmark = pytest.mark.django_db
User = get_user_model()
URL = "/api/v1/service-accounts/"


@pytest.fixture
def other_team(db):
    return TeamFactory()


@pytest.fixture
def other_lead(other_team):
    return member_of(other_team, MemberRole.LEAD)


def make_account(api_as, lead, team, username="scoring-bot", role="engineer"):
    response = api_as(lead).post(URL, {"username": username, "team": team.slug, "role": role}, format="json")
    assert response.status_code == 201, response.content
    return ServiceAccount.objects.select_related("user").get(user__username=username)


def token_for(api_as, actor, account, **fields):
    response = api_as(actor).post(
        "/api/v1/tokens/", {"name": "ci", "user": account.user.username, **fields}, format="json"
    )
    assert response.status_code == 201, response.content
    return response.json()["token"]


def test_a_lead_creates_a_service_account_of_their_team(api_as, team, team_lead):
    response = api_as(team_lead).post(
        URL,
        {
            "username": "nightly-job",
            "team": team.slug,
            "role": "ml_engineer",
            "description": "Nightly scoring",
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["team"] == team.slug and body["role"] == "ml_engineer" and body["is_active"] is True
    assert body["created_by"] == team_lead.username
    account = ServiceAccount.objects.get(user__username="nightly-job")
    assert (account.team, account.role, account.created_by) == (team, MemberRole.ML_ENGINEER, team_lead)
    assert not account.user.has_usable_password() and not account.user.is_staff
    assert list(Membership.objects.filter(user=account.user).values_list("team", "role")) == [
        (team.pk, MemberRole.ML_ENGINEER)
    ]


@pytest.mark.parametrize("who", ["team_engineer", "team_pm", "other_lead", "outsider"])
def test_only_the_lead_or_staff_create_them(api_as, request, team, who):
    response = api_as(request.getfixturevalue(who)).post(
        URL, {"username": "sneaky", "team": team.slug}, format="json"
    )
    assert response.status_code == 403
    assert f"Only a lead of {team.name}, or platform staff" in response.json()["detail"]
    assert not User.objects.filter(username="sneaky").exists()


def test_staff_create_one_for_any_team(api_as, staff_user, other_team):
    make_account(api_as, staff_user, other_team, username="staff-made")
    assert ServiceAccount.objects.get(user__username="staff-made").team == other_team


@pytest.mark.parametrize(
    ("body", "field", "words"),
    [
        ({"username": "bot", "role": "lead"}, "role", "cannot be a team's lead"),
        ({"username": "taken"}, "username", "taken"),
        ({"username": "bad name"}, "username", "valid username"),
        ({"username": "bot", "password": "x"}, "password", "Unknown field"),
        ({"username": "bot", "team": "nope"}, "team", "not exist"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(api_as, team, team_lead, body, field, words):
    from tests.factories import UserFactory

    UserFactory(username="taken")
    before = User.objects.count()
    response = api_as(team_lead).post(URL, {"team": team.slug, **body}, format="json")
    assert response.status_code == 400, response.content
    assert words.lower() in " ".join(response.json()[field]).lower()
    assert User.objects.count() == before and not ServiceAccount.objects.exists()


def test_it_cannot_sign_in_with_a_password(api_as, team, team_lead, client, anon_api):
    account = make_account(api_as, team_lead, team)
    account.user.set_password(PASSWORD)  # even one set by hand in the admin
    account.user.save()
    assert (
        client.post("/login/", {"username": account.user.username, "password": PASSWORD}).status_code == 200
    )
    response = anon_api.post("/api/v1/auth/token/", {"username": account.user.username, "password": PASSWORD})
    assert response.status_code == 400
    assert not ApiToken.objects.filter(user=account.user).exists()


def test_it_belongs_to_its_one_team_only(api_as, team, team_lead, other_team, other_lead, staff_user):
    account = make_account(api_as, team_lead, team)
    response = api_as(staff_user).post(
        "/api/v1/members/",
        {"team": other_team.slug, "user": account.user.username, "role": "engineer"},
        format="json",
    )
    assert response.status_code == 400
    assert "service account" in response.json()["user"][0]
    membership = Membership.objects.get(user=account.user)
    assert api_as(team_lead).delete(f"/api/v1/members/{membership.pk}/").status_code == 400
    changed = api_as(team_lead).patch(f"/api/v1/members/{membership.pk}/", {"role": "lead"}, format="json")
    assert changed.status_code == 400
    assert list(Membership.objects.filter(user=account.user).values_list("team", "role")) == [
        (team.pk, MemberRole.ENGINEER)
    ]


def test_its_role_changes_through_its_own_endpoint(api_as, team, team_lead):
    account = make_account(api_as, team_lead, team)
    response = api_as(team_lead).patch(
        f"{URL}{account.user.username}/", {"role": "product_manager"}, format="json"
    )
    assert response.status_code == 200, response.content
    account.refresh_from_db()
    assert account.role == MemberRole.PRODUCT_MANAGER
    assert Membership.objects.get(user=account.user).role == MemberRole.PRODUCT_MANAGER
    refused = api_as(team_lead).patch(f"{URL}{account.user.username}/", {"team": "elsewhere"}, format="json")
    assert refused.status_code == 400 and "Unknown field" in refused.json()["team"][0]


def request_body(team, **changes):
    return {
        "title": "Score orders",
        "problem_statement": "Too many manual reviews.",
        "requesting_team": team.slug,
        "delivering_team": PlatformTeamFactory().slug,
        "value_stream": team.value_stream.slug,
        "kpi": "Manual review rate",
        "expected_change": 1.0,
        "affected_volume": 1000,
        "simplest_alternative": "A rule on order value.",
    } | changes


def test_its_token_acts_with_its_team_role_and_nothing_else(api_as, team, team_lead, other_team):
    engineer_bot = make_account(api_as, team_lead, team, username="engineer-bot", role="engineer")
    bot = client_with(token_for(api_as, team_lead, engineer_bot))
    # a member of the team may file a request for it ...
    filed = bot.post("/api/v1/model-requests/", request_body(team), format="json")
    assert filed.status_code == 201, filed.content
    assert ModelRequest.objects.get(pk=filed.json()["id"]).created_by == engineer_bot.user
    # ... not for another team
    refused = bot.post("/api/v1/model-requests/", request_body(other_team, title="Not ours"), format="json")
    assert refused.status_code == 403
    assert not ModelRequest.objects.filter(title="Not ours").exists()
    # an engineer may not edit the Team API; a product manager of the team may, of no other team
    assert (
        bot.patch(f"/api/v1/teams/{team.slug}/", {"focus": "bot was here"}, format="json").status_code == 403
    )
    pm_bot = make_account(api_as, team_lead, team, username="pm-bot", role="product_manager")
    pm = client_with(token_for(api_as, team_lead, pm_bot))
    assert (
        pm.patch(f"/api/v1/teams/{team.slug}/", {"focus": "set by pm-bot"}, format="json").status_code == 200
    )
    assert (
        pm.patch(f"/api/v1/teams/{other_team.slug}/", {"focus": "hijacked"}, format="json").status_code == 403
    )
    assert Team.objects.get(pk=team.pk).focus == "set by pm-bot"
    assert Team.objects.get(pk=other_team.pk).focus != "hijacked"
    # nor does it manage accounts: no users, no service accounts, no tokens of its own making
    assert pm.get("/api/v1/users/").status_code == 403
    assert pm.post(URL, {"username": "child-bot", "team": team.slug}, format="json").status_code == 403
    minted = pm.post("/api/v1/tokens/", {"name": "more"}, format="json")
    assert minted.status_code == 403
    assert ApiToken.objects.filter(user=pm_bot.user).count() == 1


def test_read_only_expired_and_revoked_tokens_are_refused(api_as, team, team_lead):
    account = make_account(api_as, team_lead, team, role="product_manager")
    reader = client_with(token_for(api_as, team_lead, account, read_only=True))
    assert reader.get(f"/api/v1/teams/{team.slug}/").status_code == 200
    response = reader.patch(f"/api/v1/teams/{team.slug}/", {"focus": "read-only write"}, format="json")
    assert response.status_code == 403 and "read-only" in response.json()["detail"]
    assert Team.objects.get(pk=team.pk).focus != "read-only write"

    plain = token_for(api_as, team_lead, account)
    writer = client_with(plain)
    assert writer.get("/api/v1/teams/").status_code == 200
    token = ApiToken.objects.get(user=account.user, read_only=False)
    ApiToken.objects.filter(pk=token.pk).update(expiry=timezone.now() - timedelta(seconds=1))
    expired = writer.patch(f"/api/v1/teams/{team.slug}/", {"focus": "expired write"}, format="json")
    assert expired.status_code == 401 and "expired" in expired.json()["detail"].lower()

    fresh = client_with(token_for(api_as, team_lead, account, name="fresh"))
    fresh_row = ApiToken.objects.get(user=account.user, name="fresh")
    assert api_as(team_lead).delete(f"/api/v1/tokens/{fresh_row.pk}/").status_code == 204
    assert not ApiToken.objects.filter(pk=fresh_row.pk).exists()
    assert (
        fresh.patch(f"/api/v1/teams/{team.slug}/", {"focus": "revoked write"}, format="json").status_code
        == 401
    )
    assert Team.objects.get(pk=team.pk).focus not in ("expired write", "revoked write")


def test_tokens_are_listed_and_revoked_by_owner_lead_and_staff_only(
    api_as, team, team_lead, team_engineer, other_lead, staff_user
):
    account = make_account(api_as, team_lead, team)
    plain = token_for(api_as, team_lead, account)
    token = ApiToken.objects.get(user=account.user)
    assert token.created_by == team_lead

    def listed(client):
        return [
            row["id"] for row in client.get(f"/api/v1/tokens/?user={account.user.username}").json()["results"]
        ]

    assert listed(client_with(plain)) == [token.pk]  # the service account itself
    assert listed(api_as(team_lead)) == [token.pk]
    assert listed(api_as(staff_user)) == [token.pk]
    assert listed(api_as(other_lead)) == [] and listed(api_as(team_engineer)) == []
    # another team's lead cannot see the account, make or revoke its tokens
    assert api_as(other_lead).get(f"{URL}{account.user.username}/").status_code == 404
    assert account.user.username not in str(api_as(other_lead).get(URL).json())
    assert api_as(other_lead).delete(f"/api/v1/tokens/{token.pk}/").status_code == 404
    made = api_as(other_lead).post(
        "/api/v1/tokens/", {"name": "x", "user": account.user.username}, format="json"
    )
    assert made.status_code == 403
    assert api_as(other_lead).post(f"{URL}{account.user.username}/deactivate/").status_code == 404
    assert list(ApiToken.objects.filter(user=account.user).values_list("pk", flat=True)) == [token.pk]
    # a member of the team sees the account but not its tokens, and cannot deactivate it
    assert api_as(team_engineer).get(f"{URL}{account.user.username}/").status_code == 200
    refused = api_as(team_engineer).post(f"{URL}{account.user.username}/deactivate/")
    assert refused.status_code == 403 and f"Only a lead of {team.name}" in refused.json()["detail"]
    # the owner revokes its own token
    assert client_with(plain).delete(f"/api/v1/tokens/{token.pk}/").status_code == 204
    assert not ApiToken.objects.filter(pk=token.pk).exists()


def test_deactivation_revokes_its_tokens_and_reactivation_allows_new_ones(api_as, team, team_lead):
    account = make_account(api_as, team_lead, team)
    bot = client_with(token_for(api_as, team_lead, account))
    response = api_as(team_lead).post(f"{URL}{account.user.username}/deactivate/")
    assert response.status_code == 200 and response.json()["is_active"] is False
    account.user.refresh_from_db()
    assert not account.user.is_active and not ApiToken.objects.filter(user=account.user).exists()
    assert bot.get("/api/v1/teams/").status_code == 401
    refused = api_as(team_lead).post(
        "/api/v1/tokens/", {"name": "x", "user": account.user.username}, format="json"
    )
    assert refused.status_code == 400 and "deactivated" in refused.json()["user"][0]
    assert api_as(team_lead).post(f"{URL}{account.user.username}/reactivate/").status_code == 200
    account.user.refresh_from_db()
    assert account.user.is_active
    assert client_with(token_for(api_as, team_lead, account)).get("/api/v1/teams/").status_code == 200


def test_the_list_shows_what_you_may_see_and_filters(
    api_as, team, team_lead, team_engineer, other_team, staff_user
):
    make_account(api_as, team_lead, team, username="ours-bot")
    make_account(api_as, staff_user, other_team, username="theirs-bot")

    def names(user, query=""):
        response = api_as(user).get(f"{URL}?{query}")
        assert response.status_code == 200, response.content
        return {row["username"] for row in response.json()["results"]}

    assert names(team_engineer) == {"ours-bot"}
    assert names(staff_user) == {"ours-bot", "theirs-bot"}
    assert names(staff_user, f"team={other_team.slug}") == {"theirs-bot"}
    assert names(staff_user, "q=ours") == {"ours-bot"}
    assert names(staff_user, "is_active=false") == set()


def test_list_queries_do_not_grow_with_rows(api_as, team, team_lead):
    count = iter(range(100))

    def add_rows():
        account = make_account(api_as, team_lead, team, username=f"bot-{next(count)}")
        token_for(api_as, team_lead, account)

    assert_queries_independent_of_rows(api_as(team_lead), URL, add_rows, expected=3)
    assert_queries_independent_of_rows(api_as(team_lead), "/api/v1/tokens/", add_rows, expected=4)
