import secrets

import pytest

from tests.factories import PlatformTeamFactory, TeamFactory
from tests.sso.idp import ProviderProcess

ISSUER = "https://idp.example.com/realms/company"
PROVIDER_LABEL = "Sign in with Test IdP"
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


@pytest.fixture(scope="session")
def oidc_provider(tmp_path_factory):
    """The tests' OpenID Connect provider (tests/sso/provider/), one process for the whole run."""
    provider = ProviderProcess(tmp_path_factory.mktemp("identity-provider")).start()
    yield provider
    provider.stop()


@pytest.fixture
def provider_sso(settings, live_server, oidc_provider):
    """The live portal signs in through the real provider, with the README's example group map."""
    secret = secrets.token_urlsafe(24)
    oidc_provider.register_client(
        "portal",
        secret,
        f"{live_server.url}/sso/callback/",
        post_logout_redirect_uri=f"{live_server.url}/login/",
    )
    settings.SSO_ISSUER = oidc_provider.issuer
    settings.SSO_CLIENT_ID = "portal"
    settings.SSO_CLIENT_SECRET = secret
    settings.SSO_SCOPES = "openid email profile groups"
    settings.SSO_GROUP_MAP = GROUP_MAP
    settings.SSO_STAFF_GROUPS = ["portal-admins"]
    settings.SSO_BUTTON_LABEL = PROVIDER_LABEL
    yield oidc_provider
    oidc_provider.behave()
