from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequiredMiddleware
from django.contrib.auth.views import redirect_to_login
from django_htmx.http import HttpResponseClientRedirect

# The API authenticates inside DRF (token or session) and answers 401 as JSON, never a redirect;
# /healthz is the load balancer's probe and reveals only ok or an error text per dependency.
PATHS_WITH_OWN_AUTH = ("/api/", "/healthz", "/static/", "/favicon.ico")


class LoginRequiredMiddleware(DjangoLoginRequiredMiddleware):
    """Every browser page needs a signed-in user (Django's middleware, API paths excepted)."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path.startswith(PATHS_WITH_OWN_AUTH):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)

    def handle_no_permission(self, request, view_func):
        htmx = getattr(request, "htmx", None)
        if not htmx:
            return super().handle_no_permission(request, view_func)
        # A fragment request (a poll, an inline form) whose session has ended: the whole page goes to
        # the sign-in page and comes back to itself, instead of the sign-in page landing in the box.
        page = htmx.current_url_abs_path or request.get_full_path()
        login = redirect_to_login(
            page, self.get_login_url(view_func), self.get_redirect_field_name(view_func)
        )
        return HttpResponseClientRedirect(login.url)


# Set on the request by the {% chart %} tag (apps/core/templatetags/charts.py) while a page renders.
CHART_FLAG = "_portal_draws_charts"


class ChartImageExport:
    """A page that draws a chart may load ``blob:`` and ``data:`` images: plotly.js turns the chart's
    SVG into a PNG through one (the chart's PNG download). Every other page keeps ``img-src 'self'``.
    Placed after django-csp's middleware, so the policy it writes on the way out includes this."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        response = self.get_response(request)
        if getattr(request, CHART_FLAG, False):
            update = dict(getattr(response, "_csp_update", None) or {})
            update["img-src"] = [*update.get("img-src", []), "blob:", "data:"]
            response._csp_update = update
        return response
