"""The portal's token authentication in the OpenAPI schema: ``Authorization: Token <token>``."""

from drf_spectacular.contrib.knox_auth_token import KnoxTokenScheme


class PortalTokenScheme(KnoxTokenScheme):
    target_class = "apps.accounts.authentication.PortalTokenAuthentication"
    name = "tokenAuth"
