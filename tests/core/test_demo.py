import pytest
from django.core.management import call_command

from apps.teams.models import Interaction, MemberRole, Membership, Team, TeamType, ValueStream

pytestmark = pytest.mark.django_db


def counts():
    return (
        ValueStream.objects.count(),
        Team.objects.count(),
        Membership.objects.count(),
        Interaction.objects.count(),
    )


def test_demo_organisation_is_full_and_loads_once():
    call_command("load_demo", verbosity=0)
    first = counts()
    streams, teams, _, _ = first
    assert streams >= 3
    assert teams >= 10
    assert set(Team.objects.values_list("team_type", flat=True)) == set(TeamType.values)
    assert set(Membership.objects.values_list("role", flat=True)) == set(MemberRole.values)
    assert Interaction.objects.current().exists()
    assert Interaction.objects.planned().exists()
    assert Interaction.objects.overdue().exists()

    call_command("load_demo", verbosity=0)
    assert counts() == first


def test_demo_reloads_after_a_team_and_a_stream_changed_their_slugs():
    from apps.teams import demo

    demo.load()
    first = counts()
    Team.objects.filter(slug="payments").update(slug="payments-renamed")
    ValueStream.objects.filter(slug="checkout").update(slug="checkout-renamed")
    org = demo.load()  # raised IntegrityError on the unique names: `make run` could not start
    assert counts() == first and org.teams["payments"].slug == "payments-renamed"


def test_demo_logins_work(client):
    call_command("load_demo", verbosity=0)
    from apps.teams.demo import DEMO_LOGINS, DEMO_PASSWORD

    for login, *_ in DEMO_LOGINS:
        assert client.login(username=login, password=DEMO_PASSWORD), login


def test_each_app_names_its_demo_on_its_app_config_and_they_load_in_layer_order():
    from apps.core import demo

    assert [area.label for area in demo.areas()] == [
        "registry",
        "training",
        "modelrequests",
        "outcomes",
        "practices",
    ]
    password, logins = demo.logins()
    assert password and ("admin", "superuser: everything, including the admin console") in logins
