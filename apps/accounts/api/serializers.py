from django.contrib.auth import get_user_model
from rest_framework import serializers

from apps.accounts.models import SERVICE_ACCOUNT_ROLE_CHOICES, ApiToken, ServiceAccount
from apps.core.api.serializers import StrictFieldsMixin
from apps.core.validation import BoundedDateTimeField
from apps.teams.models import MemberRole, Team


class LoginSerializer(StrictFieldsMixin, serializers.Serializer):
    username = serializers.CharField()
    password = serializers.CharField(style={"input_type": "password"}, trim_whitespace=False, write_only=True)


class TokenLoginResponseSerializer(serializers.Serializer):
    token = serializers.CharField(help_text="Send it as `Authorization: Token <token>`; it expires.")


class TokenSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    user = serializers.SlugRelatedField(
        slug_field="username",
        queryset=get_user_model().objects.all(),
        required=False,
        help_text="The owner (username): yourself by default, or a service account of a team you lead.",
    )
    token_key = serializers.CharField(
        read_only=True, help_text="The token's first characters, to recognise it."
    )
    expiry = BoundedDateTimeField(
        required=False,
        allow_null=True,
        help_text="When it stops working; default and maximum are set by the portal (90 and 365 days).",
    )
    is_expired = serializers.BooleanField(read_only=True)
    is_service_account = serializers.SerializerMethodField()

    class Meta:
        model = ApiToken
        fields = (
            "id",
            "name",
            "user",
            "is_service_account",
            "token_key",
            "read_only",
            "created",
            "expiry",
            "is_expired",
            "last_used_at",
        )
        read_only_fields = ("created", "last_used_at")

    def get_is_service_account(self, token) -> bool:
        return hasattr(token.user, "service_account")


class TokenCreatedSerializer(TokenSerializer):
    token = serializers.CharField(read_only=True, help_text="The token itself: shown only this once.")

    class Meta(TokenSerializer.Meta):
        fields = (*TokenSerializer.Meta.fields, "token")


class UserTeamSerializer(serializers.Serializer):
    team = serializers.CharField(source="team.slug", help_text="The team's slug.")
    role = serializers.CharField()


class UserSerializer(serializers.ModelSerializer):
    name = serializers.CharField(source="get_full_name", read_only=True)
    is_service_account = serializers.SerializerMethodField()
    teams = UserTeamSerializer(source="memberships", many=True, read_only=True)
    token_count = serializers.IntegerField(
        read_only=True, help_text="Tokens the user holds (live or expired)."
    )
    # A plain string: an account made without an address (a service account, a single sign-on user
    # whose provider sent none) has "", which is no e-mail address.
    email = serializers.CharField(read_only=True, help_text="E-mail address; empty when none is recorded.")

    class Meta:
        model = get_user_model()
        fields = (
            "id",
            "username",
            "name",
            "first_name",
            "last_name",
            "email",
            "is_active",
            "is_staff",
            "is_service_account",
            "teams",
            "token_count",
            "date_joined",
            "last_login",
        )
        read_only_fields = fields

    def get_is_service_account(self, user) -> bool:
        return hasattr(user, "service_account")


class UserCreateSerializer(StrictFieldsMixin, serializers.Serializer):
    """Shape checks only; the service checks uniqueness, the e-mail address and the password rules."""

    username = serializers.CharField(max_length=150)
    email = serializers.CharField(max_length=254, help_text="Password reset mails go here.")
    name = serializers.CharField(
        max_length=300, required=False, allow_blank=True, help_text="Full name, e.g. “Ada Lovelace”."
    )
    password = serializers.CharField(
        required=False,
        write_only=True,
        trim_whitespace=False,
        style={"input_type": "password"},
        help_text="Optional: without one the person signs in through single sign-on or a password reset.",
    )
    team = serializers.SlugRelatedField(
        slug_field="slug", queryset=Team.objects.all(), required=False, help_text="Join this team (slug)."
    )
    role = serializers.ChoiceField(choices=MemberRole.choices, required=False, help_text="Role in `team`.")


class ServiceAccountSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    username = serializers.CharField(source="user.username", max_length=150)
    team = serializers.SlugRelatedField(
        slug_field="slug", queryset=Team.objects.all(), help_text="Its one team (slug); never changes."
    )
    role = serializers.ChoiceField(
        choices=SERVICE_ACCOUNT_ROLE_CHOICES,
        required=False,
        error_messages={
            "invalid_choice": "“{input}” is not a role a service account can have (it cannot be a team's "
            f"lead); choose one of {', '.join(value for value, _ in SERVICE_ACCOUNT_ROLE_CHOICES)}."
        },
        help_text="Its permissions are this role's in its team (never lead). Default: engineer.",
    )
    is_active = serializers.BooleanField(source="user.is_active", read_only=True)
    token_count = serializers.IntegerField(read_only=True)
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = ServiceAccount
        fields = (
            "id",
            "username",
            "team",
            "role",
            "description",
            "is_active",
            "token_count",
            "created_by",
            "created_at",
        )
        read_only_fields = ("created_at",)


class ServiceAccountUpdateSerializer(ServiceAccountSerializer):
    """PATCH: the role and description; the username and team stay."""

    username = serializers.CharField(source="user.username", read_only=True)
    team = serializers.SlugRelatedField(slug_field="slug", read_only=True)


class LockedOutSerializer(serializers.Serializer):
    detail = serializers.CharField(read_only=True, help_text="Why, and until when (the portal's time zone).")
    retry_after = serializers.DateTimeField(read_only=True, help_text="When signing in works again.")
    retry_after_seconds = serializers.IntegerField(
        help_text="The same, in seconds (also the Retry-After header)."
    )


class SignedOutEverywhereSerializer(serializers.Serializer):
    sessions_ended = serializers.IntegerField()
    tokens_revoked = serializers.IntegerField()


class PasswordResetSerializer(StrictFieldsMixin, serializers.Serializer):
    email = serializers.EmailField()


class PasswordResetConfirmSerializer(StrictFieldsMixin, serializers.Serializer):
    uid = serializers.CharField(help_text="The `uid` part of the link in the reset mail.")
    token = serializers.CharField(help_text="The `token` part of the link in the reset mail.")
    new_password = serializers.CharField(
        style={"input_type": "password"}, trim_whitespace=False, write_only=True
    )


class PasswordChangeSerializer(StrictFieldsMixin, serializers.Serializer):
    old_password = serializers.CharField(
        style={"input_type": "password"}, trim_whitespace=False, write_only=True
    )
    new_password = serializers.CharField(
        style={"input_type": "password"}, trim_whitespace=False, write_only=True
    )


class DetailSerializer(serializers.Serializer):
    detail = serializers.CharField()


class LockoutSerializer(serializers.Serializer):
    """One row of failed sign-ins (django-axes' access attempt)."""

    id = serializers.IntegerField(read_only=True)
    username = serializers.CharField(read_only=True, allow_null=True)
    ip_address = serializers.CharField(read_only=True, allow_null=True)
    failures = serializers.IntegerField(source="failures_since_start", read_only=True)
    last_failure_at = serializers.DateTimeField(source="attempt_time", read_only=True)
    path = serializers.CharField(source="path_info", read_only=True)


class UnlockSerializer(StrictFieldsMixin, serializers.Serializer):
    username = serializers.CharField(required=False, help_text="Unlock this username (from every address).")
    ip_address = serializers.IPAddressField(
        required=False, help_text="Unlock this address (for every username)."
    )

    def validate(self, attrs):
        if not attrs:
            raise serializers.ValidationError({"username": ["Name a username or an ip_address to unlock."]})
        return attrs


class UnlockedSerializer(serializers.Serializer):
    unlocked = serializers.IntegerField(help_text="How many rows of failed sign-ins were cleared.")
