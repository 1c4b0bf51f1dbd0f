from django.urls import reverse
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from apps.core.api.serializers import StrictFieldsMixin
from apps.registry.feedback_loop import is_overdue, loop_times
from apps.registry.models import Feedback, ModelVersion, RegisteredModel, Stage, StageChange
from apps.registry.services import FEEDBACK_FIELDS, LINEAGE_KEYS, MODEL_FIELDS
from apps.teams.models import Team, ValueStream


class RegisteredModelSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    owning_team = serializers.SlugRelatedField(slug_field="slug", queryset=Team.objects.all())
    value_stream = serializers.SlugRelatedField(slug_field="slug", queryset=ValueStream.objects.all())
    consuming_teams = serializers.SlugRelatedField(
        slug_field="slug", queryset=Team.objects.all(), many=True, required=False
    )
    production_version = serializers.IntegerField(read_only=True, allow_null=True)
    version_count = serializers.IntegerField(read_only=True)
    open_feedback = serializers.IntegerField(read_only=True)
    overdue_feedback = serializers.IntegerField(read_only=True)

    class Meta:
        model = RegisteredModel
        fields = (
            "id",
            *MODEL_FIELDS,
            "production_version",
            "version_count",
            "open_feedback",
            "overdue_feedback",
            "created_at",
            "updated_at",
        )
        # Unique names and slugs are checked once, by the service's model validation (a query each).
        extra_kwargs = {
            name: {"validators": list(RegisteredModel._meta.get_field(name).validators)}
            for name in ("name", "slug")
        }


class FeedbackLoopSerializer(serializers.Serializer):
    acknowledge_within_hours = serializers.FloatField(help_text="The support tier's response target.")
    resolve_within_hours = serializers.FloatField(help_text="The support tier's resolution target.")
    count = serializers.IntegerField()
    median_hours_to_acknowledge = serializers.FloatField(allow_null=True)
    median_hours_to_resolve = serializers.FloatField(allow_null=True)
    median_hours_to_next_production = serializers.FloatField(allow_null=True)


class RegisteredModelDetailSerializer(RegisteredModelSerializer):
    feedback_loop = FeedbackLoopSerializer(read_only=True, source="feedback_loop_summary")
    requests = serializers.PrimaryKeyRelatedField(
        many=True, read_only=True, help_text="Ids of the model requests this model answers."
    )

    class Meta(RegisteredModelSerializer.Meta):
        fields = (*RegisteredModelSerializer.Meta.fields, "requests", "feedback_loop")


class ModelVersionSerializer(serializers.ModelSerializer):
    model = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    training_job = serializers.PrimaryKeyRelatedField(
        read_only=True, help_text="Id of the training job that produced this version (null if none)."
    )
    artefact_format = serializers.ChoiceField(
        choices=["skops", "onnx"], read_only=True, help_text="skops (scikit-learn) or onnx (onnxruntime)."
    )
    training_job_url = serializers.SerializerMethodField(
        help_text="API URL of that training job (null if none)."
    )
    model_request = serializers.IntegerField(
        source="training_job.for_request.request_id",
        read_only=True,
        allow_null=True,
        help_text="Id of the model request the job producing this version was started for (null if none).",
    )

    class Meta:
        model = ModelVersion
        fields = (
            "id",
            "model",
            "number",
            "stage",
            "task",
            *LINEAGE_KEYS,
            "metrics",
            "baseline_metrics",
            "artefact_format",
            "artefact_sha256",
            "artefact_size",
            "source_key",
            "training_job",
            "training_job_url",
            "model_request",
            "created_by",
            "created_at",
        )
        read_only_fields = fields

    @extend_schema_field({"type": "string", "format": "uri", "nullable": True})
    def get_training_job_url(self, version: ModelVersion) -> str | None:
        job = getattr(version, "training_job", None)  # None when no job produced the version
        if job is None:
            return None
        url = reverse("training-job-detail", args=[job.pk])
        request = self.context.get("request")
        return request.build_absolute_uri(url) if request else url


class StageChangeSerializer(serializers.ModelSerializer):
    version = serializers.IntegerField(source="version.number", read_only=True)
    actor = serializers.SlugRelatedField(slug_field="username", read_only=True)
    from_stage = serializers.ChoiceField(
        choices=Stage.choices, allow_blank=True, read_only=True, help_text="Empty for the registration."
    )

    class Meta:
        model = StageChange
        fields = (
            "id",
            "version",
            "from_stage",
            "to_stage",
            "actor",
            "reason",
            "is_rollback",
            "is_override",
            "failed_gates",
            "created_at",
        )
        read_only_fields = fields


class PromoteSerializer(StrictFieldsMixin, serializers.Serializer):
    to_stage = serializers.ChoiceField(choices=Stage.choices)
    reason = serializers.CharField()
    override = serializers.BooleanField(default=False)


class RollbackSerializer(StrictFieldsMixin, serializers.Serializer):
    reason = serializers.CharField()


class GateRefusalSerializer(serializers.Serializer):
    detail = serializers.CharField()
    allowed = serializers.ListField(child=serializers.CharField())
    failed_gates = serializers.ListField(child=serializers.DictField())


class FeedbackSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    model = serializers.SlugRelatedField(slug_field="slug", queryset=RegisteredModel.objects.all())
    version = serializers.IntegerField(
        source="version.number", required=False, allow_null=True, help_text="Version number of the model."
    )
    from_team = serializers.SlugRelatedField(
        slug_field="slug", queryset=Team.objects.all(), required=False, allow_null=True
    )
    filed_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    is_overdue = serializers.SerializerMethodField()
    hours_to_acknowledge = serializers.SerializerMethodField()
    hours_to_resolve = serializers.SerializerMethodField()
    hours_to_next_production = serializers.SerializerMethodField()

    class Meta:
        model = Feedback
        fields = (
            "id",
            *FEEDBACK_FIELDS,
            "filed_by",
            "status",
            "response",
            "dedupe_key",
            "filed_at",
            "acknowledged_at",
            "resolved_at",
            "is_overdue",
            "hours_to_acknowledge",
            "hours_to_resolve",
            "hours_to_next_production",
        )
        read_only_fields = ("status", "response", "dedupe_key", "filed_at", "acknowledged_at", "resolved_at")

    def validate(self, attrs):
        number = attrs.pop("version", {}).get("number") if "version" in attrs else None
        if number is not None:
            version = ModelVersion.objects.filter(model=attrs["model"], number=number).first()
            if version is None:
                raise serializers.ValidationError({"version": f"{attrs['model']} has no version {number}."})
            attrs["version"] = version
        return attrs

    def get_is_overdue(self, feedback) -> bool:
        return is_overdue(feedback)

    def get_hours_to_acknowledge(self, feedback) -> float | None:
        return loop_times(feedback).to_acknowledge

    def get_hours_to_resolve(self, feedback) -> float | None:
        return loop_times(feedback).to_resolve

    def get_hours_to_next_production(self, feedback) -> float | None:
        return loop_times(feedback).to_next_production


class FeedbackResponseSerializer(StrictFieldsMixin, serializers.Serializer):
    response = serializers.CharField(required=False, allow_blank=True, default="")


class PredictionRequestSerializer(serializers.Serializer):
    """Send exactly one of these keys."""

    records = serializers.ListField(child=serializers.DictField(), required=False)
    dataframe_split = serializers.DictField(required=False, help_text='{"columns": [...], "data": [[...]]}')
    dataframe_records = serializers.ListField(child=serializers.DictField(), required=False)
    instances = serializers.ListField(required=False)


class PredictionResponseSerializer(serializers.Serializer):
    model = serializers.CharField()
    version = serializers.IntegerField()
    predictions = serializers.ListField()
    classes = serializers.ListField(required=False, help_text="Class labels (classifiers).")
    probabilities = serializers.ListField(
        child=serializers.ListField(child=serializers.FloatField()),
        required=False,
        help_text="Per row, one probability per class in the order of `classes`.",
    )
