import datetime

import pytest
from django.core.exceptions import ValidationError
from django.db import IntegrityError
from django.utils import timezone

from apps.teams.models import Interaction, InteractionMode, Team, TeamType
from tests.factories import InteractionFactory, TeamFactory

pytestmark = pytest.mark.django_db
TODAY = timezone.localdate()


def days(n: int) -> datetime.date:
    return TODAY + datetime.timedelta(days=n)


def test_stream_aligned_team_needs_a_value_stream():
    team = Team(name="Orphans", slug="orphans", team_type=TeamType.STREAM_ALIGNED)
    with pytest.raises(ValidationError) as error:
        team.full_clean()
    assert "value_stream" in error.value.message_dict


def test_database_refuses_stream_aligned_team_without_stream():
    with pytest.raises(IntegrityError):
        Team.objects.create(name="Orphans", slug="orphans", team_type=TeamType.STREAM_ALIGNED)


def test_platform_team_needs_no_stream():
    Team(name="Platform", slug="platform", team_type=TeamType.PLATFORM).full_clean()


@pytest.mark.parametrize(
    ("mode", "start", "end", "ended", "status"),
    [
        (InteractionMode.COLLABORATION, -30, 10, None, "current"),
        (InteractionMode.COLLABORATION, -30, -1, None, "overdue"),
        (InteractionMode.FACILITATING, -30, -5, None, "overdue"),
        (InteractionMode.X_AS_A_SERVICE, -300, None, None, "current"),
        (InteractionMode.FACILITATING, 5, 60, None, "planned"),
        (InteractionMode.COLLABORATION, -30, -1, -2, "ended"),
    ],
)
def test_interaction_status_flags_overdue_time_boxes(mode, start, end, ended, status):
    interaction = InteractionFactory(
        mode=mode,
        start_date=days(start),
        expected_end=days(end) if end is not None else None,
        ended_on=days(ended) if ended is not None else None,
    )
    assert interaction.status == status
    assert interaction.is_overdue is (status == "overdue")
    assert (interaction in Interaction.objects.overdue()) is (status == "overdue")


def test_queryset_splits_current_and_planned():
    current = InteractionFactory(start_date=days(-1))
    planned = InteractionFactory(start_date=days(3))
    assert list(Interaction.objects.current()) == [current]
    assert list(Interaction.objects.planned()) == [planned]


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"mode": InteractionMode.COLLABORATION, "expected_end": None}, "expected_end"),
        ({"expected_end": days(-20), "start_date": days(-10)}, "expected_end"),
        ({"ended_on": days(-20), "start_date": days(-10)}, "ended_on"),
    ],
)
def test_interaction_validation_names_the_field(changes, field):
    interaction = InteractionFactory.build(
        from_team=TeamFactory(), to_team=TeamFactory(), **({"start_date": days(-10)} | changes)
    )
    with pytest.raises(ValidationError) as error:
        interaction.full_clean()
    assert field in error.value.message_dict


def test_team_cannot_interact_with_itself():
    team = TeamFactory()
    with pytest.raises(ValidationError) as error:
        Interaction(
            from_team=team, to_team=team, mode="x_as_a_service", purpose="x", start_date=TODAY
        ).full_clean()
    assert "to_team" in error.value.message_dict
    with pytest.raises(IntegrityError):
        Interaction.objects.create(
            from_team=team, to_team=team, mode="x_as_a_service", purpose="x", start_date=TODAY
        )
