from rest_framework import serializers

from apps.core.api.serializers import StrictFieldsMixin
from apps.practices.checks import CHECKS
from apps.practices.models import Engagement, ScorecardSnapshot, SelfAssessment, SurveyResponse, SurveyRound
from apps.practices.services import ASSESSMENT_FIELDS, SURVEY_RESPONSE_FIELDS, SURVEY_ROUND_FIELDS
from apps.teams.models import Interaction, Team


class ScorecardSnapshotSerializer(serializers.ModelSerializer):
    team = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    model = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    level_name = serializers.CharField(source="get_level_display", read_only=True)

    class Meta:
        model = ScorecardSnapshot
        fields = (
            "id",
            "subject_type",
            "team",
            "model",
            "computed_at",
            "confirmed_at",
            "level",
            "level_name",
            "mlops_level",
            "category_levels",
            "passed",
            "failed",
            "is_latest",
            "results",
        )
        read_only_fields = fields


class SnapshotPointSerializer(serializers.ModelSerializer):
    """A history point: enough to chart a trend."""

    class Meta:
        model = ScorecardSnapshot
        fields = (
            "id",
            "computed_at",
            "confirmed_at",
            "level",
            "mlops_level",
            "category_levels",
            "passed",
            "failed",
        )
        read_only_fields = fields


class NextLevelCheckSerializer(serializers.Serializer):
    check = serializers.CharField()
    title = serializers.CharField()
    category = serializers.CharField()
    level = serializers.IntegerField()
    explanation = serializers.CharField()
    how_to_fix = serializers.CharField()


class NextLevelSerializer(serializers.Serializer):
    level = serializers.IntegerField(allow_null=True)
    level_name = serializers.CharField(allow_null=True)
    checks = NextLevelCheckSerializer(many=True)
    waiting_for_data = serializers.ListField(child=serializers.CharField())


class ScorecardDetailSerializer(serializers.Serializer):
    latest = ScorecardSnapshotSerializer(allow_null=True)
    next_level_needs = NextLevelSerializer(allow_null=True)
    history = SnapshotPointSerializer(many=True)


class RecomputeSerializer(StrictFieldsMixin, serializers.Serializer):
    team = serializers.SlugField(required=False)
    model = serializers.SlugField(required=False)

    def validate(self, attrs):
        if bool(attrs.get("team")) == bool(attrs.get("model")):
            raise serializers.ValidationError({"team": ["Give exactly one of team or model (a slug)."]})
        return attrs


class RubricEntrySerializer(serializers.Serializer):
    check = serializers.CharField()
    title = serializers.CharField()
    subject = serializers.CharField()
    category = serializers.CharField()
    category_name = serializers.CharField()
    level = serializers.IntegerField()
    level_name = serializers.CharField()
    how_to_fix = serializers.CharField()


class SelfAssessmentSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    team = serializers.SlugRelatedField(slug_field="slug", queryset=Team.objects.all())
    assessed_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    is_expired = serializers.BooleanField(read_only=True)

    class Meta:
        model = SelfAssessment
        fields = ("id", *ASSESSMENT_FIELDS, "is_expired", "assessed_by", "assessed_at")
        validators: list = []  # one per team and practice is reported by the service, per field


class SurveyRoundSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    class Meta:
        model = SurveyRound
        fields = ("id", *SURVEY_ROUND_FIELDS, "created_at")


class SurveyResponseSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    team = serializers.SlugRelatedField(slug_field="slug", queryset=Team.objects.all())
    respondent = serializers.SlugRelatedField(slug_field="username", read_only=True)
    load_score = serializers.FloatField(read_only=True)

    class Meta:
        model = SurveyResponse
        fields = ("id", *SURVEY_RESPONSE_FIELDS, "respondent", "load_score", "answered_at")
        validators: list = []  # answering again replaces the member's answers


class SurveyResultSerializer(serializers.Serializer):
    round = serializers.CharField(source="round.name")
    round_id = serializers.IntegerField(source="round.pk")
    closes_on = serializers.DateField(source="round.closes_on")
    team = serializers.CharField(source="team.slug")
    respondents = serializers.IntegerField()
    load = serializers.FloatField()
    per_question = serializers.DictField(child=serializers.FloatField())


class EngagementSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    interaction = serializers.PrimaryKeyRelatedField(
        queryset=Interaction.objects.select_related("from_team", "to_team")
    )
    goals = serializers.ListField(child=serializers.ChoiceField(choices=sorted(CHECKS)), allow_empty=False)
    team = serializers.CharField(source="interaction.to_team.slug", read_only=True)
    enabling_team = serializers.CharField(source="interaction.from_team.slug", read_only=True)
    starts_on = serializers.DateField(source="interaction.start_date", read_only=True)
    ends_on = serializers.DateField(source="interaction.expected_end", read_only=True)
    status = serializers.CharField(read_only=True)
    before = SnapshotPointSerializer(source="before_snapshot", read_only=True)
    after = SnapshotPointSerializer(source="after_snapshot", read_only=True)
    goal_progress = serializers.SerializerMethodField()

    class Meta:
        model = Engagement
        fields = (
            "id",
            "interaction",
            "goals",
            "notes",
            "team",
            "enabling_team",
            "starts_on",
            "ends_on",
            "status",
            "before",
            "after",
            "goal_progress",
            "created_at",
            "completed_at",
        )

    def get_goal_progress(self, engagement) -> list[dict]:
        from apps.practices.engagements import goal_progress

        return goal_progress(engagement)


class StreamDeliverySerializer(serializers.Serializer):
    stream = serializers.CharField(source="stream.slug")
    production_models = serializers.IntegerField()
    by_kind = serializers.DictField(child=serializers.IntegerField())
    self_service_share = serializers.FloatField(allow_null=True)
    promotions_by_month = serializers.DictField(child=serializers.IntegerField())
    promotions_per_month = serializers.FloatField()
    rollbacks = serializers.IntegerField()
    rollback_rate = serializers.FloatField(allow_null=True)
    time_to_restore_hours = serializers.FloatField(allow_null=True)
    request_lead_time_days = serializers.FloatField(allow_null=True)
    requests_available = serializers.BooleanField()
