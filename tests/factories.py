"""factory-boy factories shared by every area's tests."""

import datetime

import factory
from django.contrib.auth import get_user_model
from django.utils import timezone

from apps.teams.models import (
    Interaction,
    InteractionMode,
    MemberRole,
    Membership,
    Team,
    TeamType,
    ValueStream,
)

PASSWORD = "test-password-123"


class UserFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = get_user_model()
        django_get_or_create = ("username",)
        skip_postgeneration_save = True

    username = factory.Sequence(lambda n: f"user{n}")
    first_name = factory.Faker("first_name")
    last_name = factory.Faker("last_name")
    email = factory.LazyAttribute(lambda u: f"{u.username}@example.com")
    password = factory.PostGenerationMethodCall("set_password", PASSWORD)

    @factory.post_generation
    def _save(obj, create, extracted, **kwargs):
        if create:
            obj.save()


class StaffFactory(UserFactory):
    is_staff = True


class ValueStreamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ValueStream

    name = factory.Sequence(lambda n: f"Stream {n}")
    slug = factory.Sequence(lambda n: f"stream-{n}")
    description = "A line of business."


class TeamFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Team

    name = factory.Sequence(lambda n: f"Team {n}")
    slug = factory.Sequence(lambda n: f"team-{n}")
    team_type = TeamType.STREAM_ALIGNED
    value_stream = factory.SubFactory(ValueStreamFactory)
    focus = "Own an outcome."


class PlatformTeamFactory(TeamFactory):
    team_type = TeamType.PLATFORM
    value_stream = None


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Membership

    team = factory.SubFactory(TeamFactory)
    user = factory.SubFactory(UserFactory)
    role = MemberRole.ENGINEER


class InteractionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Interaction

    from_team = factory.SubFactory(TeamFactory)
    to_team = factory.SubFactory(PlatformTeamFactory)
    mode = InteractionMode.X_AS_A_SERVICE
    purpose = "Use the platform."
    start_date = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=10))
    expected_end = None


def api_token(user, *, name: str = "test token", **options) -> str:
    """A new API token of ``user`` (the token itself, as a client sends it), issued as the portal does."""
    from apps.accounts import services

    return services.token_create(actor=user, name=name, **options)[1]
