"""The sign-in sync service on its own: claims in, user, memberships and staff status out (rows read
back). The same service behind a real provider is in test_browser.py."""

import pytest
from django.core.exceptions import ImproperlyConfigured, SuspiciousOperation

from apps.sso.config import parse_grant, sso_config
from apps.sso.models import IdentityLink
from apps.sso.services import AccountDeactivated, sign_in_from_idp
from apps.teams.models import MemberRole, Membership, MembershipSource
from tests.factories import MembershipFactory, TeamFactory, UserFactory
from tests.sso.conftest import ISSUER

pytestmark = pytest.mark.django_db


def claims(groups, sub="idp-alice", **extra):
    return {
        "sub": sub,
        "preferred_username": "alice",
        "email": "alice@example.com",
        "given_name": "Alice",
        "family_name": "Adams",
        "groups": groups,
    } | extra


def sign_in(groups, **claim_values):
    return sign_in_from_idp(claims=claims(groups, **claim_values), config=sso_config())


def memberships(user) -> dict[str, tuple[str, str]]:
    rows = Membership.objects.filter(user=user).select_related("team")
    return {m.team.slug: (m.role, m.source) for m in rows}


def test_first_sign_in_creates_the_user_with_mapped_memberships(sso_settings, ml_platform, checkout):
    user = sign_in(["ml-platform-leads", "checkout-data"])

    user.refresh_from_db()
    assert (user.username, user.email, user.get_full_name()) == ("alice", "alice@example.com", "Alice Adams")
    assert not user.has_usable_password()
    assert memberships(user) == {
        "ml-platform": (MemberRole.LEAD, MembershipSource.IDP),
        "checkout": (MemberRole.DATA_SCIENTIST, MembershipSource.IDP),
    }
    link = IdentityLink.objects.get(user=user)
    assert (link.issuer, link.subject, link.groups) == (
        ISSUER,
        "idp-alice",
        ["ml-platform-leads", "checkout-data"],
    )


def test_next_sign_in_adds_changes_and_removes(sso_settings, ml_platform, checkout):
    user = sign_in(["ml-platform-leads", "checkout-data"])

    again = sign_in(["ml-platform-engineers"])

    assert again.pk == user.pk
    assert memberships(user) == {"ml-platform": (MemberRole.ML_ENGINEER, MembershipSource.IDP)}
    assert IdentityLink.objects.get(user=user).groups == ["ml-platform-engineers"]


def test_no_groups_removes_every_synced_membership(sso_settings, ml_platform):
    user = sign_in(["ml-platform-leads"])
    sign_in([])
    assert memberships(user) == {}


def test_unknown_groups_and_unknown_teams_are_ignored(sso_settings, ml_platform):
    sso_settings.SSO_GROUP_MAP = [*sso_settings.SSO_GROUP_MAP, "ghosts=no-such-team:lead"]
    user = sign_in(["marketing", "ghosts", "ml-platform-leads"])
    assert memberships(user) == {"ml-platform": (MemberRole.LEAD, MembershipSource.IDP)}


def test_first_matching_entry_of_the_map_decides_the_role(sso_settings, ml_platform):
    user = sign_in(["ml-platform-engineers", "ml-platform-leads"])
    assert memberships(user) == {"ml-platform": (MemberRole.LEAD, MembershipSource.IDP)}


def test_local_membership_of_a_team_the_idp_does_not_know_is_left_alone(sso_settings, ml_platform):
    user = sign_in(["ml-platform-leads"])
    fraud = TeamFactory(slug="fraud")
    MembershipFactory(user=user, team=fraud, role=MemberRole.ENGINEER)

    sign_in([])

    assert memberships(user) == {"fraud": (MemberRole.ENGINEER, MembershipSource.LOCAL)}


def test_local_membership_of_a_granted_team_is_taken_over(sso_settings, ml_platform):
    user = sign_in([])
    MembershipFactory(user=user, team=ml_platform, role=MemberRole.ENGINEER)

    sign_in(["ml-platform-leads"])

    assert memberships(user) == {"ml-platform": (MemberRole.LEAD, MembershipSource.IDP)}


def test_staff_status_follows_the_staff_group(sso_settings):
    user = sign_in(["portal-admins"])
    user.refresh_from_db()
    assert user.is_staff

    sign_in(["ml-platform-leads"])
    user.refresh_from_db()
    assert not user.is_staff


def test_staff_status_is_untouched_without_staff_groups(sso_settings):
    sso_settings.SSO_STAFF_GROUPS = []
    user = sign_in([])
    user.is_staff = True
    user.save()
    sign_in([])
    user.refresh_from_db()
    assert user.is_staff


def test_a_taken_username_gets_a_suffix_and_the_local_account_is_not_reused(sso_settings):
    local = UserFactory(username="alice", email="alice@example.com")

    user = sign_in([])

    assert user.pk != local.pk
    assert user.username == "alice-2"


def test_same_subject_at_another_issuer_is_another_person(sso_settings):
    first = sign_in([])
    sso_settings.SSO_ISSUER = "https://other-idp.example.com"
    second = sign_in([])
    assert first.pk != second.pk


def test_a_user_deactivated_in_the_portal_is_refused_before_anything_is_synced(
    sso_settings, ml_platform, checkout
):
    user = sign_in(["ml-platform-leads"])
    user.is_active = False
    user.save(update_fields=["is_active"])
    seen_at = IdentityLink.objects.get(user=user).last_sign_in_at

    with pytest.raises(AccountDeactivated):
        sign_in(["checkout-data", "portal-admins"], email="new@example.com")

    user.refresh_from_db()
    assert (user.is_active, user.is_staff, user.email) == (False, False, "alice@example.com")
    assert memberships(user) == {"ml-platform": (MemberRole.LEAD, MembershipSource.IDP)}
    link = IdentityLink.objects.get(user=user)
    assert (link.groups, link.last_sign_in_at) == (["ml-platform-leads"], seen_at)


def test_claims_without_subject_are_refused(sso_settings):
    with pytest.raises(SuspiciousOperation):
        sign_in([], sub="")
    assert not IdentityLink.objects.exists()


def test_a_single_group_name_counts_as_one_group(sso_settings, ml_platform):
    user = sign_in("ml-platform-leads")
    assert memberships(user) == {"ml-platform": (MemberRole.LEAD, MembershipSource.IDP)}


@pytest.mark.parametrize(
    ("entry", "names"),
    [
        ("ml-platform-leads", "group=team-slug:role"),
        ("ml-platform-leads=ml-platform", "group=team-slug:role"),
        ("ml-platform-leads=ml-platform:boss", "'boss' is not a role"),
    ],
)
def test_malformed_map_entries_are_named(entry, names):
    with pytest.raises(ImproperlyConfigured, match=names):
        parse_grant(entry)


def test_system_check_reports_a_malformed_map(settings):
    from apps.sso.checks import sso_configuration

    settings.SSO_GROUP_MAP = ["leads=ml-platform:boss"]
    errors = sso_configuration(None)
    assert [error.id for error in errors] == ["sso.E001"]
    assert "PORTAL_OIDC_GROUP_MAP entry 'leads=ml-platform:boss'" in errors[0].msg


def test_issuer_without_client_credentials_is_a_configuration_error(settings):
    settings.SSO_ISSUER = ISSUER
    settings.SSO_CLIENT_ID = ""
    with pytest.raises(ImproperlyConfigured, match="PORTAL_OIDC_CLIENT_ID"):
        sso_config()
