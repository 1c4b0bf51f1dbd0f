"""Single sign-on in Chromium against the tests' real OpenID Connect provider (tests/sso/provider/):
the portal's login page offers "Sign in with Test IdP", the provider's own login page takes the
password, and the portal opens signed in with the memberships and staff status the provider's groups
map to. A group removed at the provider removes its membership at the next sign-in; a local
membership of a team the provider does not know stays."""

import pytest
from django.contrib.auth import get_user_model

from apps.sso.models import IdentityLink
from apps.teams.models import MemberRole, Membership, MembershipSource
from tests.factories import TeamFactory
from tests.sso.conftest import PROVIDER_LABEL
from tests.sso.idp import PASSWORD

pytestmark = [pytest.mark.slow, pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def memberships(user) -> dict[str, tuple[str, str]]:
    rows = Membership.objects.filter(user=user).select_related("team")
    return {m.team.slug: (m.role, m.source) for m in rows}


def test_sign_in_through_the_provider_maps_groups_and_follows_their_changes(
    provider_sso, live_server, page, screenshot, ml_platform, checkout
):
    fraud = TeamFactory(name="Fraud Signals", slug="fraud-signals")  # not in the group map
    provider_sso.person(
        "grace",
        groups=["ml-platform-leads", "portal-admins"],
        given_name="Grace",
        family_name="Hopper",
        email="grace@example.com",
    )

    page.goto("/login/?next=/teams/")
    sso_button = page.get_by_role("link", name=PROVIDER_LABEL)
    assert sso_button.is_visible()
    assert page.locator("#id_password").is_visible()  # local accounts still sign in beside it
    screenshot(page, "sso-login-page")
    sso_button.click()

    page.wait_for_url(f"{provider_sso.url}/login/**")
    assert page.get_by_role("heading", name="Test identity provider").is_visible()
    page.fill("#idp-username", "grace")
    page.fill("#idp-password", PASSWORD)
    screenshot(page, "sso-provider-login-page")
    page.get_by_role("button", name="Sign in at the provider").click()

    page.wait_for_url(f"{live_server.url}/teams/")
    assert page.locator(".userbox .username").inner_text() == "Grace Hopper"
    page.get_by_role("navigation", name="Main").locator("summary", has_text="Staff").click()
    assert page.get_by_role("navigation", name="Main").get_by_role("link", name="Admin").is_visible()
    grace = get_user_model().objects.get(identity_links__issuer=provider_sso.issuer)
    assert (grace.username, grace.email, grace.is_staff) == ("grace", "grace@example.com", True)
    assert memberships(grace) == {"ml-platform": (MemberRole.LEAD, MembershipSource.IDP)}

    page.goto(ml_platform.get_absolute_url())
    grace_row = page.get_by_role("row").filter(has_text="@grace")
    assert "from identity provider" in grace_row.inner_text()
    screenshot(page, "sso-team-page-synced-member")

    # As platform staff she adds herself to a team the provider does not know, by hand.
    page.goto(fraud.get_absolute_url())
    page.get_by_label("Person").select_option(str(grace.pk))
    page.get_by_label("Role", exact=True).select_option(MemberRole.ENGINEER)
    page.get_by_role("button", name="Add member").click()
    page.wait_for_load_state()
    assert memberships(grace)["fraud-signals"] == (MemberRole.ENGINEER, MembershipSource.LOCAL)

    # At the provider she leaves the ML Platform leads and the portal admins and joins Checkout's data group.
    provider_sso.person("grace", groups=["checkout-data"])
    page.locator(".account-menu summary").click()
    page.get_by_role("button", name="Log out").click()
    # Signed out at the provider too (RP-initiated logout), back on the portal's login page.
    page.wait_for_url(f"{live_server.url}/login/")
    page.get_by_role("link", name=PROVIDER_LABEL).click()
    page.wait_for_url(f"{provider_sso.url}/login/**")
    page.fill("#idp-username", "grace")
    page.fill("#idp-password", PASSWORD)
    page.get_by_role("button", name="Sign in at the provider").click()
    page.wait_for_url(f"{live_server.url}/")

    assert page.locator(".userbox .username").inner_text() == "Grace Hopper"
    assert not page.get_by_role("navigation", name="Main").get_by_role("link", name="Admin").count()
    grace.refresh_from_db()
    assert not grace.is_staff
    assert memberships(grace) == {
        "checkout": (MemberRole.DATA_SCIENTIST, MembershipSource.IDP),
        "fraud-signals": (MemberRole.ENGINEER, MembershipSource.LOCAL),
    }
    assert IdentityLink.objects.get(user=grace).groups == ["checkout-data"]
    assert get_user_model().objects.filter(username__startswith="grace").count() == 1


def test_a_token_signed_by_another_key_returns_to_the_login_page_saying_so(
    provider_sso, live_server, page, screenshot, axe
):
    provider_sso.person("mallory", groups=["portal-admins"])
    provider_sso.misbehave(foreign_key=True)

    page.goto("/login/")
    page.get_by_role("link", name=PROVIDER_LABEL).click()
    page.wait_for_url(f"{provider_sso.url}/login/**")
    page.fill("#idp-username", "mallory")
    page.fill("#idp-password", PASSWORD)
    page.get_by_role("button", name="Sign in at the provider").click()

    page.wait_for_url(f"{live_server.url}/login/")
    assert page.get_by_role("status").inner_text() == (
        "Single sign-on did not complete: the ID token's signature does not match the identity "
        "provider's keys. You can try again, or sign in with a portal account."
    )
    screenshot(page, "sso-login-page-refused-token")
    assert axe(page) == []
    assert not IdentityLink.objects.exists()
    assert not page.locator(".userbox").count()
