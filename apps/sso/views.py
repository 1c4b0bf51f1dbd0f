"""The two steps of an OpenID Connect sign-in: send the browser to the provider, and take it back.
Both are open to anonymous visitors (they are how one signs in); a failure returns to the login page
with a message instead of an error page.

Signing out of the portal after an SSO sign-in also ends the session at the provider (RP-initiated
logout): the portal's session ends first, then the browser goes to the provider's
``end_session_endpoint`` with the ID token as the hint and comes back to the login page. Otherwise
(a local account, no provider configured, or a provider without that endpoint) it is Django's
sign-out as before."""

import logging
from urllib.parse import urlencode

import httpx
import requests
from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import SuspiciousOperation
from django.http import Http404
from django.shortcuts import redirect, resolve_url
from mozilla_django_oidc.views import OIDCAuthenticationCallbackView, OIDCAuthenticationRequestView

from apps.sso import oidc
from apps.sso.backend import TokenRefused
from apps.sso.config import sso_config
from apps.sso.discovery import DiscoveryError, provider_metadata
from apps.sso.middleware import ID_TOKEN_SESSION_KEY

logger = logging.getLogger(__name__)

PROVIDER_ERRORS = (DiscoveryError, SuspiciousOperation, requests.RequestException, httpx.HTTPError)
FAILED = "Single sign-on did not complete: {reason} You can try again, or sign in with a portal account."


def _back_to_login(request, reason: str):
    messages.error(request, FAILED.format(reason=reason))
    return redirect("login")


def _ensure_enabled() -> None:
    if not sso_config().enabled:
        raise Http404("Single sign-on is not configured.")


class StartView(OIDCAuthenticationRequestView):
    get_settings = staticmethod(oidc.oidc_setting)

    def __init__(self, *args, **kwargs):
        super(OIDCAuthenticationRequestView, self).__init__(*args, **kwargs)

    def get(self, request):
        _ensure_enabled()
        try:
            self.OIDC_OP_AUTH_ENDPOINT = self.get_settings("OIDC_OP_AUTHORIZATION_ENDPOINT")
        except DiscoveryError as error:
            logger.warning("SSO sign-in could not start: %s", error)
            return _back_to_login(request, "the identity provider cannot be reached.")
        self.OIDC_RP_CLIENT_ID = self.get_settings("OIDC_RP_CLIENT_ID")
        return super().get(request)


class CallbackView(OIDCAuthenticationCallbackView):
    get_settings = staticmethod(oidc.oidc_setting)

    def get(self, request):
        _ensure_enabled()
        try:
            return super().get(request)
        except TokenRefused as error:
            logger.warning("SSO sign-in refused: %s", error)
            return _back_to_login(request, str(error))
        except PROVIDER_ERRORS as error:
            logger.warning("SSO sign-in failed: %s", error)
            return _back_to_login(request, "the identity provider's answer could not be verified.")

    def login_failure(self):
        error = self.request.GET.get("error")
        reason = f"the identity provider answered {error!r}." if error else "the sign-in was not accepted."
        return _back_to_login(self.request, reason)


def _end_session_url(request, id_token: str) -> str:
    """The provider's sign-out address for this ID token, or "" when there is none to go to."""
    config = sso_config()
    if not (config.enabled and id_token):
        return ""
    try:
        endpoint = provider_metadata(config.issuer).end_session_endpoint
    except DiscoveryError as error:
        logger.warning("SSO sign-out at the provider skipped: %s", error)
        return ""
    if not endpoint:
        return ""
    query = urlencode(
        {
            "id_token_hint": id_token,
            "client_id": config.client_id,
            "post_logout_redirect_uri": request.build_absolute_uri(resolve_url("login")),
        }
    )
    return f"{endpoint}{'&' if '?' in endpoint else '?'}{query}"


class LogoutView(auth_views.LogoutView):
    """Django's sign-out (POST only), followed by the provider's when the user signed in by SSO."""

    def post(self, request, *args, **kwargs):
        id_token = request.session.get(ID_TOKEN_SESSION_KEY, "")
        response = super().post(request, *args, **kwargs)  # ends the portal session (and flushes it)
        at_provider = _end_session_url(request, id_token)
        return redirect(at_provider) if at_provider else response


start = login_not_required(StartView.as_view())
callback = login_not_required(CallbackView.as_view())
logout = LogoutView.as_view()
