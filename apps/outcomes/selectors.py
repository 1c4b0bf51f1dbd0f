"""Reads for outcomes and monitoring; they own the query shape and aggregate in the database."""

import datetime
from collections.abc import Mapping
from typing import Any

from django.db.models import Count, F, Max, Q, QuerySet, Sum
from django.db.models.functions import TruncDate
from django.shortcuts import get_object_or_404

from apps.outcomes.impact import Period
from apps.outcomes.models import (
    LATENCY_FIELDS,
    DailyAggregate,
    DriftResult,
    Kpi,
    ModelCost,
    Observation,
    PredictionStats,
    Segment,
)
from apps.registry.models import ModelVersion, RegisteredModel, Stage, StageChange
from apps.teams.models import ValueStream


def kpi_list() -> QuerySet[Kpi]:
    return Kpi.objects.select_related("stream").order_by("stream__name", "name")


def observation_list() -> QuerySet[Observation]:
    return Observation.objects.select_related("kpi", "kpi__stream", "model", "version").order_by(
        "-time", "id"
    )


def model_cost_list() -> QuerySet[ModelCost]:
    return ModelCost.objects.select_related("model", "model__value_stream").order_by("model__name")


def drift_result_list() -> QuerySet[DriftResult]:
    return DriftResult.objects.select_related("version", "version__model").order_by("-window_end", "feature")


def stream_for_dashboard(*, slug: str) -> ValueStream:
    return get_object_or_404(ValueStream.objects.select_related("product_manager"), slug=slug)


def model_for_outcomes(*, slug: str) -> RegisteredModel:
    return get_object_or_404(
        RegisteredModel.objects.select_related("value_stream", "owning_team", "cost"), slug=slug
    )


def stream_kpis(*, streams) -> list[Kpi]:
    return list(Kpi.objects.select_related("stream").filter(stream__in=streams).order_by("name"))


def kpi_daily_series(*, kpis, period: Period, segment: str = "", model_id: int | None = None) -> list[dict]:
    """Daily mean and volume per KPI, segment and model (rows: kpi_id, segment, model_key, day, value,
    volume), from the daily aggregates."""
    queryset = DailyAggregate.objects.filter(period.day_filter(), kpi__in=kpis)
    if segment:
        queryset = queryset.filter(segment=segment)
    if model_id is not None:
        queryset = queryset.filter(model_key__in=[0, model_id])
    names = ("kpi_id", "segment", "model_key", "day", "value", "volume")
    rows = (
        queryset.annotate(value=F("total") / F("n"))
        .values_list(*names)  # tuples: a year of hourly data is ~10,000 daily rows, dicts cost twice as much
        .order_by("kpi_id", "segment", "model_key", "day")
    )
    return [dict(zip(names, row, strict=True)) for row in rows]


def stage_events(*, models, period: Period) -> list[StageChange]:
    """Promotions to production and rollbacks of these models, oldest first (markers on time axes)."""
    queryset = StageChange.objects.filter(
        Q(to_stage=Stage.PRODUCTION) | Q(is_rollback=True), version__model__in=models
    )
    if period.start:
        queryset = queryset.filter(created_at__date__gte=period.start)
    if period.end:
        queryset = queryset.filter(created_at__date__lte=period.end)
    return list(queryset.select_related("version", "version__model").order_by("created_at"))


def monitoring_daily(*, model: RegisteredModel, since: datetime.date) -> list[Mapping[str, Any]]:
    """Per version and day: requests, rows, errors, latency sum and histogram (one query)."""
    return list(
        PredictionStats.objects.filter(version__model=model, bucket_start__date__gte=since)
        .annotate(day=TruncDate("bucket_start"))
        .values("version__number", "day")
        .annotate(
            requests=Sum("request_count"),
            rows=Sum("row_count"),
            errors=Sum("error_count"),
            latency=Sum("latency_sum_ms"),
            **{name: Sum(name) for name in LATENCY_FIELDS},
        )
        .order_by("version__number", "day")
    )


def model_versions(*, model: RegisteredModel) -> list[ModelVersion]:
    return list(model.versions.order_by("-number"))


def drift_history(*, model: RegisteredModel, since: datetime.date) -> list[DriftResult]:
    return list(
        DriftResult.objects.filter(version__model=model, window_end__date__gte=since)
        .select_related("version")
        .order_by("feature", "window_end")
    )


def any_observations() -> bool:
    """Whether any outcome observation was recorded (before that, checks report "no data yet")."""
    return Observation.objects.exists()


def observation_summary_by_model(*, model_ids) -> dict[int, dict]:
    """model id -> {"last": time of its newest observation, "control": its control-segment rows}."""
    rows = (
        Observation.objects.filter(model_id__in=list(model_ids))
        .values("model_id")
        .annotate(last=Max("time"), control=Count("id", filter=Q(segment=Segment.CONTROL)))
    )
    return {row["model_id"]: {"last": row["last"], "control": row["control"]} for row in rows}


def kpi_names_by_stream(stream_ids) -> dict[int, list[str]]:
    """The live (not retired) KPI names of each stream, for the model request form (one query)."""
    names: dict[int, list[str]] = {}
    rows = Kpi.objects.filter(stream_id__in=list(stream_ids), retired_at__isnull=True).order_by("name")
    for stream_id, name in rows.values_list("stream_id", "name"):
        names.setdefault(stream_id, []).append(name)
    return names
