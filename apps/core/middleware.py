from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequiredMiddleware
from django.http import HttpResponseBadRequest

# The API authenticates inside DRF (token or session) and answers 401 as JSON, never a redirect;
# /healthz is the load balancer's probe and reveals only ok or an error text per dependency.
PATHS_WITH_OWN_AUTH = ("/api/", "/healthz", "/static/", "/favicon.ico")


class LoginRequiredMiddleware(DjangoLoginRequiredMiddleware):
    """Every browser page needs a signed-in user (Django's middleware, API paths excepted)."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path.startswith(PATHS_WITH_OWN_AUTH):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)


class RejectNulInQueryMiddleware:
    """PostgreSQL text cannot hold NUL: a query parameter containing one is a 400 here, not a 500
    from the database in whichever view reads it (forms and DRF fields already refuse it in bodies)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if any("\x00" in key or "\x00" in value for key, values in request.GET.lists() for value in values):
            return HttpResponseBadRequest("Query parameters must not contain NUL characters.")
        return self.get_response(request)
