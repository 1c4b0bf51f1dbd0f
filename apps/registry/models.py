"""The model registry: owned models, immutable versions with lineage, stage history and feedback."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.urls import reverse

from apps.core.models import AppendOnly
from apps.teams.models import Team, ValueStream


class Lifecycle(models.TextChoices):
    EXPERIMENTAL = "experimental", "Experimental"
    PRODUCTION = "production", "Production"
    DEPRECATED = "deprecated", "Deprecated"
    RETIRED = "retired", "Retired"


class SupportTier(models.TextChoices):
    TIER_1 = "tier_1", "Tier 1 (business critical)"
    TIER_2 = "tier_2", "Tier 2 (important)"
    TIER_3 = "tier_3", "Tier 3 (best effort)"


class Task(models.TextChoices):
    CLASSIFICATION = "classification", "Classification"
    REGRESSION = "regression", "Regression"


class Origin(models.TextChoices):
    PORTAL = "portal", "Trained by the portal"
    EXTERNAL = "external", "Trained elsewhere, evaluated by the portal"


class Stage(models.TextChoices):
    CANDIDATE = "candidate", "Candidate"
    STAGING = "staging", "Staging"
    PRODUCTION = "production", "Production"
    ARCHIVED = "archived", "Archived"


# The model card sections of Mitchell et al., "Model Cards for Model Reporting" (2019).
CARD_SECTIONS = [
    ("card_model_details", "Model details"),
    ("card_intended_use", "Intended use"),
    ("card_factors", "Factors"),
    ("card_metrics", "Metrics"),
    ("card_evaluation_data", "Evaluation data"),
    ("card_training_data", "Training data"),
    ("card_ethical_considerations", "Ethical considerations"),
    ("card_caveats", "Caveats and recommendations"),
]


# Slugs taken by pages under /models/ (apps/registry/urls.py): a model called so could not be reached.
RESERVED_MODEL_SLUGS = ("new", "feedback")


class RegisteredModel(models.Model):
    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    owning_team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="owned_models")
    value_stream = models.ForeignKey(ValueStream, on_delete=models.PROTECT, related_name="models")
    purpose = models.TextField(blank=True)
    consuming_teams = models.ManyToManyField(Team, blank=True, related_name="consumed_models")
    support_tier = models.CharField(max_length=16, choices=SupportTier.choices, default=SupportTier.TIER_2)
    oncall_contact = models.CharField(max_length=200, blank=True, help_text="Who is paged when it breaks.")
    lifecycle = models.CharField(max_length=16, choices=Lifecycle.choices, default=Lifecycle.EXPERIMENTAL)
    task = models.CharField(max_length=16, choices=Task.choices, default=Task.CLASSIFICATION)
    primary_metric = models.CharField(
        max_length=40, default="roc_auc", help_text="The metric a version must improve over its baseline."
    )
    baseline_margin = models.FloatField(
        default=0.0, help_text="How much a version must beat its best baseline on the primary metric."
    )
    card_model_details = models.TextField(blank=True)
    card_intended_use = models.TextField(blank=True)
    card_factors = models.TextField(blank=True)
    card_metrics = models.TextField(blank=True)
    card_evaluation_data = models.TextField(blank=True)
    card_training_data = models.TextField(blank=True)
    card_ethical_considerations = models.TextField(blank=True)
    card_caveats = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("registry:model-detail", args=[self.slug])

    def clean(self):
        if self.slug in RESERVED_MODEL_SLUGS:
            reserved = ", ".join(RESERVED_MODEL_SLUGS)
            message = f"{self.slug!r} is reserved for a page; reserved slugs: {reserved}."
            raise ValidationError({"slug": message})


# What a version records about where it came from (registry.services validates them).
LINEAGE_FIELDS = (
    "dataset_name",
    "dataset_version",
    "dataset_sha256",
    "features",
    "input_schema",
    "estimator",
    "parameters",
    "code_version",
    "code_commit",
    "package_version",
    "library_versions",
    "split",
    "origin",
    "source_repository",
    "source_commit",
    "training_data",
    "framework",
    "framework_version",
    "class_labels",
)
# Fields of a version fixed at registration; only ``stage`` changes afterwards.
IMMUTABLE_VERSION_FIELDS = (
    "model_id",
    "number",
    "task",
    *LINEAGE_FIELDS,
    "metrics",
    "baseline_metrics",
    "artefact_key",
    "artefact_sha256",
    "artefact_size",
    "source_key",
    "created_by_id",
)


class ModelVersion(models.Model):
    model = models.ForeignKey(RegisteredModel, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField()
    stage = models.CharField(max_length=16, choices=Stage.choices, default=Stage.CANDIDATE)
    task = models.CharField(max_length=16, choices=Task.choices)
    # Lineage. The training job that produced a version points at it (TrainingJob.registered_version).
    dataset_name = models.CharField(max_length=200, blank=True)
    dataset_version = models.PositiveIntegerField(null=True, blank=True)
    dataset_sha256 = models.CharField(max_length=64, blank=True)
    features = models.JSONField(default=list, help_text="Feature column names, in order.")
    input_schema = models.JSONField(default=list, help_text='[{"name": ..., "type": "number|string|..."}]')
    estimator = models.CharField(max_length=120)
    parameters = models.JSONField(default=dict)
    code_version = models.CharField(max_length=80, blank=True, help_text="Summary of the three below.")
    code_commit = models.CharField(max_length=64, blank=True, help_text="The portal's `git rev-parse HEAD`.")
    package_version = models.CharField(max_length=40, blank=True, help_text="The ml-portal package version.")
    library_versions = models.JSONField(default=dict, blank=True, help_text="{library: version}")
    split = models.JSONField(
        default=dict,
        blank=True,
        help_text="How the metrics were computed: target, seed, holdout_share, stratified, cv_folds.",
    )
    # Where it came from: the portal's training, or a team's own code (bring your own model).
    origin = models.CharField(max_length=16, choices=Origin.choices, default=Origin.PORTAL)
    source_repository = models.CharField(max_length=300, blank=True)
    source_commit = models.CharField(max_length=64, blank=True)
    training_data = models.TextField(
        blank=True, help_text="What it was trained on, as its team describes it."
    )
    framework = models.CharField(max_length=60, blank=True)
    framework_version = models.CharField(max_length=40, blank=True)
    class_labels = models.JSONField(
        default=list, blank=True, help_text="Labels of an ONNX graph's probability columns it does not name."
    )
    metrics = models.JSONField(default=dict)
    baseline_metrics = models.JSONField(
        default=dict, help_text="The best baseline's metrics on the same data."
    )
    artefact_key = models.CharField(
        max_length=200, help_text="Key in platform storage, generated by the server."
    )
    artefact_sha256 = models.CharField(max_length=64)
    artefact_size = models.PositiveBigIntegerField(default=0)
    # Idempotency: e.g. "training-job:42"; a redelivered task finds its version instead of adding one.
    source_key = models.CharField(max_length=120, null=True, blank=True, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["model", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["model", "number"], name="version_number_unique_per_model"),
            models.UniqueConstraint(
                fields=["model"], condition=Q(stage="production"), name="one_production_version_per_model"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.model} v{self.number}"

    def save(self, *args, **kwargs):
        if self.pk and not kwargs.get("force_insert"):
            stored = ModelVersion.objects.filter(pk=self.pk).values(*IMMUTABLE_VERSION_FIELDS).first()
            if stored:
                changed = [name for name in IMMUTABLE_VERSION_FIELDS if stored[name] != getattr(self, name)]
                if changed:
                    raise ValidationError(
                        {
                            name.removesuffix("_id"): "A model version is immutable once registered."
                            for name in changed
                        }
                    )
        super().save(*args, **kwargs)

    @property
    def is_external(self) -> bool:
        return self.origin == Origin.EXTERNAL

    @property
    def artefact_format(self) -> str:
        return "onnx" if self.artefact_key.endswith(".onnx") else "skops"


class StageChange(AppendOnly):
    """Append-only history of every stage move: who, when, why, and any gate override."""

    version = models.ForeignKey(ModelVersion, on_delete=models.CASCADE, related_name="stage_changes")
    from_stage = models.CharField(max_length=16, choices=Stage.choices, blank=True)
    to_stage = models.CharField(max_length=16, choices=Stage.choices)
    actor = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL)
    reason = models.TextField(blank=True)
    is_rollback = models.BooleanField(default=False)
    is_override = models.BooleanField(
        default=False, help_text="Platform staff promoted despite failed gates."
    )
    failed_gates = models.JSONField(default=list, blank=True)
    created_at = models.DateTimeField(auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.version}: {self.from_stage or '—'} → {self.to_stage}"


class FeedbackKind(models.TextChoices):
    WRONG_PREDICTIONS = "wrong_predictions", "Wrong predictions"
    DRIFT = "drift", "Drift"
    BUG = "bug", "Bug"
    FEATURE_REQUEST = "feature_request", "Feature request"


class Severity(models.TextChoices):
    LOW = "low", "Low"
    MEDIUM = "medium", "Medium"
    HIGH = "high", "High"
    CRITICAL = "critical", "Critical"


class FeedbackStatus(models.TextChoices):
    OPEN = "open", "Open"
    ACKNOWLEDGED = "acknowledged", "Acknowledged"
    RESOLVED = "resolved", "Resolved"


class Feedback(models.Model):
    model = models.ForeignKey(RegisteredModel, on_delete=models.CASCADE, related_name="feedback")
    version = models.ForeignKey(
        ModelVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    from_team = models.ForeignKey(
        Team,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="filed_feedback",
        help_text="The consuming team filing it; empty for feedback the platform files (e.g. drift).",
    )
    filed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    kind = models.CharField(max_length=32, choices=FeedbackKind.choices)
    severity = models.CharField(max_length=16, choices=Severity.choices, default=Severity.MEDIUM)
    title = models.CharField(max_length=200)
    description = models.TextField(blank=True)
    example_inputs = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=16, choices=FeedbackStatus.choices, default=FeedbackStatus.OPEN)
    response = models.TextField(blank=True)
    # Feedback the platform opens itself (e.g. "drift:<version>:<feature>") is opened once per key.
    dedupe_key = models.CharField(max_length=200, null=True, blank=True, unique=True)
    filed_at = models.DateTimeField(auto_now_add=True, db_index=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    resolved_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-filed_at", "-id"]
        verbose_name_plural = "feedback"

    def __str__(self) -> str:
        return f"{self.model}: {self.title}"
