"""The provider's endpoints (and its optional sign-out endpoint) and keys location, from its OpenID
Connect discovery document (``<issuer>/.well-known/openid-configuration``), fetched when a sign-in
first needs it and kept for an hour so a provider that moves an endpoint is followed without a
restart."""

from dataclasses import dataclass

import httpx
from cachetools import TTLCache, cached
from django.conf import settings

REQUIRED = ("authorization_endpoint", "token_endpoint", "userinfo_endpoint", "jwks_uri")


class DiscoveryError(Exception):
    """The provider's discovery document could not be read or does not describe that issuer."""


@dataclass(frozen=True)
class ProviderMetadata:
    issuer: str
    authorization_endpoint: str
    token_endpoint: str
    userinfo_endpoint: str
    jwks_uri: str
    # RP-initiated logout (OpenID Connect RP-Initiated Logout 1.0); "" when the provider has none
    end_session_endpoint: str = ""


@cached(TTLCache(maxsize=8, ttl=3600))
def provider_metadata(issuer: str) -> ProviderMetadata:
    url = f"{issuer}/.well-known/openid-configuration"
    try:
        response = httpx.get(url, timeout=settings.OIDC_TIMEOUT, follow_redirects=False)
        response.raise_for_status()
        document = response.json()
    except (httpx.HTTPError, ValueError) as error:
        raise DiscoveryError(
            f"The identity provider's discovery document {url} could not be read: {error}"
        ) from error
    if not isinstance(document, dict) or str(document.get("issuer", "")).rstrip("/") != issuer:
        raise DiscoveryError(f"{url} does not describe the issuer {issuer}.")
    missing = [name for name in REQUIRED if not document.get(name)]
    if missing:
        raise DiscoveryError(f"{url} names no {', '.join(missing)}.")
    end_session = document.get("end_session_endpoint")
    return ProviderMetadata(
        issuer=issuer,
        end_session_endpoint=end_session if isinstance(end_session, str) else "",
        **{name: document[name] for name in REQUIRED},
    )
