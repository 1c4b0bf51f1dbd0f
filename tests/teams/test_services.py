import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from apps.teams import services
from apps.teams.models import MemberRole, Membership, Team, TeamType
from tests.factories import MembershipFactory, PlatformTeamFactory, TeamFactory, ValueStreamFactory

pytestmark = pytest.mark.django_db


def test_staff_creates_a_team(staff_user):
    stream = ValueStreamFactory()
    team = services.team_create(
        actor=staff_user,
        data={
            "name": "Search",
            "slug": "search",
            "team_type": TeamType.STREAM_ALIGNED,
            "value_stream": stream,
        },
    )
    assert Team.objects.get(slug="search").value_stream == stream
    assert team.capacity_points == 10


def test_only_staff_create_teams(team_lead):
    with pytest.raises(PermissionDenied):
        services.team_create(actor=team_lead, data={"name": "X", "slug": "x", "team_type": TeamType.PLATFORM})
    assert not Team.objects.filter(slug="x").exists()


def test_lead_and_pm_change_their_own_team(team, team_lead, team_pm):
    services.team_update(actor=team_lead, team=team, data={"focus": "Lead's focus"})
    services.team_update(actor=team_pm, team=team, data={"wip_limit": 7})
    team.refresh_from_db()
    assert (team.focus, team.wip_limit) == ("Lead's focus", 7)


def test_engineer_and_other_team_lead_may_not_change_a_team(team, team_engineer):
    other_lead = MembershipFactory(role=MemberRole.LEAD).user
    for actor in (team_engineer, other_lead):
        with pytest.raises(PermissionDenied):
            services.team_update(actor=actor, team=team, data={"focus": "hijacked"})
    team.refresh_from_db()
    assert team.focus != "hijacked"


def test_invalid_update_saves_nothing(team, team_lead):
    with pytest.raises(ValidationError) as error:
        services.team_update(actor=team_lead, team=team, data={"focus": "new", "value_stream": None})
    assert "value_stream" in error.value.message_dict
    team.refresh_from_db()
    assert team.focus != "new"


def test_duplicate_membership_is_a_validation_error(team, team_lead):
    member = MembershipFactory(team=team).user
    with pytest.raises(ValidationError):
        services.membership_create(actor=team_lead, data={"team": team, "user": member, "role": "engineer"})
    assert Membership.objects.filter(team=team, user=member).count() == 1


def test_either_side_may_record_an_interaction(team, team_lead):
    platform = PlatformTeamFactory()
    interaction = services.interaction_create(
        actor=team_lead,
        data={
            "from_team": platform,
            "to_team": team,
            "mode": "x_as_a_service",
            "purpose": "p",
            "start_date": "2026-01-01",
        },
    )
    assert interaction.pk


def test_outsider_may_not_record_an_interaction(outsider):
    with pytest.raises(PermissionDenied):
        services.interaction_create(
            actor=outsider,
            data={
                "from_team": TeamFactory(),
                "to_team": PlatformTeamFactory(),
                "mode": "x_as_a_service",
                "purpose": "p",
                "start_date": "2026-01-01",
            },
        )


def test_stream_pm_edits_own_stream_only(outsider):
    stream = ValueStreamFactory(product_manager=outsider)
    services.stream_update(actor=outsider, stream=stream, data={"description": "mine"})
    with pytest.raises(PermissionDenied):
        services.stream_update(actor=outsider, stream=ValueStreamFactory(), data={"description": "not mine"})
