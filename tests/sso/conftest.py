import pytest

from tests.factories import PlatformTeamFactory, TeamFactory

ISSUER = "https://idp.example.com/realms/company"
GROUP_MAP = [
    "ml-platform-leads=ml-platform:lead",
    "ml-platform-engineers=ml-platform:ml_engineer",
    "checkout-data=checkout:data_scientist",
]


@pytest.fixture
def sso_settings(settings):
    """SSO configured with the README's example map; the provider itself is not contacted."""
    settings.SSO_ISSUER = ISSUER
    settings.SSO_CLIENT_ID = "portal"
    settings.SSO_CLIENT_SECRET = "secret"
    settings.SSO_SCOPES = "openid email profile groups"
    settings.SSO_GROUP_MAP = GROUP_MAP
    settings.SSO_STAFF_GROUPS = ["portal-admins"]
    return settings


@pytest.fixture
def ml_platform(db):
    return PlatformTeamFactory(name="ML Platform", slug="ml-platform")


@pytest.fixture
def checkout(db):
    return TeamFactory(name="Checkout", slug="checkout")
