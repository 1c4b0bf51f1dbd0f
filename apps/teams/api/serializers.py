from django.contrib.auth import get_user_model
from rest_framework import serializers

from apps.core.api.serializers import StrictFieldsMixin
from apps.teams.models import Interaction, Membership, Team, ValueStream
from apps.teams.services import INTERACTION_FIELDS, STREAM_FIELDS, TEAM_FIELDS

User = get_user_model()


class ValueStreamSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    product_manager = serializers.SlugRelatedField(
        slug_field="username", queryset=User.objects.all(), allow_null=True, required=False
    )
    team_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = ValueStream
        fields = ("id", *STREAM_FIELDS, "team_count", "created_at", "updated_at")


class TeamSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    value_stream = serializers.SlugRelatedField(
        slug_field="slug", queryset=ValueStream.objects.all(), allow_null=True, required=False
    )
    member_count = serializers.IntegerField(read_only=True)

    class Meta:
        model = Team
        fields = ("id", *TEAM_FIELDS, "member_count", "created_at", "updated_at")


class MembershipSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    team = serializers.SlugRelatedField(slug_field="slug", queryset=Team.objects.all())
    user = serializers.SlugRelatedField(slug_field="username", queryset=User.objects.all())

    class Meta:
        model = Membership
        fields = ("id", "team", "user", "role", "source", "joined_at")
        read_only_fields = ("source",)
        validators: list = []  # the one-membership rule is reported by the service, per field


class InteractionSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    from_team = serializers.SlugRelatedField(slug_field="slug", queryset=Team.objects.all())
    to_team = serializers.SlugRelatedField(slug_field="slug", queryset=Team.objects.all())
    status = serializers.CharField(read_only=True)
    is_time_boxed = serializers.BooleanField(read_only=True)

    class Meta:
        model = Interaction
        fields = ("id", *INTERACTION_FIELDS, "status", "is_time_boxed", "created_at", "updated_at")
