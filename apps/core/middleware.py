from django.contrib.auth.middleware import LoginRequiredMiddleware as DjangoLoginRequiredMiddleware

# The API authenticates inside DRF (token or session) and answers 401 as JSON, never a redirect;
# /healthz is the load balancer's probe and reveals only ok or an error text per dependency.
PATHS_WITH_OWN_AUTH = ("/api/", "/healthz", "/static/", "/favicon.ico")


class LoginRequiredMiddleware(DjangoLoginRequiredMiddleware):
    """Every browser page needs a signed-in user (Django's middleware, API paths excepted)."""

    def process_view(self, request, view_func, view_args, view_kwargs):
        if request.path.startswith(PATHS_WITH_OWN_AUTH):
            return None
        return super().process_view(request, view_func, view_args, view_kwargs)
