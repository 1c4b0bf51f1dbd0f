"""Identity-provider memberships cannot be changed by hand, through the UI, the API or the admin, and
teams the provider manages take no hand-added members; teams it does not know still do. Each refusal
names why, and the row is read back unchanged."""

import pytest

from apps.teams.models import MemberRole, Membership, MembershipSource
from tests.factories import MembershipFactory, StaffFactory, TeamFactory, UserFactory

pytestmark = pytest.mark.django_db

SYNCED = "comes from the identity provider and is synced at each sign-in"
MANAGED = "members come from the identity provider (groups: ml-platform-leads, ml-platform-engineers)"


@pytest.fixture
def synced(sso_settings, ml_platform):
    return MembershipFactory(team=ml_platform, role=MemberRole.LEAD, source=MembershipSource.IDP)


@pytest.fixture
def staff(db):
    return StaffFactory()


def test_api_refuses_to_change_or_delete_a_synced_membership(api_as, staff, synced):
    client = api_as(staff)

    changed = client.patch(f"/api/v1/members/{synced.pk}/", {"role": "engineer"}, format="json")
    deleted = client.delete(f"/api/v1/members/{synced.pk}/")

    assert changed.status_code == deleted.status_code == 400
    assert SYNCED in changed.json()["non_field_errors"][0]
    assert SYNCED in deleted.json()["non_field_errors"][0]
    synced.refresh_from_db()
    assert (synced.role, synced.source) == (MemberRole.LEAD, MembershipSource.IDP)


def test_api_shows_the_source_and_refuses_to_set_it(api_as, staff, synced):
    client = api_as(staff)
    assert client.get(f"/api/v1/members/{synced.pk}/").json()["source"] == "idp"

    response = client.post(
        "/api/v1/members/",
        {"team": TeamFactory().slug, "user": UserFactory().username, "role": "engineer", "source": "idp"},
        format="json",
    )
    assert response.status_code == 400
    assert "source" in response.json()


def test_api_refuses_hand_members_in_a_managed_team_and_names_the_groups(api_as, staff, synced, ml_platform):
    person = UserFactory()
    response = api_as(staff).post(
        "/api/v1/members/",
        {"team": ml_platform.slug, "user": person.username, "role": "engineer"},
        format="json",
    )
    assert response.status_code == 400
    assert MANAGED in response.json()["team"][0]
    assert not Membership.objects.filter(user=person).exists()


def test_api_refuses_moving_a_local_membership_into_a_managed_team(api_as, staff, synced, ml_platform):
    local = MembershipFactory(role=MemberRole.ENGINEER)
    response = api_as(staff).patch(f"/api/v1/members/{local.pk}/", {"team": ml_platform.slug}, format="json")
    assert response.status_code == 400
    assert MANAGED in response.json()["team"][0]
    local.refresh_from_db()
    assert local.team != ml_platform


def test_local_memberships_stay_editable_in_teams_the_idp_does_not_know(api_as, staff, synced):
    other = TeamFactory()
    person = UserFactory()
    client = api_as(staff)

    created = client.post(
        "/api/v1/members/", {"team": other.slug, "user": person.username, "role": "engineer"}, format="json"
    )
    assert created.status_code == 201, created.json()
    assert created.json()["source"] == "local"
    membership_id = created.json()["id"]
    assert (
        client.patch(f"/api/v1/members/{membership_id}/", {"role": "lead"}, format="json").status_code == 200
    )
    assert Membership.objects.get(pk=membership_id).role == MemberRole.LEAD
    assert client.delete(f"/api/v1/members/{membership_id}/").status_code == 204
    assert not Membership.objects.filter(pk=membership_id).exists()


def test_without_sso_no_team_is_managed(api_as, staff, ml_platform):
    person = UserFactory()
    response = api_as(staff).post(
        "/api/v1/members/",
        {"team": ml_platform.slug, "user": person.username, "role": "engineer"},
        format="json",
    )
    assert response.status_code == 201
    assert Membership.objects.get(user=person).source == MembershipSource.LOCAL


def test_team_page_marks_synced_members_and_explains_why_no_one_is_added(client, staff, synced, ml_platform):
    client.force_login(staff)
    page = client.get(ml_platform.get_absolute_url()).content.decode()
    assert "from identity provider" in page
    assert "managed by the identity provider" in page
    assert MANAGED in page
    assert "Add member" not in page


def test_team_page_refuses_removing_a_synced_member(client, staff, synced, ml_platform):
    client.force_login(staff)
    response = client.post(f"/teams/{ml_platform.slug}/members/{synced.pk}/remove/", follow=True)
    assert SYNCED in response.content.decode()
    assert Membership.objects.filter(pk=synced.pk).exists()


def test_team_page_refuses_adding_to_a_managed_team(client, staff, synced, ml_platform):
    person = UserFactory()
    client.force_login(staff)
    response = client.post(
        f"/teams/{ml_platform.slug}/members/", {"user": person.pk, "role": "engineer"}, follow=True
    )
    assert MANAGED in response.content.decode()
    assert not Membership.objects.filter(user=person).exists()


def test_admin_shows_a_synced_membership_read_only_and_offers_no_delete(client, admin_user, synced):
    client.force_login(admin_user)
    page = client.get(f"/admin/teams/membership/{synced.pk}/change/").content.decode()
    assert 'name="role"' not in page
    assert "Identity provider" in page
    assert client.get(f"/admin/teams/membership/{synced.pk}/delete/").status_code == 403


def test_admin_bulk_delete_with_a_synced_membership_deletes_nothing_and_says_why(client, admin_user, synced):
    local = MembershipFactory()
    client.force_login(admin_user)
    response = client.post(
        "/admin/teams/membership/",
        {"action": "delete_selected", "_selected_action": [synced.pk, local.pk], "post": "yes"},
        follow=True,
    )
    assert SYNCED in response.content.decode()
    assert Membership.objects.filter(pk__in=[synced.pk, local.pk]).count() == 2


def test_admin_refuses_a_hand_member_in_a_managed_team(client, admin_user, synced, ml_platform):
    person = UserFactory()
    client.force_login(admin_user)
    response = client.post(
        "/admin/teams/membership/add/", {"team": ml_platform.pk, "user": person.pk, "role": "engineer"}
    )
    assert response.status_code == 200
    assert MANAGED in response.content.decode()
    assert not Membership.objects.filter(user=person).exists()


def test_admin_team_inline_refuses_deleting_a_synced_member(client, admin_user, synced, ml_platform):
    client.force_login(admin_user)
    form = {
        "name": ml_platform.name,
        "slug": ml_platform.slug,
        "team_type": ml_platform.team_type,
        "capacity_points": 10,
        "wip_limit": 3,
        "memberships-TOTAL_FORMS": 1,
        "memberships-INITIAL_FORMS": 1,
        "memberships-0-id": synced.pk,
        "memberships-0-team": ml_platform.pk,
        "memberships-0-user": synced.user_id,
        "memberships-0-role": synced.role,
        "memberships-0-DELETE": "on",
        "interactions_out-TOTAL_FORMS": 0,
        "interactions_out-INITIAL_FORMS": 0,
    }
    response = client.post(f"/admin/teams/team/{ml_platform.pk}/change/", form)
    assert response.status_code == 200
    assert SYNCED in response.content.decode()
    assert Membership.objects.filter(pk=synced.pk).exists()
