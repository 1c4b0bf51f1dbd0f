import pytest

from apps.teams.models import MemberRole
from tests.conftest import member_of
from tests.factories import PlatformTeamFactory, StaffFactory, TeamFactory, UserFactory


class Cast:
    """A requesting (stream-aligned) and a delivering (platform) team, each with a PM, a lead and an
    engineer, plus an outsider and platform staff."""

    def __init__(self):
        self.requesting = TeamFactory()
        self.delivering = PlatformTeamFactory()
        self.users = {"outsider": UserFactory(), "staff": StaffFactory()}
        for side, team in (("request", self.requesting), ("deliver", self.delivering)):
            for role, key in (
                (MemberRole.PRODUCT_MANAGER, "pm"),
                (MemberRole.LEAD, "lead"),
                (MemberRole.ENGINEER, "engineer"),
            ):
                self.users[f"{side}_{key}"] = member_of(team, role)

    def __getitem__(self, key):
        return self.users[key]


@pytest.fixture
def cast(db):
    return Cast()


@pytest.fixture
def scored(cast):
    """A request from ``cast.requesting`` to ``cast.delivering`` whose stream has an accountable PM
    (``cast["stream_pm"]``, in neither team)."""
    from tests.modelrequests.factories import ModelRequestFactory

    stream_pm = UserFactory()
    cast.requesting.value_stream.product_manager = stream_pm
    cast.requesting.value_stream.save()
    cast.users["stream_pm"] = stream_pm
    return ModelRequestFactory(requesting_team=cast.requesting, delivering_team=cast.delivering)


def _add_quickstart_database():
    """A second, in-memory SQLite database (the quick start's engine), set up only for tests that
    ask for it (``django_db(databases=[...])``): the flow metrics' SQL must give the same numbers
    on both engines."""
    from django.conf import settings
    from django.db import connections

    settings.DATABASES.setdefault(QUICKSTART_DB, {"ENGINE": "django.db.backends.sqlite3", "NAME": ":memory:"})
    connections.__dict__.pop("settings", None)  # re-read DATABASES


QUICKSTART_DB = "quickstart"
_add_quickstart_database()
