from django.contrib.auth import authenticate
from django.contrib.auth.forms import PasswordChangeForm
from django.contrib.auth.tokens import default_token_generator
from django.utils.http import urlsafe_base64_decode
from drf_spectacular.utils import OpenApiResponse, extend_schema, extend_schema_view
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
    ServiceAccountSerializer,
    ServiceAccountUpdateSerializer,
    SignedOutEverywhereSerializer,
    TokenCreatedSerializer,
    TokenLoginResponseSerializer,
    TokenSerializer,
    UnlockedSerializer,
    UnlockSerializer,
    UserCreateSerializer,
    UserSerializer,
)
from apps.accounts.filtersets import LockoutFilterSet, ServiceAccountFilterSet, TokenFilterSet, UserFilterSet
from apps.accounts.forms import PortalPasswordResetForm, ResetPasswordForm
from apps.core.acting import act_as
from apps.core.policy import allowed, denial
from apps.teams.models import MemberRole

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
        act_as(user)  # the token's audit record names who signed in
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


class MayManageUsers(IsAuthenticated):
    """Signed in and allowed ``accounts.manage_users``; others get a 403 that says who can."""

    message = denial("accounts.manage_users")

    def has_permission(self, request, view):
        return super().has_permission(request, view) and allowed(request.user, "accounts.manage_users")


USERNAME_IN_URL = r"[\w.@+-]+"


@extend_schema_view(
    list=extend_schema(summary="List users (platform staff)"),
    retrieve=extend_schema(summary="One user (platform staff)"),
)
class UserViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """Users, people and service accounts, looked up by username: platform staff list, create,
    deactivate and reactivate them. Deactivating revokes every token and ends every session at once;
    a deactivated user cannot sign in or use a token. Everyone else gets 403."""

    serializer_class = UserSerializer
    filterset_class = UserFilterSet
    ordering_fields = ["username", "date_joined", "last_login"]
    permission_classes = [MayManageUsers]
    lookup_field = "username"
    lookup_value_regex = USERNAME_IN_URL

    def get_queryset(self):
        return selectors.user_list()

    def _answer(self, user, code=status.HTTP_200_OK):
        return Response(UserSerializer(self.get_queryset().get(pk=user.pk)).data, status=code)

    @extend_schema(request=UserCreateSerializer, responses={201: UserSerializer})
    def create(self, request):
        serializer = UserCreateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        user = services.user_create(actor=request.user, **serializer.validated_data)
        return self._answer(user, status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: UserSerializer})
    @action(detail=True, methods=["post"])
    def deactivate(self, request, username=None):
        """Stop the user signing in; revoke their tokens and end their sessions now."""
        return self._answer(services.user_deactivate(actor=request.user, user=self.get_object()))

    @extend_schema(request=None, responses={200: UserSerializer})
    @action(detail=True, methods=["post"])
    def reactivate(self, request, username=None):
        """Let the user sign in again (their old tokens stay revoked)."""
        return self._answer(services.user_reactivate(actor=request.user, user=self.get_object()))


class ServiceAccountViewSet(
    mixins.ListModelMixin, mixins.RetrieveModelMixin, mixins.UpdateModelMixin, viewsets.GenericViewSet
):
    """Service accounts: non-human users of one team, with that team's role's permissions, looked up by
    username. Members of a team see its service accounts; its lead (or platform staff) creates,
    changes, deactivates and reactivates them, and makes their tokens at `/api/v1/tokens/` with
    `user` set to the service account. They have no password: they authenticate with tokens only."""

    serializer_class = ServiceAccountSerializer
    filterset_class = ServiceAccountFilterSet
    ordering_fields = ["created_at", "user__username"]
    permission_classes = [IsAuthenticated]
    lookup_field = "user__username"
    lookup_url_kwarg = "username"
    lookup_value_regex = USERNAME_IN_URL
    http_method_names = ["get", "post", "patch", "head", "options"]

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return selectors.service_account_list().none()
        return selectors.service_accounts_visible_to(self.request.user)

    def get_serializer_class(self):
        return ServiceAccountUpdateSerializer if self.action == "partial_update" else ServiceAccountSerializer

    def _answer(self, account, code=status.HTTP_200_OK):
        listed = selectors.service_account_list().get(pk=account.pk)
        return Response(ServiceAccountSerializer(listed).data, status=code)

    @extend_schema(responses={201: ServiceAccountSerializer})
    def create(self, request):
        serializer = ServiceAccountSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        account = services.service_account_create(
            actor=request.user,
            team=data["team"],
            username=data["user"]["username"],
            role=data.get("role", MemberRole.ENGINEER),
            description=data.get("description", ""),
        )
        return self._answer(account, status.HTTP_201_CREATED)

    @extend_schema(request=ServiceAccountUpdateSerializer, responses={200: ServiceAccountSerializer})
    def partial_update(self, request, username=None):
        serializer = ServiceAccountUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        account = services.service_account_update(
            actor=request.user, account=self.get_object(), **serializer.validated_data
        )
        return self._answer(account)

    @extend_schema(request=None, responses={200: ServiceAccountSerializer})
    @action(detail=True, methods=["post"])
    def deactivate(self, request, username=None):
        """It stops working: every token of it is revoked."""
        return self._answer(
            services.service_account_deactivate(actor=request.user, account=self.get_object())
        )

    @extend_schema(request=None, responses={200: ServiceAccountSerializer})
    @action(detail=True, methods=["post"])
    def reactivate(self, request, username=None):
        """It may get tokens again."""
        return self._answer(
            services.service_account_reactivate(actor=request.user, account=self.get_object())
        )


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
        form = ResetPasswordForm(
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
