from django.http import JsonResponse
from django.shortcuts import redirect, render
from django.templatetags.static import static
from django.views.csrf import csrf_failure as django_csrf_failure
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.defaults import bad_request as django_bad_request
from django.views.defaults import page_not_found, permission_denied, server_error

from apps.core.fragments import wants_fragment
from apps.core.health import health_report, is_healthy

# What an htmx request gets instead of an error page (which would land inside the box it swaps):
# the refusal in words, put into the page's alert region (base.html, #page-answer).
HTMX_ERRORS = {
    400: "The portal could not understand this request.",
    403: "You may not do this.",
    404: "There is nothing at this address any more; reload the page.",
    500: "The portal failed to answer this request; try again in a moment.",
}


def htmx_error(request, status: int, text: str = ""):
    response = render(request, "core/_htmx_error.html", {"text": text or HTMX_ERRORS[status]}, status=status)
    response["HX-Retarget"] = "#page-answer"
    response["HX-Reswap"] = "innerHTML"
    return response


@require_GET
@never_cache
def healthz(request):
    report = health_report()
    return JsonResponse(report, status=200 if is_healthy(report) else 503)


def not_found(request, exception=None):
    """404 for a path no URL matches: JSON under /api/ (as every other API error), the page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    if wants_fragment(request):
        return htmx_error(request, 404)
    return page_not_found(request, exception)


def bad_request(request, exception=None):
    """400 from a SuspiciousOperation (e.g. more form fields than DATA_UPLOAD_MAX_NUMBER_FIELDS): JSON
    under /api/, naming the problem, as every other API error; the portal's page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(exception) or "Bad request."}, status=400)
    if wants_fragment(request):
        return htmx_error(request, 400)
    return django_bad_request(request, exception)


def forbidden(request, exception=None):
    """403 from PermissionDenied: JSON under /api/, the portal's page (naming the refusal) elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(exception) or "You do not have permission."}, status=403)
    if wants_fragment(request):
        return htmx_error(request, 403, str(exception))
    return permission_denied(request, exception)


def failed(request):
    """500: the portal's own page (no settings, no traceback); JSON under /api/."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "The server failed to answer this request."}, status=500)
    if wants_fragment(request):
        return htmx_error(request, 500)
    return server_error(request)


def csrf_failure(request, reason=""):
    """A form whose token no longer holds (templates/403_csrf.html); to htmx, the same in words."""
    if wants_fragment(request):
        return htmx_error(request, 403, "This form has expired: reload the page and send it again.")
    return django_csrf_failure(request, reason=reason, template_name="403_csrf.html")


def favicon(request):
    return redirect(static("img/favicon.svg"), permanent=True)
