"""API plumbing shared by every app: token login, JSON errors, common viewset behaviour."""

from collections import Counter

from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import ProtectedError, RestrictedError
from django.http import Http404
from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.exceptions import APIException
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from apps.core.exceptions import Conflict, field_errors


def exception_handler(exc, context):
    if isinstance(exc, DjangoValidationError):
        return Response(field_errors(exc), status=status.HTTP_400_BAD_REQUEST)
    if isinstance(exc, Conflict):
        return Response({"detail": exc.message, "allowed": exc.allowed}, status=status.HTTP_409_CONFLICT)
    if isinstance(exc, DjangoPermissionDenied):
        return Response({"detail": str(exc) or "Forbidden."}, status=status.HTTP_403_FORBIDDEN)
    if isinstance(exc, Http404):
        return Response({"detail": str(exc) or "Not found."}, status=status.HTTP_404_NOT_FOUND)
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


class ObtainTokenView(APIView):
    """Exchange a username and password for an API token (send it as ``Authorization: Token ...``)."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    serializer_class = AuthTokenSerializer

    @extend_schema(
        request=AuthTokenSerializer,
        responses={200: inline_serializer("TokenResponse", {"token": serializers.CharField()})},
        auth=[],
    )
    def post(self, request):
        serializer = AuthTokenSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        token, _ = Token.objects.get_or_create(user=serializer.validated_data["user"])
        return Response({"token": token.key})


class StrictFieldsMixin:
    """Serializer mixin: unknown input fields are an error naming them, not silently dropped."""

    def to_internal_value(self, data):
        if hasattr(data, "keys"):
            writable = {name for name, field in self.fields.items() if not field.read_only}
            unknown = sorted(set(data.keys()) - writable)
            if unknown:
                raise serializers.ValidationError(
                    {
                        name: [f"Unknown field. Allowed fields: {', '.join(sorted(writable))}."]
                        for name in unknown
                    }
                )
        return super().to_internal_value(data)


class ServiceViewSetMixin:
    """A ModelViewSet whose writes go through the app's service functions.

    Set ``create_service``, ``update_service`` and ``delete_service`` to the service callables; each
    is called with ``actor=request.user`` plus ``data=validated_data`` (and the instance by name).
    """

    create_service = None
    update_service = None
    delete_service = None
    instance_kwarg = "instance"

    def perform_create(self, serializer):
        serializer.instance = self._as_listed(
            type(self).create_service(actor=self.request.user, data=serializer.validated_data)
        )

    def perform_update(self, serializer):
        serializer.instance = self._as_listed(
            type(self).update_service(
                actor=self.request.user,
                data=serializer.validated_data,
                **{self.instance_kwarg: serializer.instance},
            )
        )

    def _as_listed(self, instance):
        """The written row read back through the viewset's queryset, so the answer carries the same
        fields (counts and other annotations) as a read of it."""
        return self.get_queryset().filter(pk=instance.pk).first() or instance

    def perform_destroy(self, instance):
        type(self).delete_service(actor=self.request.user, **{self.instance_kwarg: instance})
