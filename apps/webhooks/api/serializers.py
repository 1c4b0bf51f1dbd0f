from rest_framework import serializers

from apps.core.api.serializers import StrictFieldsMixin
from apps.core.events import EVENT_TYPES
from apps.registry.models import RegisteredModel
from apps.teams.models import Team, ValueStream
from apps.webhooks.models import Delivery, Subscription
from apps.webhooks.selectors import managed_team_ids

_by_slug = {"slug_field": "slug", "allow_null": True, "required": False}


class SubscriptionSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    team = serializers.SlugRelatedField(slug_field="slug", queryset=Team.objects.all())
    event_types = serializers.ListField(
        child=serializers.ChoiceField(choices=list(EVENT_TYPES)),
        required=False,
        help_text="Event types to receive; empty or left out: every event.",
    )
    filter_team = serializers.SlugRelatedField(queryset=Team.objects.all(), **_by_slug)
    filter_stream = serializers.SlugRelatedField(queryset=ValueStream.objects.all(), **_by_slug)
    filter_model = serializers.SlugRelatedField(queryset=RegisteredModel.objects.all(), **_by_slug)
    secret = serializers.SerializerMethodField(
        help_text="The HMAC-SHA256 key of X-Portal-Signature; only its team's leads, PMs and platform "
        "staff see it."
    )
    delivery_count = serializers.IntegerField(read_only=True)
    failed_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Subscription
        fields = (
            "id",
            "name",
            "team",
            "url",
            "event_types",
            "payload_format",
            "filter_team",
            "filter_stream",
            "filter_model",
            "is_active",
            "disabled_reason",
            "consecutive_failures",
            "secret",
            "delivery_count",
            "failed_count",
            "created_at",
        )
        read_only_fields = ("disabled_reason", "consecutive_failures", "created_at")
        validators: list = []  # the one-name-per-team rule is reported by the database as a 400 field error

    def get_secret(self, subscription) -> str | None:
        if "managed_team_ids" not in self.context:  # once per response, not once per row
            request = self.context.get("request")
            self.context["managed_team_ids"] = managed_team_ids(request.user) if request else set()
        managed = self.context["managed_team_ids"]
        return subscription.secret if managed is None or subscription.team_id in managed else None


class DeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = Delivery
        fields = (
            "id",
            "subscription",
            "event_id",
            "event_type",
            "body",
            "status",
            "attempts",
            "response_code",
            "duration_ms",
            "last_error",
            "created_at",
            "last_attempt_at",
            "delivered_at",
            "redelivery_of",
        )
        read_only_fields = fields
