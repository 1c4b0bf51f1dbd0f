"""The dashboards as data: each one is a list of charts plus the impact rows behind them. The pages,
the CSV downloads and the impact API all read these, so they always show the same numbers."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.http import Http404
from django.utils import timezone

from apps.outcomes import selectors
from apps.outcomes.charts import (
    Chart,
    alternative_chart,
    drift_chart,
    errors_chart,
    impact_chart,
    kpi_trend_chart,
    latency_chart,
    portfolio_chart,
    traffic_chart,
)
from apps.outcomes.impact import ModelImpact, Period, model_impacts
from apps.outcomes.models import LATENCY_FIELDS, PredictionStats
from apps.outcomes.monitoring import latency_percentile, totals_of
from apps.registry.models import RegisteredModel
from apps.teams.models import ValueStream

MONITORING_DAYS = 30


@dataclass
class Dashboard:
    charts: list[Chart]
    impacts: list[ModelImpact] = field(default_factory=list)
    extra: dict = field(default_factory=dict)

    def chart(self, name: str) -> Chart:
        for chart in self.charts:
            if chart.name == name:
                return chart
        raise Http404(f"No chart {name!r} on this dashboard.")


def _trend_charts(kpis, models, period: Period, segment: str, *, model_id: int | None = None) -> list[Chart]:
    series = selectors.kpi_daily_series(kpis=kpis, period=period, segment=segment, model_id=model_id)
    events = selectors.stage_events(models=models, period=period)
    slugs = {m.pk: m.name for m in models}  # the legend names each model as people know it
    by_kpi = defaultdict(list)
    for row in series:  # one pass, not one per KPI
        by_kpi[row["kpi_id"]].append(row)
    return [kpi_trend_chart(kpi, by_kpi[kpi.pk], events, slugs) for kpi in kpis]


def stream_impacts(*, stream: ValueStream, period: Period) -> list[ModelImpact]:
    return model_impacts(
        streams=[stream], period=period, models=RegisteredModel.objects.filter(value_stream=stream)
    )


def stream_dashboard(*, stream: ValueStream, period: Period, segment: str = "") -> Dashboard:
    models = list(RegisteredModel.objects.filter(value_stream=stream).order_by("name"))
    impacts = stream_impacts(stream=stream, period=period)
    kpis = selectors.stream_kpis(streams=[stream])
    charts = [
        impact_chart(impacts),
        alternative_chart(impacts),
        *_trend_charts(kpis, models, period, segment),
    ]
    return Dashboard(charts=charts, impacts=impacts, extra={"kpis": kpis})


def portfolio_dashboard(*, period: Period) -> Dashboard:
    streams = list(ValueStream.objects.order_by("name"))
    impacts = model_impacts(streams=streams, period=period)
    return Dashboard(charts=[portfolio_chart(impacts)], impacts=impacts, extra={"streams": streams})


def model_dashboard(*, model: RegisteredModel, period: Period, segment: str = "") -> Dashboard:
    since = monitoring_since(period)
    daily = selectors.monitoring_daily(model=model, since=since)
    monitoring_period = Period(start=since, end=period.end)
    events = selectors.stage_events(models=[model], period=monitoring_period)
    impacts = model_impacts(
        streams=[model.value_stream], period=period, models=RegisteredModel.objects.filter(pk=model.pk)
    )
    kpis = [k.kpi for k in impacts[0].kpis] if impacts else []
    charts = [
        traffic_chart(daily, events),
        latency_chart(daily, latency_percentile),
        errors_chart(daily),
        drift_chart(selectors.drift_history(model=model, since=since)),
        *_trend_charts(kpis, [model], period, segment, model_id=model.pk),
    ]
    totals = totals_of(PredictionStats.objects.filter(version__model=model, bucket_start__date__gte=since))
    return Dashboard(charts=charts, impacts=impacts, extra={"totals": totals, "since": since})


def monitoring_since(period: Period) -> datetime.date:
    """Monitoring is hourly and operational: the last 30 days of the selected period."""
    end = period.end or timezone.localdate()
    # An end within 30 days of the first day Python knows (``?end=0001-01-01``) has no 30 days before it.
    last_days = max(end, datetime.date.min + datetime.timedelta(days=MONITORING_DAYS)) - datetime.timedelta(
        days=MONITORING_DAYS
    )
    return max(period.start, last_days) if period.start else last_days


def model_monitoring(*, model: RegisteredModel, period: Period) -> dict:
    """Traffic totals, daily traffic with latency percentiles and the latest drift per feature."""
    since = monitoring_since(period)
    daily = [
        {
            "day": row["day"],
            "version": row["version__number"],
            "requests": row["requests"],
            "rows": row["rows"],
            "errors": row["errors"],
            "p50_ms": latency_percentile([row[name] or 0 for name in LATENCY_FIELDS], 0.5),
            "p95_ms": latency_percentile([row[name] or 0 for name in LATENCY_FIELDS], 0.95),
        }
        for row in selectors.monitoring_daily(model=model, since=since)
    ]
    latest = {}
    for result in selectors.drift_history(model=model, since=since):
        latest[(result.version.number, result.feature)] = result
    totals = totals_of(PredictionStats.objects.filter(version__model=model, bucket_start__date__gte=since))
    return {
        "model": model.slug,
        "since": since,
        "totals": totals,
        "daily": daily,
        "drift": list(latest.values()),
    }


@dataclass
class ModelSummary:
    impact: ModelImpact | None
    totals: object


def model_summary(*, model: RegisteredModel) -> ModelSummary:
    """Verdict and the last 30 days' traffic of one model, for the registry's model page."""
    since = timezone.localdate() - datetime.timedelta(days=MONITORING_DAYS)
    impacts = model_impacts(
        streams=[model.value_stream_id], period=Period(), models=RegisteredModel.objects.filter(pk=model.pk)
    )
    totals = totals_of(PredictionStats.objects.filter(version__model=model, bucket_start__date__gte=since))
    return ModelSummary(impact=impacts[0] if impacts else None, totals=totals)
