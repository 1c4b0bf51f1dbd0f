"""Who may change what, for every teams endpoint: anonymous 401, outsiders and plain members 403,
the team's lead or product manager (or the stream's PM) allowed, platform staff allowed."""

import pytest
from rest_framework.test import APIClient

from apps.teams.models import MemberRole, Membership, Team, ValueStream
from tests.factories import (
    InteractionFactory,
    MembershipFactory,
    PlatformTeamFactory,
    StaffFactory,
    UserFactory,
)

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "outsider", "engineer", "lead", "product_manager", "staff"]


@pytest.fixture
def world(team):
    stream = team.value_stream
    users = {"outsider": UserFactory(), "staff": StaffFactory()}
    for role in ("engineer", "lead", "product_manager"):
        users[role] = MembershipFactory(team=team, role=role).user
    stream.product_manager = users["product_manager"]
    stream.save()
    interaction = InteractionFactory(from_team=team, to_team=PlatformTeamFactory())
    membership = MembershipFactory(team=team, role=MemberRole.DATA_SCIENTIST)
    return {
        "team": team,
        "stream": stream,
        "users": users,
        "interaction": interaction,
        "membership": membership,
    }


def client_for(role, world, api_as):
    return APIClient() if role == "anonymous" else api_as(world["users"][role])


EDITORS = {"lead", "product_manager", "staff"}


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize(
    ("url", "payload", "allowed"),
    [
        ("/api/v1/teams/{team}/", {"focus": "changed"}, EDITORS),
        ("/api/v1/streams/{stream}/", {"description": "changed"}, {"product_manager", "staff"}),
        ("/api/v1/interactions/{interaction}/", {"purpose": "changed"}, EDITORS),
        ("/api/v1/members/{membership}/", {"role": "ml_engineer"}, EDITORS),
    ],
)
def test_update_permission_matrix(world, api_as, role, url, payload, allowed):
    target = url.format(
        team=world["team"].slug,
        stream=world["stream"].slug,
        interaction=world["interaction"].pk,
        membership=world["membership"].pk,
    )
    row = world[url.split("{")[1].split("}")[0]]
    ((field, value),) = payload.items()
    before = getattr(row, field)
    response = client_for(role, world, api_as).patch(target, payload, format="json")
    expected = 200 if role in allowed else (401 if role == "anonymous" else 403)
    assert response.status_code == expected, response.content
    row.refresh_from_db()
    assert getattr(row, field) == (value if expected == 200 else before)


@pytest.mark.parametrize("role", ROLES)
def test_only_staff_create_streams_and_teams(world, api_as, role):
    client = client_for(role, world, api_as)
    stream = client.post("/api/v1/streams/", {"name": "New", "slug": "new"}, format="json")
    team = client.post("/api/v1/teams/", {"name": "T", "slug": "t", "team_type": "platform"}, format="json")
    expected = 201 if role == "staff" else (401 if role == "anonymous" else 403)
    assert (stream.status_code, team.status_code) == (expected, expected)
    created = (ValueStream.objects.filter(slug="new").exists(), Team.objects.filter(slug="t").exists())
    assert created == ((True, True) if expected == 201 else (False, False))


@pytest.mark.parametrize("role", ROLES)
def test_delete_membership(world, api_as, role):
    response = client_for(role, world, api_as).delete(f"/api/v1/members/{world['membership'].pk}/")
    expected = 204 if role in EDITORS else (401 if role == "anonymous" else 403)
    assert response.status_code == expected
    assert Membership.objects.filter(pk=world["membership"].pk).exists() == (expected != 204)
