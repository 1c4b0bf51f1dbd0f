"""What the provider says about a person: standard profile claims and ``groups`` (the names of their
Django groups, read at each sign-in). ``MISBEHAVIOUR`` lets a test make the next ID tokens wrong in one
way (another audience or issuer, expired, signed with a key the provider does not publish, or a
userinfo answer about another subject)."""

import json
import time

from django.conf import settings
from jwcrypto import jwt
from oauth2_provider.oauth2_validators import OAuth2Validator

MISBEHAVIOUR: dict = {}


class ClaimsValidator(OAuth2Validator):
    oidc_claim_scope = OAuth2Validator.oidc_claim_scope | {"groups": "groups"}

    def get_additional_claims(self, request):
        user = request.user
        return {
            "preferred_username": user.username,
            "given_name": user.first_name,
            "family_name": user.last_name,
            "email": user.email,
            "email_verified": bool(user.email),
            "groups": sorted(user.groups.values_list("name", flat=True)),
        }

    def get_userinfo_claims(self, request):
        claims = super().get_userinfo_claims(request)
        claims["sub"] = MISBEHAVIOUR.get("userinfo_subject", claims["sub"])
        return claims

    def finalize_id_token(self, id_token, token, token_handler, request):
        signed = super().finalize_id_token(id_token, token, token_handler, request)
        if not MISBEHAVIOUR.keys() & {"audience", "issuer", "expires_in", "foreign_key"}:
            return signed
        genuine = jwt.JWT(jwt=signed, key=settings.SIGNING_KEY)
        claims = json.loads(genuine.claims)
        claims["aud"] = MISBEHAVIOUR.get("audience", claims["aud"])
        claims["iss"] = MISBEHAVIOUR.get("issuer", claims["iss"])
        if "expires_in" in MISBEHAVIOUR:
            claims["exp"] = int(time.time()) + MISBEHAVIOUR["expires_in"]
        key = settings.FOREIGN_KEY if MISBEHAVIOUR.get("foreign_key") else settings.SIGNING_KEY
        # Same header, kid included: a forgery naming the provider's published key.
        forged = jwt.JWT(header=genuine.header, claims=json.dumps(claims))
        forged.make_signed_token(key)
        return forged.serialize()
