from rest_framework import serializers

from apps.core.api.serializers import StrictFieldsMixin
from apps.registry.models import RegisteredModel, Task
from apps.teams.models import Team
from apps.training.models import DatasetVersion, RetrainingSchedule, TrainingJob
from apps.training.services import SCHEDULE_FIELDS


class DatasetVersionSerializer(serializers.ModelSerializer):
    team = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    uploaded_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = DatasetVersion
        fields = (
            "id",
            "team",
            "name",
            "version",
            "original_filename",
            "sha256",
            "size_bytes",
            "row_count",
            "column_count",
            "status",
            "progress",
            "error",
            "uploaded_by",
            "created_at",
        )
        read_only_fields = fields


class DatasetVersionDetailSerializer(DatasetVersionSerializer):
    class Meta(DatasetVersionSerializer.Meta):
        fields = (
            *DatasetVersionSerializer.Meta.fields,
            "description",
            "storage_key",
            "schema",
            "preview",
            "processed_at",
        )
        read_only_fields = fields


class DatasetUploadSerializer(StrictFieldsMixin, serializers.Serializer):
    team = serializers.SlugRelatedField(slug_field="slug", queryset=Team.objects.all())
    name = serializers.CharField(max_length=120)
    description = serializers.CharField(required=False, allow_blank=True, default="")
    file = serializers.FileField(help_text="A UTF-8 CSV file with a header row (multipart upload).")


class NewModelSerializer(StrictFieldsMixin, serializers.Serializer):
    name = serializers.CharField(max_length=120)
    slug = serializers.SlugField(max_length=120)
    purpose = serializers.CharField(required=False, allow_blank=True, default="")


class TrainingJobCreateSerializer(StrictFieldsMixin, serializers.Serializer):
    """Ranges and cross-field rules live in the service; its errors come back per field."""

    dataset_version = serializers.PrimaryKeyRelatedField(queryset=DatasetVersion.objects.all())
    target = serializers.CharField()
    features = serializers.ListField(child=serializers.CharField(), required=False, allow_empty=True)
    task = serializers.ChoiceField(choices=Task.choices, required=False, allow_null=True)
    estimator = serializers.CharField(help_text="A key of /api/v1/estimators/.")
    parameters = serializers.DictField(required=False, default=dict)
    cv_folds = serializers.IntegerField(required=False)
    holdout_share = serializers.FloatField(required=False)
    seed = serializers.IntegerField(required=False)
    search_budget = serializers.IntegerField(required=False)
    time_limit_seconds = serializers.IntegerField(required=False)
    registered_model = serializers.SlugRelatedField(
        slug_field="slug", queryset=RegisteredModel.objects.all(), required=False, allow_null=True
    )
    new_model = NewModelSerializer(required=False)
    model_request = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        help_text="The id of the accepted model request this job answers: the request moves to in "
        "progress when the job starts and names the model the job registers.",
    )


class ExternalVersionSerializer(StrictFieldsMixin, serializers.Serializer):
    """A version trained elsewhere (multipart). JSON-valued fields may be sent as JSON text."""

    registered_model = serializers.SlugRelatedField(slug_field="slug", queryset=RegisteredModel.objects.all())
    dataset_version = serializers.PrimaryKeyRelatedField(
        queryset=DatasetVersion.objects.all(), help_text="The dataset version to evaluate it on."
    )
    target = serializers.CharField(help_text="The target column of that dataset.")
    artefact = serializers.FileField(
        help_text="A skops file of a scikit-learn-compatible pipeline, or an ONNX model."
    )
    artefact_format = serializers.ChoiceField(
        choices=["skops", "onnx"],
        required=False,
        help_text="Checked against the file; read from it if omitted.",
    )
    input_schema = serializers.JSONField(
        required=False,
        binary=True,
        help_text='[{"name": ..., "type": ...}] in the order the model takes them; default: every column '
        "of the dataset but the target.",
    )
    features = serializers.ListField(child=serializers.CharField(), required=False, allow_empty=True)
    classes = serializers.JSONField(
        required=False,
        binary=True,
        help_text="Class labels in the order of an ONNX graph's probability columns, if it names none.",
    )
    parameters = serializers.JSONField(required=False, binary=True, help_text="Its training parameters.")
    seed = serializers.IntegerField(required=False, help_text="Seed of the holdout split (default 42).")
    holdout_share = serializers.FloatField(required=False, help_text="Share of rows held out (default 0.2).")
    source_repository = serializers.CharField(required=False, allow_blank=True, max_length=300)
    source_commit = serializers.CharField(required=False, allow_blank=True, max_length=64)
    training_data = serializers.CharField(required=False, allow_blank=True)
    framework = serializers.CharField(required=False, allow_blank=True, max_length=60)
    framework_version = serializers.CharField(required=False, allow_blank=True, max_length=40)


class RegisteredVersionSerializer(serializers.Serializer):
    id = serializers.IntegerField()
    model = serializers.CharField(source="model.slug")
    number = serializers.IntegerField()
    stage = serializers.CharField()
    url = serializers.CharField(source="model.get_absolute_url")


class TrainingJobSerializer(serializers.ModelSerializer):
    team = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    registered_model = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    registered_version = RegisteredVersionSerializer(read_only=True)
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)
    status_display = serializers.CharField(source="get_status_display", read_only=True)
    model_request = serializers.IntegerField(
        source="for_request.request_id",
        read_only=True,
        allow_null=True,
        help_text="The id of the model request this job answers, if any.",
    )

    class Meta:
        model = TrainingJob
        fields = (
            "id",
            "team",
            "dataset_version",
            "target",
            "features",
            "task",
            "task_inferred",
            "kind",
            "estimator",
            "parameters",
            "best_parameters",
            "cv_folds",
            "holdout_share",
            "seed",
            "search_budget",
            "time_limit_seconds",
            "status",
            "status_display",
            "progress",
            "stage",
            "error",
            "attempts",
            "metrics",
            "baseline_metrics",
            "lift",
            "timings",
            "registered_model",
            "registered_version",
            "model_request",
            "created_by",
            "created_at",
            "started_at",
            "finished_at",
        )
        read_only_fields = fields


class TrainingJobDetailSerializer(TrainingJobSerializer):
    class Meta(TrainingJobSerializer.Meta):
        fields = (*TrainingJobSerializer.Meta.fields, "log", "celery_task_id", "worker", "heartbeat_at")
        read_only_fields = fields


class RetrainingScheduleSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    registered_model = serializers.SlugRelatedField(slug_field="slug", queryset=RegisteredModel.objects.all())
    dataset_team = serializers.SlugRelatedField(slug_field="slug", queryset=Team.objects.all())
    created_by = serializers.SlugRelatedField(slug_field="username", read_only=True)

    class Meta:
        model = RetrainingSchedule
        fields = (
            "id",
            *SCHEDULE_FIELDS,
            "next_run_at",
            "last_run_at",
            "last_error",
            "created_by",
            "created_at",
        )
        read_only_fields = ("next_run_at", "last_run_at", "last_error", "created_by", "created_at")
        validators: list = []  # the one-schedule-per-model rule is reported by the service
