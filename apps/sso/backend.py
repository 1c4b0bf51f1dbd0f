import jwt
from django.contrib.auth import get_user_model
from django.core.exceptions import SuspiciousOperation
from mozilla_django_oidc.auth import OIDCAuthenticationBackend

from apps.sso import oidc, services
from apps.sso.config import sso_config


class TokenRefused(Exception):
    """The provider's answer failed a check; the message says which, in words for the login page.
    Not a SuspiciousOperation, which the library swallows around user creation into a bare failure."""


class PortalOIDCBackend(OIDCAuthenticationBackend):
    """OpenID Connect sign-in (authorization code flow with PKCE) beside Django's ModelBackend.

    Unlike the library's default it checks the ID token's issuer and audience, matches people by
    their identity link (issuer + sub) instead of by e-mail, syncs memberships at each sign-in, and
    turns every refused token into a ``TokenRefused`` that names the check it failed."""

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

    def retrieve_matching_jwk(self, token):
        try:
            return super().retrieve_matching_jwk(token)
        except (SuspiciousOperation, jwt.PyJWTError, KeyError) as error:
            raise TokenRefused(
                "the ID token is signed with a key the identity provider does not publish."
            ) from error

    def get_payload_data(self, token, key):
        try:
            return super().get_payload_data(token, key)
        except jwt.ExpiredSignatureError as error:
            raise TokenRefused("the ID token has expired; check that the server clocks agree.") from error
        except (SuspiciousOperation, jwt.PyJWTError) as error:
            raise TokenRefused(
                "the ID token's signature does not match the identity provider's keys."
            ) from error

    def verify_token(self, token, **kwargs):
        try:
            payload = super().verify_token(token, **kwargs)
        except TokenRefused:
            raise
        except SuspiciousOperation as error:  # the nonce: a replayed or mixed-up answer
            raise TokenRefused("the ID token does not belong to this sign-in attempt.") from error
        config = sso_config()
        if str(payload.get("iss", "")).rstrip("/") != config.issuer:
            raise TokenRefused("the ID token was issued by another provider.")
        audience = payload.get("aud")
        if config.client_id not in (audience if isinstance(audience, list) else [audience]):
            raise TokenRefused("the ID token was issued for another client.")
        return payload

    def get_or_create_user(self, access_token, id_token, payload):
        userinfo = self.get_userinfo(access_token, id_token, payload)
        if userinfo.get("sub") != payload.get("sub"):
            raise TokenRefused("the provider's user information is not about the person in the ID token.")
        try:
            return services.sign_in_from_idp(claims=payload | userinfo, config=sso_config())
        except services.AccountDeactivated as error:
            raise TokenRefused("your portal account is deactivated.") from error
