from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from apps.sso import oidc, services
from apps.sso.config import sso_config


class PortalOIDCBackend(OIDCAuthenticationBackend):
    """OpenID Connect sign-in (authorization code flow with PKCE) beside Django's ModelBackend.

    Unlike the library's default it checks the ID token's issuer and audience, matches people by
    their identity link (issuer + sub) instead of by e-mail, and syncs memberships at each sign-in."""

    def __init__(self, *args, **kwargs):
        # Django builds every backend for every local sign-in too: read nothing from the provider here.
        self.UserModel = get_user_model()

    get_settings = staticmethod(oidc.oidc_setting)

    def __getattr__(self, name):
        # The library reads its settings as attributes (self.OIDC_OP_TOKEN_ENDPOINT, ...).
        if name.startswith("OIDC_"):
            return oidc.oidc_setting(name, None)
        raise AttributeError(name)

    def authenticate(self, request, **kwargs):
        if not sso_config().enabled:
            return None
        return super().authenticate(request, **kwargs)

    def verify_token(self, token, **kwargs):
        payload = super().verify_token(token, **kwargs)
        config = sso_config()
        if str(payload.get("iss", "")).rstrip("/") != config.issuer:
            raise SuspiciousOperation("The ID token was issued by another provider.")
        audience = payload.get("aud")
        if config.client_id not in (audience if isinstance(audience, list) else [audience]):
            raise SuspiciousOperation("The ID token was issued for another client.")
        return payload

    def get_or_create_user(self, access_token, id_token, payload):
        userinfo = self.get_userinfo(access_token, id_token, payload)
        if userinfo.get("sub") != payload.get("sub"):
            raise SuspiciousOperation("The userinfo answer is about another subject than the ID token.")
        return services.sign_in_from_idp(claims=payload | userinfo, config=sso_config())
