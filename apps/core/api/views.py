"""API views shared by every app: token login and the viewset behaviour that writes through services."""

from drf_spectacular.utils import extend_schema, inline_serializer
from rest_framework import serializers
from rest_framework.authtoken.models import Token
from rest_framework.authtoken.serializers import AuthTokenSerializer
from rest_framework.permissions import AllowAny
from rest_framework.response import Response
from rest_framework.views import APIView


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
