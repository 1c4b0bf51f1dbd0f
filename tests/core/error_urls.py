"""The portal's URLs plus two views that fail, for the error page tests (never in portal/urls.py)."""

from django.core.exceptions import PermissionDenied
from django.urls import path

from portal.urls import handler400, handler403, handler404, handler500
from portal.urls import urlpatterns as portal_urlpatterns

__all__ = ["handler400", "handler403", "handler404", "handler500", "urlpatterns"]


def refuse(request):
    raise PermissionDenied("Only the owning team's leads may archive this model.")


def crash(request):
    raise RuntimeError("a bug in a view")


urlpatterns = [
    path("test-errors/forbidden/", refuse),
    path("test-errors/crash/", crash),
    path("api/v1/test-errors/crash/", crash),
    *portal_urlpatterns,
]
