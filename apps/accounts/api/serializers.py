from django.contrib.auth import get_user_model
from rest_framework import serializers

from apps.accounts.models import ApiToken
from apps.core.api.serializers import StrictFieldsMixin
from apps.core.validation import BoundedDateTimeField


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
