from django.contrib.auth import authenticate
from drf_spectacular.utils import extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.permissions import AllowAny, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts import selectors, services
from apps.accounts.api.serializers import (
    LoginSerializer,
    TokenCreatedSerializer,
    TokenLoginResponseSerializer,
    TokenSerializer,
)
from apps.accounts.filtersets import TokenFilterSet

LOGIN_TOKEN_NAME = "Signed in through /api/v1/auth/token/"


class ObtainTokenView(APIView):
    """Exchange a username and password for a new API token (send it as ``Authorization: Token ...``).
    It expires after the portal's default token lifetime (90 days unless configured); list and revoke
    tokens at `/api/v1/tokens/`."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    serializer_class = LoginSerializer

    @extend_schema(request=LoginSerializer, responses={200: TokenLoginResponseSerializer}, auth=[])
    def post(self, request):
        serializer = LoginSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = authenticate(request._request, **serializer.validated_data)
        if user is None:
            raise serializers.ValidationError(
                {"non_field_errors": ["Unable to log in with provided credentials."]}, code="authorization"
            )
        _, plain = services.token_create(actor=user, name=LOGIN_TOKEN_NAME)
        return Response({"token": plain})


class TokenViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.DestroyModelMixin, viewsets.GenericViewSet
):
    """API tokens: yours, and (for a team's lead) those of the team's service accounts; platform staff
    see every token. A new token is shown once, in the answer that creates it; the portal keeps only
    its hash. DELETE revokes a token at once."""

    serializer_class = TokenSerializer
    filterset_class = TokenFilterSet
    ordering_fields = ["created", "expiry", "last_used_at", "name"]
    permission_classes = [IsAuthenticated]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return selectors.token_list().none()
        return selectors.tokens_visible_to(self.request.user)

    @extend_schema(request=TokenSerializer, responses={201: TokenCreatedSerializer})
    def create(self, request):
        serializer = TokenSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        token, plain = services.token_create(
            actor=request.user,
            owner=data.get("user"),
            name=data["name"],
            expiry=data.get("expiry"),
            read_only=data.get("read_only", False),
        )
        token.token = plain
        return Response(TokenCreatedSerializer(token).data, status=status.HTTP_201_CREATED)

    def perform_destroy(self, instance):
        services.token_revoke(actor=self.request.user, token=instance)
