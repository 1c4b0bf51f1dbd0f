from django.contrib import admin

from apps.core.admin_base import PolicyAdminMixin, ReadOnlyAdminMixin
from apps.outcomes import services
from apps.outcomes.models import (
    DailyAggregate,
    DriftReference,
    DriftResult,
    InputSample,
    JobForRequest,
    Kpi,
    ModelCost,
    Observation,
    PredictionStats,
)


@admin.register(Kpi)
class KpiAdmin(PolicyAdminMixin, admin.ModelAdmin):
    change_rule = "outcomes.change_kpi"

    def policy_object(self, obj):
        return obj.stream

    def delete_rule_for(self, obj) -> str:
        # A KPI with observations is retired, not deleted, unless platform staff confirm (this page).
        return "outcomes.delete_measured_kpi" if obj.observations.exists() else "outcomes.change_kpi"

    list_display = ["name", "stream", "unit", "direction", "value_per_unit", "target"]
    list_filter = ["stream", "direction"]
    search_fields = ["name", "description"]


@admin.register(Observation)
class ObservationAdmin(PolicyAdminMixin, admin.ModelAdmin):
    change_rule = delete_rule = "outcomes.post_observations"

    def policy_object(self, obj):
        return obj.kpi.stream

    list_display = ["kpi", "time", "segment", "model", "version", "value", "volume"]
    list_filter = ["segment", "kpi__stream", "kpi"]
    search_fields = ["kpi__name", "model__slug"]
    raw_id_fields = ["kpi", "model", "version"]
    date_hierarchy = "time"
    list_select_related = ["kpi", "kpi__stream", "model", "version", "version__model"]
    show_full_result_count = False

    # Writes go through the outcomes services, which keep the dashboards' daily aggregates in step.
    def save_model(self, request, obj, form, change):
        services.observation_save(actor=request.user, observation=obj)

    def delete_model(self, request, obj):
        services.observations_delete(actor=request.user, observations=Observation.objects.filter(pk=obj.pk))

    def delete_queryset(self, request, queryset):
        services.observations_delete(actor=request.user, observations=queryset)


@admin.register(ModelCost)
class ModelCostAdmin(PolicyAdminMixin, admin.ModelAdmin):
    change_rule = delete_rule = "outcomes.write_model_outcomes"

    def policy_object(self, obj):
        return obj.model

    list_display = ["model", "monthly_running_cost", "monthly_team_effort_cost", "updated_at"]
    list_filter = ["model__value_stream"]
    search_fields = ["model__name", "model__slug", "notes"]
    list_select_related = ["model"]


@admin.register(PredictionStats)
class PredictionStatsAdmin(PolicyAdminMixin, admin.ModelAdmin):
    change_rule = delete_rule = "core.fix_records"
    list_display = ["version", "bucket_start", "request_count", "row_count", "error_count", "latency_sum_ms"]
    list_filter = ["version__model"]
    search_fields = ["version__model__slug"]
    date_hierarchy = "bucket_start"
    raw_id_fields = ["version"]
    list_select_related = ["version", "version__model"]


@admin.register(InputSample)
class InputSampleAdmin(PolicyAdminMixin, admin.ModelAdmin):
    change_rule = delete_rule = "core.fix_records"
    list_display = ["version", "bucket_start", "slot"]
    list_filter = ["version__model"]
    search_fields = ["version__model__slug"]
    raw_id_fields = ["version"]
    list_select_related = ["version", "version__model"]


@admin.register(DriftReference)
class DriftReferenceAdmin(PolicyAdminMixin, admin.ModelAdmin):
    change_rule = delete_rule = "core.fix_records"
    list_display = ["version", "feature", "kind", "source", "sample_size", "created_at"]
    list_filter = ["kind", "source", "version__model"]
    search_fields = ["feature", "version__model__slug"]
    raw_id_fields = ["version"]
    list_select_related = ["version", "version__model"]


@admin.register(DriftResult)
class DriftResultAdmin(PolicyAdminMixin, admin.ModelAdmin):
    change_rule = delete_rule = "core.fix_records"
    list_display = ["version", "feature", "window_end", "psi", "band", "sample_size"]
    list_filter = ["band", "version__model"]
    search_fields = ["feature", "version__model__slug"]
    raw_id_fields = ["version"]
    date_hierarchy = "window_end"
    list_select_related = ["version", "version__model"]


@admin.register(DailyAggregate)
class DailyAggregateAdmin(PolicyAdminMixin, admin.ModelAdmin):
    change_rule = delete_rule = "core.fix_records"
    list_display = ["kpi", "day", "segment", "model_key", "n", "total", "volume"]
    list_filter = ["segment", "kpi__stream"]
    search_fields = ["kpi__name"]
    raw_id_fields = ["kpi"]
    date_hierarchy = "day"
    list_select_related = ["kpi", "kpi__stream"]


@admin.register(JobForRequest)
class JobForRequestAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Which training job answers which model request (written when the job is started for it)."""

    list_display = ["job", "request", "linked_by", "linked_at"]
    search_fields = ["request__title", "=request__id", "=job__id"]
    list_select_related = ["job__dataset_version", "request", "linked_by"]
    raw_id_fields = ["job", "request"]
    show_full_result_count = False
