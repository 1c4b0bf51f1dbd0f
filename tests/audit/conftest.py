"""The SSO tests' fixtures (settings, teams the map names) for the identity provider sync channel."""

from tests.sso.conftest import ml_platform, sso_settings  # noqa: F401 - fixtures used here
