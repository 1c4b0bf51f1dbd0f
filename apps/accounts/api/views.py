from django.contrib.auth import authenticate
from django.contrib.auth.forms import PasswordChangeForm, SetPasswordForm
from django.contrib.auth.tokens import default_token_generator
from django.utils.http import urlsafe_base64_decode
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import AllowAny, IsAdminUser, IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from apps.accounts import selectors, services
from apps.accounts.api.serializers import (
    DetailSerializer,
    LockedOutSerializer,
    LockoutSerializer,
    LoginSerializer,
    PasswordChangeSerializer,
    PasswordResetConfirmSerializer,
    PasswordResetSerializer,
    SignedOutEverywhereSerializer,
    TokenCreatedSerializer,
    TokenLoginResponseSerializer,
    TokenSerializer,
    UnlockedSerializer,
    UnlockSerializer,
)
from apps.accounts.filtersets import LockoutFilterSet, TokenFilterSet
from apps.accounts.forms import PortalPasswordResetForm

LOGIN_TOKEN_NAME = "Signed in through /api/v1/auth/token/"


class ObtainTokenView(APIView):
    """Exchange a username and password for a new API token (send it as ``Authorization: Token ...``).
    It expires after the portal's default token lifetime (90 days unless configured); list and revoke
    tokens at `/api/v1/tokens/`. After `PORTAL_LOGIN_FAILURE_LIMIT` failures for a username or from an
    address, sign-ins for it are refused with 429 until the time the answer names."""

    permission_classes = [AllowAny]
    authentication_classes: list = []
    serializer_class = LoginSerializer

    @extend_schema(
        request=LoginSerializer,
        responses={
            200: TokenLoginResponseSerializer,
            429: OpenApiResponse(LockedOutSerializer, description="Locked out after repeated failures."),
        },
        auth=[],
    )
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


def _password_errors(form, field_map: dict[str, str]) -> serializers.ValidationError:
    """A Django password form's errors under the API's field names."""
    return serializers.ValidationError(
        {
            field_map.get(name, name): [str(message) for message in messages]
            for name, messages in form.errors.items()
        }
    )


class SignOutEverywhereView(APIView):
    """End every browser session of the signed-in user and revoke all their API tokens, including
    the one this request is sent with."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=None, responses={200: SignedOutEverywhereSerializer})
    def post(self, request):
        return Response(services.sign_out_everywhere(user=request.user))


class PasswordResetView(APIView):
    """Send a password-reset link to the account with this e-mail address (Django's reset token). The
    answer is the same whether or not such an account exists."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(request=PasswordResetSerializer, responses={202: DetailSerializer}, auth=[])
    def post(self, request):
        serializer = PasswordResetSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        form = PortalPasswordResetForm(data=serializer.validated_data)
        form.is_valid()
        form.save(request=request._request, use_https=request.is_secure())
        return Response(
            {"detail": "If an active account has that address, a reset link is on its way."},
            status=status.HTTP_202_ACCEPTED,
        )


class PasswordResetConfirmView(APIView):
    """Set a new password with the `uid` and `token` of a reset link; the link then stops working."""

    permission_classes = [AllowAny]
    authentication_classes: list = []

    @extend_schema(request=PasswordResetConfirmSerializer, responses={200: DetailSerializer}, auth=[])
    def post(self, request):
        serializer = PasswordResetConfirmSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        user = selectors.user_for_reset(urlsafe_base64_decode_or_none(data["uid"]))
        if user is None or not default_token_generator.check_token(user, data["token"]):
            raise serializers.ValidationError(
                {"token": ["This reset link has been used, has expired, or the password changed since."]}
            )
        form = SetPasswordForm(
            user, {"new_password1": data["new_password"], "new_password2": data["new_password"]}
        )
        if not form.is_valid():
            raise _password_errors(form, {"new_password1": "new_password", "new_password2": "new_password"})
        form.save()
        return Response({"detail": "Password set; sign in with it."})


class PasswordChangeView(APIView):
    """Change the signed-in user's password; their other browser sessions end, tokens keep working."""

    permission_classes = [IsAuthenticated]

    @extend_schema(request=PasswordChangeSerializer, responses={200: DetailSerializer})
    def post(self, request):
        serializer = PasswordChangeSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        form = PasswordChangeForm(
            request.user,
            {
                "old_password": data["old_password"],
                "new_password1": data["new_password"],
                "new_password2": data["new_password"],
            },
        )
        if not form.is_valid():
            raise _password_errors(form, {"new_password1": "new_password", "new_password2": "new_password"})
        form.save()
        return Response({"detail": "Password changed."})


def urlsafe_base64_decode_or_none(uid: str) -> str | None:
    try:
        return urlsafe_base64_decode(uid).decode()
    except (ValueError, TypeError):
        return None


class LockoutViewSet(mixins.ListModelMixin, viewsets.GenericViewSet):
    """Platform staff: failed sign-ins per username and address (django-axes), and unlocking them."""

    serializer_class = LockoutSerializer
    filterset_class = LockoutFilterSet
    permission_classes = [IsAdminUser]

    def get_queryset(self):
        return selectors.lockout_list()

    @extend_schema(request=UnlockSerializer, responses={200: UnlockedSerializer})
    @action(detail=False, methods=["post"], filterset_class=None, pagination_class=None)
    def unlock(self, request):
        serializer = UnlockSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        cleared = services.lockout_clear(actor=request.user, **serializer.validated_data)
        return Response({"unlocked": cleared})
