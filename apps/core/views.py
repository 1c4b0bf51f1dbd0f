from django.http import JsonResponse
from django.shortcuts import redirect
from django.templatetags.static import static
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET
from django.views.defaults import bad_request as django_bad_request
from django.views.defaults import page_not_found, permission_denied, server_error

from apps.core.health import health_report, is_healthy


@require_GET
@never_cache
def healthz(request):
    report = health_report()
    return JsonResponse(report, status=200 if is_healthy(report) else 503)


def not_found(request, exception=None):
    """404 for a path no URL matches: JSON under /api/ (as every other API error), the page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "Not found."}, status=404)
    return page_not_found(request, exception)


def bad_request(request, exception=None):
    """400 from a SuspiciousOperation (e.g. more form fields than DATA_UPLOAD_MAX_NUMBER_FIELDS): JSON
    under /api/, naming the problem, as every other API error; the portal's page elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(exception) or "Bad request."}, status=400)
    return django_bad_request(request, exception)


def forbidden(request, exception=None):
    """403 from PermissionDenied: JSON under /api/, the portal's page (naming the refusal) elsewhere."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": str(exception) or "You do not have permission."}, status=403)
    return permission_denied(request, exception)


def failed(request):
    """500: the portal's own page (no settings, no traceback); JSON under /api/."""
    if request.path.startswith("/api/"):
        return JsonResponse({"detail": "The server failed to answer this request."}, status=500)
    return server_error(request)


def favicon(request):
    return redirect(static("img/favicon.svg"), permanent=True)
