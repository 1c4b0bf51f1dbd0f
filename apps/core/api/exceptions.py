"""API errors as JSON with the right status: a service's ValidationError is a 400 with field-level
messages, Conflict a 409 with the allowed states, PermissionDenied a 403, Http404 a 404,
platform storage that does not answer a 503."""

from collections import Counter

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404
from rest_framework import status
from rest_framework.exceptions import APIException
from rest_framework.response import Response
from rest_framework.views import exception_handler as drf_exception_handler

from apps.core.exceptions import Conflict, field_errors
from apps.core.storage import StorageUnavailable


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        return Response(field_errors(exc), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Conflict):
        return Response({"detail": exc.message, "allowed": exc.allowed}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoPermissionDenied):
        return Response({"detail": str(exc) or "Forbidden."}, status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, Http404):
        return Response({"detail": str(exc) or "Not found."}, status=status.HTTP_404_NOT_FOUND)
    if isinstance(exc, StorageUnavailable):
        return Response({"detail": str(exc)}, status=status.HTTP_503_SERVICE_UNAVAILABLE)
    if isinstance(exc, ProtectedError | RestrictedError):
        return Response({"detail": still_referred_to(exc), "allowed": []}, status=status.HTTP_409_CONFLICT)
    return drf_exception_handler(exc, context)


def still_referred_to(exc: ProtectedError | RestrictedError) -> str:
    """A delete refused by the database's references, in words: what still refers to the object."""
    found = exc.protected_objects if isinstance(exc, ProtectedError) else exc.restricted_objects
    counts = Counter(type(obj)._meta.verbose_name_plural for obj in found)
    what = ", ".join(f"{count} {name}" for name, count in sorted(counts.items()))
    return f"It cannot be deleted while other records refer to it ({what}); remove or move those first."


class PayloadTooLarge(APIException):
    status_code = status.HTTP_413_REQUEST_ENTITY_TOO_LARGE
    default_detail = "The request body is too large."
    default_code = "payload_too_large"
