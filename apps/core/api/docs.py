"""The OpenAPI schema and the interactive docs: an anonymous browser is sent to the login page and
back, as every other page does; API clients (no ``text/html`` in Accept) still get a 401 JSON."""

from django.contrib.auth.views import redirect_to_login
from django.http import JsonResponse
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView
from rest_framework.exceptions import AuthenticationFailed, NotAuthenticated


def wants_html(request) -> bool:
    return "text/html" in request.headers.get("Accept", "")


class BrowserSignInMixin:
    def handle_exception(self, exc):
        if isinstance(exc, NotAuthenticated | AuthenticationFailed):
            if wants_html(self.request):
                return redirect_to_login(self.request.get_full_path())
            # JSON whatever the page renders (the docs page renders only HTML)
            response = JsonResponse({"detail": str(exc.detail)}, status=401)
            response["WWW-Authenticate"] = 'Token realm="api"'
            return response
        return super().handle_exception(exc)

    def perform_content_negotiation(self, request, force=False):
        # Sign-in comes first: a client asking JSON of the HTML docs page learns it must sign in (401),
        # not that the page has no JSON (406).
        return super().perform_content_negotiation(request, force=True)


class SchemaView(BrowserSignInMixin, SpectacularAPIView):
    pass


class DocsView(BrowserSignInMixin, SpectacularSwaggerSplitView):
    """Swagger UI with its start-up script served as a file (no inline script) and the page's own
    style sheet instead of drf-spectacular's inline one (templates/api/swagger_ui.html)."""

    template_name = "api/swagger_ui.html"
