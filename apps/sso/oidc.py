"""mozilla-django-oidc wired to the portal: its settings come from ``apps.sso.config`` and the
provider's endpoints from discovery, both read when a sign-in needs them (never at start-up, so the
quick start and local sign-in never wait for a provider)."""

from mozilla_django_oidc.utils import import_from_settings

from apps.sso.config import sso_config
from apps.sso.discovery import provider_metadata

ENDPOINT_SETTINGS = {
    "OIDC_OP_AUTHORIZATION_ENDPOINT": "authorization_endpoint",
    "OIDC_OP_TOKEN_ENDPOINT": "token_endpoint",
    "OIDC_OP_USER_ENDPOINT": "userinfo_endpoint",
    "OIDC_OP_JWKS_ENDPOINT": "jwks_uri",
}


def oidc_setting(name: str, *default):
    """What mozilla-django-oidc asks ``get_settings`` for, answered from the portal's configuration."""
    config = sso_config()
    if name in ENDPOINT_SETTINGS:
        return getattr(provider_metadata(config.issuer), ENDPOINT_SETTINGS[name])
    answers = {
        "OIDC_RP_CLIENT_ID": config.client_id,
        "OIDC_RP_CLIENT_SECRET": config.client_secret,
        "OIDC_RP_SCOPES": config.scopes,
        "OIDC_RP_SIGN_ALGO": config.sign_algo,
        "OIDC_RP_IDP_SIGN_KEY": None,
    }
    if name in answers:
        return answers[name]
    return import_from_settings(name, *default)
