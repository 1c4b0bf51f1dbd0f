import pytest

from apps.teams.models import Interaction, Team
from tests.factories import (
    InteractionFactory,
    MembershipFactory,
    PlatformTeamFactory,
    TeamFactory,
    ValueStreamFactory,
)

pytestmark = pytest.mark.django_db

LIST_ENDPOINTS = ["/api/v1/streams/", "/api/v1/teams/", "/api/v1/members/", "/api/v1/interactions/"]


@pytest.mark.parametrize("url", LIST_ENDPOINTS)
def test_anonymous_gets_401(anon_api, url):
    response = anon_api.get(url)
    assert response.status_code == 401
    assert response.json()["detail"]


@pytest.mark.parametrize("url", LIST_ENDPOINTS)
def test_signed_in_user_reads_paginated_lists(api_as, outsider, url):
    InteractionFactory()
    MembershipFactory()
    body = api_as(outsider).get(url).json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] >= 1


def test_token_login(anon_api, team_lead):
    response = anon_api.post(
        "/api/v1/auth/token/", {"username": team_lead.username, "password": "test-password-123"}
    )
    assert response.status_code == 200
    token = response.json()["token"]
    anon_api.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert anon_api.get("/api/v1/teams/").status_code == 200


def test_token_login_with_wrong_password_is_400(anon_api, team_lead):
    response = anon_api.post("/api/v1/auth/token/", {"username": team_lead.username, "password": "nope"})
    assert response.status_code == 400
    assert "non_field_errors" in response.json()


def test_teams_filter_by_type_and_stream(api_as, outsider):
    stream = ValueStreamFactory(slug="fraud")
    TeamFactory(value_stream=stream, slug="in-fraud")
    TeamFactory(slug="elsewhere")
    PlatformTeamFactory(slug="plat")
    client = api_as(outsider)
    assert [t["slug"] for t in client.get("/api/v1/teams/?stream=fraud").json()["results"]] == ["in-fraud"]
    assert [t["slug"] for t in client.get("/api/v1/teams/?team_type=platform").json()["results"]] == ["plat"]
    response = client.get("/api/v1/teams/?team_type=galaxy")
    assert response.status_code == 400
    assert "team_type" in response.json()


def test_staff_creates_team_through_api(api_as, staff_user):
    stream = ValueStreamFactory(slug="checkout")
    response = api_as(staff_user).post(
        "/api/v1/teams/",
        {
            "name": "Basket",
            "slug": "basket",
            "team_type": "stream_aligned",
            "value_stream": "checkout",
            "capacity_points": 8,
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    assert Team.objects.get(slug="basket").value_stream == stream


@pytest.mark.parametrize(
    ("payload", "field"),
    [
        ({"name": "A", "slug": "taken", "team_type": "platform"}, "slug"),
        ({"name": "B", "slug": "b", "team_type": "wizards"}, "team_type"),
        ({"name": "C", "slug": "c", "team_type": "platform", "capacity_points": "lots"}, "capacity_points"),
        ({"name": "D", "slug": "d", "team_type": "platform", "colour": "red"}, "colour"),
        ({"name": "E", "slug": "e", "team_type": "stream_aligned"}, "value_stream"),
        (
            {"name": "F", "slug": "f", "team_type": "platform", "value_stream": "no-such-stream"},
            "value_stream",
        ),
    ],
)
def test_bad_team_input_is_400_naming_the_field(api_as, staff_user, payload, field):
    PlatformTeamFactory(slug="taken")
    before = Team.objects.count()
    response = api_as(staff_user).post("/api/v1/teams/", payload, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert Team.objects.count() == before


def test_malformed_json_is_400(api_as, staff_user):
    response = api_as(staff_user).generic(
        "POST", "/api/v1/teams/", "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert "JSON" in response.json()["detail"]


def test_lead_updates_own_team_but_not_another(api_as, team, team_lead):
    client = api_as(team_lead)
    assert client.patch(f"/api/v1/teams/{team.slug}/", {"focus": "ours"}, format="json").status_code == 200
    other = TeamFactory()
    response = client.patch(f"/api/v1/teams/{other.slug}/", {"focus": "theirs"}, format="json")
    assert response.status_code == 403
    other.refresh_from_db()
    assert other.focus != "theirs"


def test_engineer_may_not_delete_team(api_as, team, team_engineer):
    assert api_as(team_engineer).delete(f"/api/v1/teams/{team.slug}/").status_code == 403
    assert Team.objects.filter(pk=team.pk).exists()


def test_unknown_team_is_404(api_as, outsider):
    response = api_as(outsider).get("/api/v1/teams/no-such-team/")
    assert response.status_code == 404


def test_interaction_to_itself_and_end_before_start_are_400(api_as, team, team_lead):
    client = api_as(team_lead)
    response = client.post(
        "/api/v1/interactions/",
        {
            "from_team": team.slug,
            "to_team": team.slug,
            "mode": "collaboration",
            "purpose": "p",
            "start_date": "2026-03-01",
            "expected_end": "2026-04-01",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "to_team" in response.json()
    other = PlatformTeamFactory()
    response = client.post(
        "/api/v1/interactions/",
        {
            "from_team": team.slug,
            "to_team": other.slug,
            "mode": "collaboration",
            "purpose": "p",
            "start_date": "2026-03-01",
            "expected_end": "2026-02-01",
        },
        format="json",
    )
    assert response.status_code == 400
    assert "expected_end" in response.json()
    assert not Interaction.objects.exists()


def test_interaction_lists_flag_overdue(api_as, outsider):
    InteractionFactory(mode="collaboration", start_date="2026-01-01", expected_end="2026-02-01")
    body = api_as(outsider).get("/api/v1/interactions/?status=overdue").json()
    assert body["count"] == 1
    assert body["results"][0]["status"] == "overdue"


def test_member_added_by_lead_and_refused_for_outsider(api_as, team, team_lead, outsider):
    response = api_as(outsider).post(
        "/api/v1/members/", {"team": team.slug, "user": outsider.username, "role": "engineer"}, format="json"
    )
    assert response.status_code == 403
    assert not team.memberships.filter(user=outsider).exists()
    response = api_as(team_lead).post(
        "/api/v1/members/", {"team": team.slug, "user": outsider.username, "role": "engineer"}, format="json"
    )
    assert response.status_code == 201
    assert list(team.memberships.filter(user=outsider).values_list("role", flat=True)) == ["engineer"]
    response = api_as(team_lead).post(
        "/api/v1/members/", {"team": team.slug, "user": outsider.username, "role": "lead"}, format="json"
    )
    assert response.status_code == 400
    assert list(team.memberships.filter(user=outsider).values_list("role", flat=True)) == ["engineer"]


def test_openapi_schema_documents_the_resources(api_as, outsider):
    response = api_as(outsider).get("/api/schema/?format=json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    for path in [
        "/api/v1/teams/",
        "/api/v1/teams/{slug}/",
        "/api/v1/streams/",
        "/api/v1/members/",
        "/api/v1/interactions/",
        "/api/v1/auth/token/",
    ]:
        assert path in paths


def test_schema_requires_authentication(anon_api):
    assert anon_api.get("/api/schema/").status_code == 401
