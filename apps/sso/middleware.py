"""The Content-Security-Policy of a page seen by someone signed in by SSO lets its forms lead to the
identity provider's origin: "Log out" posts to the portal, which redirects to the provider's
``end_session_endpoint``, and browsers apply ``form-action`` to the redirects that follow a form.
Every other page keeps ``form-action 'self'``."""

from urllib.parse import urlsplit

from apps.sso.config import sso_config

ID_TOKEN_SESSION_KEY = "oidc_id_token"  # where mozilla-django-oidc keeps it (OIDC_STORE_ID_TOKEN)


def provider_origin() -> str:
    parts = urlsplit(sso_config().issuer)
    return f"{parts.scheme}://{parts.netloc}" if parts.scheme and parts.netloc else ""


class ProviderSignOutFormAction:
    """Placed after django-csp's middleware, so the policy it writes on the way out includes this."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        session = getattr(request, "session", None)
        if session is not None and session.get(ID_TOKEN_SESSION_KEY) and (origin := provider_origin()):
            update = dict(getattr(response, "_csp_update", None) or {})
            update["form-action"] = [*update.get("form-action", []), origin]
            response._csp_update = update
        return response
