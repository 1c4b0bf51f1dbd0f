"""Demo outcomes: KPIs for every value stream, 13 months of daily observations with realistic effects,
model costs, and 14 days of prediction monitoring with drift. Runs after the registry demo and uses its
models when present (fraud-scorer, upsell-recommender, demand-forecast, delivery-eta, search-ranker,
churn-predictor); absent models are skipped, never created here.

The story: fraud-scorer and churn-predictor pay off, search-ranker's lift is not significant,
delivery-eta loses to its heuristic, demand-forecast has no control group (before/after only), and
fraud-scorer's "amount" input drifts in the last days (a drift feedback item opens)."""

import datetime
from dataclasses import dataclass

import numpy as np
from django.db.models import Min
from django.utils import timezone

from apps.outcomes.drift import drift_check_version, drift_reference_store
from apps.outcomes.models import (
    LATENCY_FIELDS,
    Direction,
    DriftReference,
    InputSample,
    Kpi,
    Observation,
    PredictionStats,
    Segment,
)
from apps.outcomes.rollup import rollup_rebuild_all
from apps.outcomes.services import model_cost_set
from apps.registry.models import ModelVersion, RegisteredModel, Stage, StageChange

DAYS = 400
MONITORING_DAYS = 14
SAMPLE_SLOTS_PER_HOUR = 12

# stream slug -> (name, unit, direction, value per unit, target, typical value, description)
KPIS = {
    "checkout": [
        ("Conversion rate", "rate", Direction.HIGHER, 68.0, 0.036, 0.034, "Paid orders per session."),
        ("Average order value", "EUR", Direction.HIGHER, 1.0, 72.0, 68.0, "Basket value of paid orders."),
    ],
    "fraud": [
        ("Fraud loss per order", "EUR", Direction.LOWER, 1.0, 0.30, 0.42, "Charge-backs per order."),
        ("False decline rate", "rate", Direction.LOWER, 55.0, 0.010, 0.014, "Good orders declined."),
    ],
    "supply": [
        ("Stock availability", "rate", Direction.HIGHER, 9.0, 0.97, 0.94, "Share of SKUs in stock."),
        ("Late deliveries", "rate", Direction.LOWER, 14.0, 0.05, 0.07, "Orders delivered after the ETA."),
    ],
    "growth": [
        (
            "Repeat purchase rate",
            "rate",
            Direction.HIGHER,
            45.0,
            0.32,
            0.29,
            "Customers buying again in 30 days.",
        ),
        ("Monthly churn", "rate", Direction.LOWER, 140.0, 0.020, 0.024, "Active customers lost per month."),
    ],
}
DAILY_VOLUME = {"checkout": 60_000, "fraud": 35_000, "supply": 8_000, "growth": 50_000}


@dataclass(frozen=True)
class Effect:
    kpi: str  # preferred KPI name (the first KPI of the model's stream when absent)
    relative_lift: float  # treatment vs control, as a share of the typical value
    noise: float  # daily noise, as a share of the typical value
    controlled: bool  # a holdout or heuristic control group exists
    monthly_running: float
    monthly_effort: float
    drifts: bool = False


EFFECTS = {
    "fraud-scorer": Effect("Fraud loss per order", -0.22, 0.09, True, 2_500, 9_000, drifts=True),
    "upsell-recommender": Effect("Average order value", 0.025, 0.03, True, 1_800, 6_000),
    "demand-forecast": Effect("Stock availability", 0.018, 0.008, False, 1_200, 7_000),
    "delivery-eta": Effect("Late deliveries", 0.04, 0.06, True, 900, 5_000),
    "search-ranker": Effect("Conversion rate", 0.002, 0.05, True, 3_000, 8_000),
    "churn-predictor": Effect("Monthly churn", -0.07, 0.04, True, 1_500, 6_500),
}


def _days(end: datetime.date) -> list[datetime.datetime]:
    start = end - datetime.timedelta(days=DAYS - 1)
    return [
        datetime.datetime.combine(start + datetime.timedelta(days=i), datetime.time(), datetime.UTC)
        for i in range(DAYS)
    ]


def _baseline(rng, typical: float, noise: float, count: int) -> np.ndarray:
    """Typical value with a slow trend, weekly seasonality and day-to-day noise."""
    t = np.arange(count)
    weekly = 0.02 * np.sin(2 * np.pi * t / 7)
    trend = 0.015 * t / count
    return typical * (1 + weekly + trend + rng.normal(0, noise, count))


def _kpis(org) -> dict[str, list[Kpi]]:
    created = {}
    for slug, specs in KPIS.items():
        stream = org.streams.get(slug)
        if stream is None:
            continue
        created[slug] = [
            Kpi.objects.update_or_create(
                stream=stream,
                name=name,
                defaults={
                    "unit": unit,
                    "direction": direction,
                    "value_per_unit": value,
                    "target": target,
                    "description": description,
                },
            )[0]
            for name, unit, direction, value, target, _typical, description in specs
        ]
    return created


def _typical(kpi: Kpi) -> float:
    return next(spec[5] for spec in KPIS[kpi.stream.slug] if spec[0] == kpi.name)


def _promotion_days(models, days) -> dict[int, int]:
    """Index of the day each model went live: its first production promotion in the registry when that
    falls inside the demo period, otherwise 10 months ago."""
    first = {
        row["version__model_id"]: row["first"]
        for row in StageChange.objects.filter(
            version__model__in=models, to_stage=Stage.PRODUCTION, is_rollback=False
        )
        .values("version__model_id")
        .annotate(first=Min("created_at"))
        .order_by()
    }
    default = DAYS - 300
    result = {}
    for model in models:
        when = first.get(model.pk)
        index = (when.date() - days[0].date()).days if when else default
        result[model.pk] = index if 30 <= index <= DAYS - 30 else default
    return result


def _observation(kpi, when, value, volume, segment, model=None) -> Observation:
    return Observation(
        kpi=kpi,
        time=when,
        value=float(value),
        volume=float(volume),
        segment=segment,
        model=model,
        model_key=model.pk if model else 0,
    )


def _observations(rng, kpis, models, days) -> list[Observation]:
    rows = []
    promotions = _promotion_days(models, days)
    before_after_kpis = {}
    model_kpi = {}
    for model in models:
        effect = EFFECTS[model.slug]
        stream_kpis = kpis.get(model.value_stream.slug, [])
        kpi = next((k for k in stream_kpis if k.name == effect.kpi), stream_kpis[0] if stream_kpis else None)
        if kpi is None:
            continue
        model_kpi[model.pk] = kpi
        if not effect.controlled:
            before_after_kpis[kpi.pk] = (model, promotions[model.pk], effect)
    for stream_kpis in kpis.values():
        for kpi in stream_kpis:
            typical, volume = _typical(kpi), DAILY_VOLUME[kpi.stream.slug]
            values = _baseline(rng, typical, 0.02, DAYS)
            owner = before_after_kpis.get(kpi.pk)
            for i, when in enumerate(days):
                live = owner and i >= owner[1]
                value = values[i] * (1 + owner[2].relative_lift) if live else values[i]
                rows.append(_observation(kpi, when, value, volume, Segment.ALL, owner[0] if live else None))
    for model in models:
        effect, kpi = EFFECTS[model.slug], model_kpi.get(model.pk)
        if kpi is None or not effect.controlled:
            continue
        typical, volume = _typical(kpi), DAILY_VOLUME[kpi.stream.slug]
        start = promotions[model.pk]
        count = DAYS - start
        control = _baseline(rng, typical, effect.noise, count)
        treatment = _baseline(rng, typical * (1 + effect.relative_lift), effect.noise, count)
        for i in range(count):
            when = days[start + i]
            rows.append(_observation(kpi, when, treatment[i], volume * 0.9, Segment.TREATMENT, model))
            rows.append(_observation(kpi, when, control[i], volume * 0.1, Segment.CONTROL, model))
    return rows


def _production_versions(models) -> list[ModelVersion]:
    versions = {}
    for version in ModelVersion.objects.filter(model__in=models).select_related("model").order_by("number"):
        if version.stage == Stage.PRODUCTION or version.model_id not in versions:
            versions[version.model_id] = version
    return list(versions.values())


def _feature_values(rng, version, feature: str, count: int, shift: float = 0.0) -> list:
    kinds = {
        c.get("name"): str(c.get("type", "")).lower()
        for c in version.input_schema or []
        if isinstance(c, dict)
    }
    kind = kinds.get(feature, "number")
    if kind in {"number", "integer", ""}:
        centre = sum(map(ord, feature)) % 50 + 10
        values = np.abs(rng.normal(centre + shift * 5, 5, count))
        return np.round(values).astype(int).tolist() if kind == "integer" else np.round(values, 3).tolist()
    if kind == "boolean":
        return (rng.random(count) < 0.3 + 0.1 * shift).tolist()
    return rng.choice(["web", "app", "store", "partner"], size=count, p=[0.5, 0.3, 0.15, 0.05]).tolist()


def _monitoring(rng, versions, now) -> None:
    """Hourly traffic, latency and errors, a sample of inputs, training references and drift checks."""
    end = now.replace(minute=0, second=0, microsecond=0)
    hours = [end - datetime.timedelta(hours=h) for h in range(MONITORING_DAYS * 24, 0, -1)]
    stats, samples = [], []
    for version in versions:
        features = list(version.features or [])[:6]
        effect = EFFECTS[version.model.slug]
        for feature in features:
            drift_reference_store(
                version=version,
                feature=feature,
                values=_feature_values(rng, version, feature, 2000),
                source=DriftReference.Source.TRAINING_DATA,
            )
        for index, hour in enumerate(hours):
            daily = 0.6 + 0.4 * np.sin(np.pi * (hour.hour - 6) / 12) ** 2
            requests = int(rng.poisson(400 * daily)) + 1
            latency = rng.lognormal(np.log(35), 0.5, requests)
            histogram = np.histogram(latency, bins=[0, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, np.inf])[0]
            stats.append(
                PredictionStats(
                    version=version,
                    bucket_start=hour,
                    request_count=requests,
                    row_count=requests * 3,
                    error_count=int(rng.binomial(requests, 0.004)),
                    latency_sum_ms=float(latency.sum()),
                    **{name: int(count) for name, count in zip(LATENCY_FIELDS, histogram, strict=True)},
                )
            )
            shift = max(0.0, (index / len(hours) - 0.6) * 4) if effect.drifts else 0.0
            columns = {
                f: _feature_values(rng, version, f, SAMPLE_SLOTS_PER_HOUR, shift if i == 0 else 0)
                for i, f in enumerate(features)
            }
            samples += [
                InputSample(
                    version=version,
                    bucket_start=hour,
                    slot=slot,
                    inputs={f: columns[f][slot] for f in features},
                )
                for slot in range(SAMPLE_SLOTS_PER_HOUR)
            ]
    PredictionStats.objects.bulk_create(stats, batch_size=2000, ignore_conflicts=True)
    InputSample.objects.bulk_create(samples, batch_size=2000, ignore_conflicts=True)
    for version in versions:
        for day in range(MONITORING_DAYS - 1, -1, -1):
            drift_check_version(version_id=version.pk, at=end - datetime.timedelta(days=day))


def load(org) -> None:
    """Add the outcomes demo (idempotent: observations are upserted, costs set, samples kept)."""
    rng = np.random.default_rng(2026)
    kpis = _kpis(org)
    models = list(RegisteredModel.objects.filter(slug__in=EFFECTS).select_related("value_stream"))
    days = _days(timezone.localdate() - datetime.timedelta(days=1))
    Observation.objects.bulk_create(
        _observations(rng, kpis, models, days),
        batch_size=2000,
        update_conflicts=True,
        unique_fields=["kpi", "time", "segment", "model_key"],
        update_fields=["value", "volume", "model"],
    )
    rollup_rebuild_all()
    admin = org.users.get("admin") or org.users.get("platform")
    for model in models:
        effect = EFFECTS[model.slug]
        model_cost_set(
            actor=admin,
            model=model,
            data={
                "monthly_running_cost": effect.monthly_running,
                "monthly_team_effort_cost": effect.monthly_effort,
                "notes": "Demo figures: cloud bill plus a share of the owning team's time.",
            },
        )
    _monitoring(rng, _production_versions(models), timezone.now())
