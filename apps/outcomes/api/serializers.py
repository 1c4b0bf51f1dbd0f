from rest_framework import serializers

from apps.core.api.serializers import StrictFieldsMixin
from apps.core.numbers import FiniteFloatField
from apps.outcomes.models import DriftResult, Kpi, ModelCost, Observation
from apps.outcomes.services import KPI_FIELDS, MODEL_COST_FIELDS
from apps.registry.models import RegisteredModel
from apps.teams.models import ValueStream


class KpiSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    stream = serializers.SlugRelatedField(slug_field="slug", queryset=ValueStream.objects.all())

    class Meta:
        model = Kpi
        fields = ("id", *KPI_FIELDS, "retired_at", "created_at", "updated_at")
        read_only_fields = ("retired_at",)
        validators: list = []  # the unique name per stream is reported by the service, per field


class ObservationSerializer(serializers.ModelSerializer):
    model = serializers.SlugRelatedField(slug_field="slug", read_only=True)
    version = serializers.IntegerField(source="version.number", read_only=True, default=None)
    stream = serializers.CharField(source="kpi.stream.slug", read_only=True)

    class Meta:
        model = Observation
        fields = (
            "id",
            "kpi",
            "stream",
            "time",
            "value",
            "volume",
            "segment",
            "model",
            "version",
            "updated_at",
        )


class ObservationRowSerializer(serializers.Serializer):
    """One row of a bulk ingest (documentation; rows are validated together by the service)."""

    kpi = serializers.IntegerField(help_text="KPI id")
    time = serializers.CharField(help_text="ISO 8601 date or date-time (UTC when no offset)")
    value = serializers.FloatField()
    volume = serializers.FloatField(required=False, help_text="Units observed; default 1")
    segment = serializers.ChoiceField(choices=["treatment", "control", "all"], required=False)
    model = serializers.CharField(required=False, help_text="Registered model slug")
    version = serializers.IntegerField(required=False, help_text="Version number of that model")


class IngestErrorSerializer(serializers.Serializer):
    row = serializers.IntegerField(help_text="1-based row number (0: the batch as a whole)")
    field = serializers.CharField()
    message = serializers.CharField()


class IngestResponseSerializer(serializers.Serializer):
    saved = serializers.IntegerField()
    kpis = serializers.ListField(child=serializers.IntegerField())


class IngestRejectedSerializer(serializers.Serializer):
    """A rejected batch; a value refused before the rows are read (a NUL character) is named instead
    by its path, ``{"<row>.<field>": [message]}``, as on every endpoint."""

    detail = serializers.CharField(required=False, help_text="Absent when a value is refused by its path.")
    errors = IngestErrorSerializer(
        many=True, required=False, help_text="Per rejected row; absent when the body is not JSON."
    )


class ModelCostSerializer(StrictFieldsMixin, serializers.ModelSerializer):
    model = serializers.SlugRelatedField(slug_field="slug", queryset=RegisteredModel.objects.all())
    monthly_total = serializers.FloatField(read_only=True)

    class Meta:
        model = ModelCost
        fields = ("id", *MODEL_COST_FIELDS, "monthly_total", "updated_at")
        validators: list = []


class DriftResultSerializer(serializers.ModelSerializer):
    model = serializers.CharField(source="version.model.slug", read_only=True)
    version = serializers.IntegerField(source="version.number", read_only=True)

    class Meta:
        model = DriftResult
        fields = (
            "id",
            "model",
            "version",
            "feature",
            "window_start",
            "window_end",
            "psi",
            "band",
            "sample_size",
            "computed_at",
        )


class GroupStatsSerializer(serializers.Serializer):
    n = serializers.IntegerField()
    mean = FiniteFloatField()
    variance = FiniteFloatField()


class KpiImpactSerializer(serializers.Serializer):
    kpi = serializers.IntegerField(source="kpi.pk")
    kpi_name = serializers.CharField(source="kpi.name")
    direction = serializers.CharField(source="kpi.direction")
    evidence = serializers.CharField(help_text="controlled | before_after | none")
    evidence_label = serializers.CharField()
    treatment = GroupStatsSerializer(allow_null=True, help_text="Treatment, or after the promotion")
    control = GroupStatsSerializer(allow_null=True, help_text="Control, or before the promotion")
    promoted_at = serializers.DateTimeField(allow_null=True, read_only=True)
    lift = FiniteFloatField(allow_null=True, help_text="Treatment mean minus control mean")
    ci_low = FiniteFloatField(source="test.low", allow_null=True, default=None)
    ci_high = FiniteFloatField(source="test.high", allow_null=True, default=None)
    p_value = FiniteFloatField(allow_null=True)
    degrees_of_freedom = FiniteFloatField(source="test.df", allow_null=True, default=None)
    relative_lift = FiniteFloatField(allow_null=True)
    relative_ci = serializers.ListField(child=FiniteFloatField(), allow_null=True)
    volume = FiniteFloatField()
    incremental_value = FiniteFloatField(allow_null=True)
    incremental_value_ci = serializers.ListField(source="value_ci", child=FiniteFloatField(), allow_null=True)
    significant = serializers.BooleanField()


class ModelImpactSerializer(serializers.Serializer):
    model = serializers.CharField(source="model.slug")
    name = serializers.CharField(source="model.name")
    stream = serializers.CharField(source="model.value_stream.slug")
    evidence = serializers.CharField()
    incremental_value = FiniteFloatField(allow_null=True)
    monthly_cost = FiniteFloatField()
    cost = FiniteFloatField(help_text="Monthly cost times the months observed")
    roi = FiniteFloatField(allow_null=True, help_text="(incremental value - cost) / cost")
    verdict = serializers.CharField()
    verdict_reason = serializers.CharField()
    kpis = KpiImpactSerializer(many=True)


class RequestOutcomeSerializer(serializers.Serializer):
    request = serializers.IntegerField(source="request.pk")
    title = serializers.CharField(source="request.title")
    model = serializers.CharField(source="impact.model.slug")
    kpi = serializers.CharField(source="request.kpi")
    expected_pct = FiniteFloatField(allow_null=True, help_text="Expected change the request promised")
    realised_pct = FiniteFloatField(allow_null=True, help_text="Relative improvement measured")
    realised_ci_pct = serializers.ListField(child=FiniteFloatField(), allow_null=True)
    ratio = FiniteFloatField(allow_null=True, help_text="Realised / expected")


class StreamImpactSerializer(serializers.Serializer):
    stream = serializers.CharField()
    start = serializers.DateField(allow_null=True)
    end = serializers.DateField(allow_null=True)
    models = ModelImpactSerializer(many=True)
    requests = RequestOutcomeSerializer(many=True, help_text="Expected vs realised, delivered requests")
    estimate_ratio = FiniteFloatField(
        allow_null=True, help_text="Median realised / expected: how far to trust future estimates"
    )


class TrafficTotalsSerializer(serializers.Serializer):
    requests = serializers.IntegerField()
    rows = serializers.IntegerField()
    errors = serializers.IntegerField()
    error_rate = FiniteFloatField(allow_null=True)
    mean_latency_ms = FiniteFloatField(allow_null=True)
    p50_ms = FiniteFloatField(allow_null=True)
    p95_ms = FiniteFloatField(allow_null=True)
    p99_ms = FiniteFloatField(allow_null=True)


class DailyTrafficSerializer(serializers.Serializer):
    day = serializers.DateField()
    version = serializers.IntegerField()
    requests = serializers.IntegerField()
    rows = serializers.IntegerField()
    errors = serializers.IntegerField()
    p50_ms = FiniteFloatField(allow_null=True)
    p95_ms = FiniteFloatField(allow_null=True)


class ModelMonitoringSerializer(serializers.Serializer):
    model = serializers.CharField()
    since = serializers.DateField()
    totals = TrafficTotalsSerializer()
    daily = DailyTrafficSerializer(many=True)
    drift = DriftResultSerializer(many=True, help_text="Latest result per version and feature")
