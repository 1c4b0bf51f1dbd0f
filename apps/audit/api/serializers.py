from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.audit import presenting
from apps.audit.models import AuditEvent
from apps.core.acting import CHANNELS


class FieldChangeSerializer(serializers.Serializer):
    field = serializers.CharField()
    old = serializers.CharField(allow_null=True, help_text="As recorded; null when there was none.")
    new = serializers.CharField(allow_null=True)


class AuditEventSerializer(serializers.ModelSerializer):
    action = serializers.SerializerMethodField(help_text="create, update or delete")
    object_type = serializers.SerializerMethodField(help_text="app_label.model, e.g. teams.team")
    object_id = serializers.CharField(source="object_pk")
    actor = serializers.SerializerMethodField(help_text="Username of who acted; null for the system.")
    channel = serializers.ChoiceField(choices=list(CHANNELS.items()))
    request_id = serializers.CharField(source="cid", allow_null=True)
    changes = serializers.SerializerMethodField()

    class Meta:
        model = AuditEvent
        fields = [
            "id",
            "timestamp",
            "action",
            "object_type",
            "object_id",
            "object_repr",
            "changes",
            "actor",
            "actor_email",
            "channel",
            "request_id",
            "remote_addr",
        ]
        read_only_fields = fields

    @extend_schema_field(serializers.ChoiceField(choices=["create", "update", "delete"]))
    def get_action(self, event) -> str:
        return presenting.action_word(event)

    def get_object_type(self, event) -> str:
        return presenting.object_type(event)

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_actor(self, event):
        return event.actor.username if event.actor else None

    @extend_schema_field(FieldChangeSerializer(many=True))
    def get_changes(self, event):
        return [
            {"field": name, "old": old, "new": new} for name, old, new in presenting.changed_fields(event)
        ]
