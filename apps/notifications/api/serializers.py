from rest_framework import serializers

from apps.core.api.serializers import StrictFieldsMixin
from apps.notifications.models import EmailChoice, Notification, Watch


class NotificationSerializer(serializers.ModelSerializer):
    class Meta:
        model = Notification
        fields = ["id", "event_type", "event_id", "summary", "url", "reason", "created_at", "read_at"]
        read_only_fields = fields


class MarkReadSerializer(StrictFieldsMixin, serializers.Serializer):
    ids = serializers.ListField(
        child=serializers.IntegerField(min_value=1),
        required=False,
        max_length=1000,
        help_text="The notifications to mark read; leave out to mark every unread one.",
    )


class PreferenceSerializer(StrictFieldsMixin, serializers.Serializer):
    email = serializers.ChoiceField(choices=EmailChoice.choices)


class WatchSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    request = serializers.PrimaryKeyRelatedField(
        queryset=Watch._meta.get_field("request").related_model.objects.all(), required=False, allow_null=True
    )
    model = serializers.SlugRelatedField(
        slug_field="slug",
        queryset=Watch._meta.get_field("model").related_model.objects.all(),
        required=False,
        allow_null=True,
    )

    class Meta:
        model = Watch
        fields = ["id", "request", "model", "watching", "updated_at"]
        read_only_fields = ["id", "updated_at"]
        validators: list = []  # one row per user and target: a second choice replaces the first

    def validate(self, attrs):
        if bool(attrs.get("request")) == bool(attrs.get("model")):
            raise serializers.ValidationError("Give exactly one of request (id) or model (slug).")
        return attrs
