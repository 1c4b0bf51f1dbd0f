"""Business outcomes (KPIs, observations, model costs) and model monitoring (prediction statistics,
input samples, drift references and results)."""

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone

from apps.modelrequests.models import ModelRequest
from apps.registry.models import ModelVersion, RegisteredModel
from apps.teams.models import ValueStream
from apps.training.models import TrainingJob


class Direction(models.TextChoices):
    HIGHER = "higher", "Higher is better"
    LOWER = "lower", "Lower is better"


class Segment(models.TextChoices):
    TREATMENT = "treatment", "Treatment (with the model)"
    CONTROL = "control", "Control (without it, or with the heuristic)"
    ALL = "all", "All traffic"


class Kpi(models.Model):
    stream = models.ForeignKey(ValueStream, on_delete=models.CASCADE, related_name="kpis")
    name = models.CharField(max_length=120)
    description = models.TextField(blank=True)
    unit = models.CharField(max_length=40, help_text='e.g. "rate", "EUR", "minutes".')
    direction = models.CharField(max_length=8, choices=Direction.choices, default=Direction.HIGHER)
    value_per_unit = models.FloatField(
        default=0.0, help_text="Money one unit of the KPI is worth per unit of volume (for ROI)."
    )
    target = models.FloatField(null=True, blank=True)
    retired_at = models.DateTimeField(
        null=True,
        blank=True,
        help_text="Set when the KPI is retired: it keeps its history and takes no new observations.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["stream__name", "name"]
        verbose_name = "KPI"
        constraints = [models.UniqueConstraint(fields=["stream", "name"], name="kpi_name_unique_per_stream")]

    def __str__(self) -> str:
        return f"{self.stream}: {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("outcomes:stream-dashboard", args=[self.stream.slug])

    @property
    def sign(self) -> int:
        """+1 when a higher value is better, -1 when lower is better."""
        return 1 if self.direction == Direction.HIGHER else -1


class Observation(models.Model):
    """One measured value of a KPI at a time, for a segment, optionally attributed to a model.

    ``model_key`` is the model's id or 0: a non-null copy so that "no model" rows are unique too
    (NULLs never conflict in a unique index), which makes re-sent batches update instead of duplicate.
    """

    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="observations")
    time = models.DateTimeField()
    value = models.FloatField()
    volume = models.FloatField(default=1.0, help_text="Units observed (sessions, orders, ...).")
    segment = models.CharField(max_length=10, choices=Segment.choices, default=Segment.ALL)
    model = models.ForeignKey(
        RegisteredModel, null=True, blank=True, on_delete=models.CASCADE, related_name="observations"
    )
    model_key = models.PositiveBigIntegerField(default=0, editable=False)
    version = models.ForeignKey(
        ModelVersion, null=True, blank=True, on_delete=models.SET_NULL, related_name="observations"
    )
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["kpi", "time"]
        constraints = [
            models.UniqueConstraint(
                fields=["kpi", "time", "segment", "model_key"],
                name="observation_unique_kpi_time_segment_model",
            )
        ]
        indexes = [
            # (kpi, time, ...) is served by the unique index; impact reads by model, KPI and segment.
            models.Index(fields=["model_key", "kpi", "segment", "time"], name="observation_model_kpi_seg"),
            # The observation list, newest first: its first page reads 50 index entries instead of
            # sorting every row (212 ms for 1M rows, 0.06 ms with it).
            models.Index(fields=["-time", "id"], name="observation_newest_first"),
        ]

    def __str__(self) -> str:
        return f"{self.kpi.name} {self.segment} @ {self.time:%Y-%m-%d %H:%M}: {self.value}"

    def save(self, *args, **kwargs):
        self.model_key = self.model_id or 0
        super().save(*args, **kwargs)


class DailyAggregate(models.Model):
    """Sufficient statistics of one KPI's observations per UTC day, segment and model: count, sum,
    sum of squares and volume. Rebuilt for the touched days by every ingestion, so the dashboards
    and the impact endpoint aggregate a few thousand daily rows instead of millions of raw ones
    (mean = total / n; sample variance = (total_sq - total^2 / n) / (n - 1))."""

    kpi = models.ForeignKey(Kpi, on_delete=models.CASCADE, related_name="daily_aggregates")
    day = models.DateField()
    segment = models.CharField(max_length=10, choices=Segment.choices)
    model_key = models.PositiveBigIntegerField(default=0)
    n = models.PositiveIntegerField()
    total = models.FloatField()
    total_sq = models.FloatField()
    volume = models.FloatField()

    class Meta:
        ordering = ["kpi", "day"]
        constraints = [
            models.UniqueConstraint(
                fields=["kpi", "day", "segment", "model_key"], name="daily_aggregate_unique"
            )
        ]
        indexes = [models.Index(fields=["model_key", "kpi", "segment", "day"], name="daily_aggregate_model")]

    def __str__(self) -> str:
        return f"{self.kpi.name} {self.segment} {self.day}: n={self.n}"


class ModelCost(models.Model):
    model = models.OneToOneField(RegisteredModel, on_delete=models.CASCADE, related_name="cost")
    monthly_running_cost = models.FloatField(default=0.0, help_text="Infrastructure cost per month.")
    monthly_team_effort_cost = models.FloatField(
        default=0.0, help_text="People cost per month to keep the model alive."
    )
    notes = models.TextField(blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["model__name"]

    def __str__(self) -> str:
        return f"Cost of {self.model}"

    @property
    def monthly_total(self) -> float:
        return self.monthly_running_cost + self.monthly_team_effort_cost


# Upper bounds (ms) of the latency histogram; the last bucket is open-ended.
LATENCY_BUCKETS_MS = (5, 10, 25, 50, 100, 250, 500, 1000, 2500)
LATENCY_FIELDS = tuple(f"latency_le_{bound}" for bound in LATENCY_BUCKETS_MS) + ("latency_over",)


class PredictionStats(models.Model):
    """Prediction traffic of one model version in one hour, updated in place by the prediction path."""

    version = models.ForeignKey(ModelVersion, on_delete=models.CASCADE, related_name="prediction_stats")
    bucket_start = models.DateTimeField()
    request_count = models.PositiveBigIntegerField(default=0)
    row_count = models.PositiveBigIntegerField(default=0)
    error_count = models.PositiveBigIntegerField(default=0)
    latency_sum_ms = models.FloatField(default=0.0)
    latency_le_5 = models.PositiveBigIntegerField(default=0)
    latency_le_10 = models.PositiveBigIntegerField(default=0)
    latency_le_25 = models.PositiveBigIntegerField(default=0)
    latency_le_50 = models.PositiveBigIntegerField(default=0)
    latency_le_100 = models.PositiveBigIntegerField(default=0)
    latency_le_250 = models.PositiveBigIntegerField(default=0)
    latency_le_500 = models.PositiveBigIntegerField(default=0)
    latency_le_1000 = models.PositiveBigIntegerField(default=0)
    latency_le_2500 = models.PositiveBigIntegerField(default=0)
    latency_over = models.PositiveBigIntegerField(default=0)

    class Meta:
        ordering = ["version", "bucket_start"]
        verbose_name_plural = "prediction stats"
        constraints = [
            models.UniqueConstraint(fields=["version", "bucket_start"], name="prediction_stats_unique_bucket")
        ]

    def __str__(self) -> str:
        return f"{self.version} @ {self.bucket_start:%Y-%m-%d %H:00}: {self.request_count} requests"


class InputSample(models.Model):
    """A bounded reservoir sample of predicted input rows: ``slot`` 0..N-1 per version and hour."""

    version = models.ForeignKey(ModelVersion, on_delete=models.CASCADE, related_name="input_samples")
    bucket_start = models.DateTimeField()
    slot = models.PositiveSmallIntegerField()
    inputs = models.JSONField()

    class Meta:
        ordering = ["version", "bucket_start", "slot"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "bucket_start", "slot"], name="input_sample_unique_slot"
            )
        ]

    def __str__(self) -> str:
        return f"{self.version} sample {self.bucket_start:%Y-%m-%d %H:00} #{self.slot}"


class DriftBand(models.TextChoices):
    STABLE = "stable", "Stable (PSI < 0.1)"
    MODERATE = "moderate", "Moderate (0.1-0.25)"
    SIGNIFICANT = "significant", "Significant (> 0.25)"


class DriftReference(models.Model):
    """The training-data distribution of one feature of a version, as bins (frozen once stored)."""

    class Kind(models.TextChoices):
        NUMERIC = "numeric", "Numeric (quantile bins)"
        CATEGORICAL = "categorical", "Categorical"

    class Source(models.TextChoices):
        TRAINING_DATA = "training_data", "Training data"
        FIRST_SAMPLE = "first_sample", "First recorded input sample"

    version = models.ForeignKey(ModelVersion, on_delete=models.CASCADE, related_name="drift_references")
    feature = models.CharField(max_length=200)
    kind = models.CharField(max_length=12, choices=Kind.choices)
    edges = models.JSONField(default=list, blank=True, help_text="Inner bin edges (numeric).")
    categories = models.JSONField(default=list, blank=True, help_text="Known categories (categorical).")
    proportions = models.JSONField(help_text="Share of the reference in each bin.")
    sample_size = models.PositiveIntegerField()
    source = models.CharField(max_length=16, choices=Source.choices)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["version", "feature"]
        constraints = [
            models.UniqueConstraint(fields=["version", "feature"], name="drift_reference_unique_feature")
        ]

    def __str__(self) -> str:
        return f"{self.version} {self.feature} reference ({self.get_source_display()})"


class DriftResult(models.Model):
    version = models.ForeignKey(ModelVersion, on_delete=models.CASCADE, related_name="drift_results")
    feature = models.CharField(max_length=200)
    window_start = models.DateTimeField()
    window_end = models.DateTimeField()
    psi = models.FloatField()
    band = models.CharField(max_length=12, choices=DriftBand.choices)
    sample_size = models.PositiveIntegerField()
    computed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["version", "feature", "window_end"]
        constraints = [
            models.UniqueConstraint(
                fields=["version", "feature", "window_end"], name="drift_result_unique_window"
            )
        ]
        indexes = [models.Index(fields=["version", "window_end"], name="drift_result_version_end")]

    def __str__(self) -> str:
        return f"{self.version} {self.feature} PSI {self.psi:.3f} ({self.band})"


class JobForRequest(models.Model):
    """A training job started for a model request: training and model requests do not know each
    other, so the link between the work and the ask lives here, above both (``apps.outcomes.work``).
    The job's model and its versions reach the request through the job."""

    job = models.OneToOneField(TrainingJob, on_delete=models.CASCADE, related_name="for_request")
    request = models.ForeignKey(ModelRequest, on_delete=models.CASCADE, related_name="training_jobs")
    linked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    linked_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-linked_at", "-id"]
        verbose_name = "training job for a request"

    def __str__(self) -> str:
        return f"Job {self.job_id} for request #{self.request_id}"
