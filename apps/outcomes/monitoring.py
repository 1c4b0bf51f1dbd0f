"""Prediction monitoring, recorded from the prediction path: one row per version and hour updated in
place with F() expressions (request and row counts, errors, a latency histogram) plus a bounded
reservoir sample of the inputs. Cheap: two or three small queries per prediction call."""

import bisect
import logging
import random
from collections.abc import Sequence
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import F, Sum
from django.utils import timezone

from apps.outcomes.models import LATENCY_BUCKETS_MS, LATENCY_FIELDS, InputSample, PredictionStats

logger = logging.getLogger(__name__)

SAMPLE_SLOTS = 100  # input rows kept per version and hour


def hour_of(moment):
    return moment.replace(minute=0, second=0, microsecond=0)


def latency_field(latency_ms: float) -> str:
    return LATENCY_FIELDS[bisect.bisect_left(LATENCY_BUCKETS_MS, latency_ms)]


def _as_dict(row, features: Sequence[str]) -> dict:
    if isinstance(row, dict):
        return row
    return dict(zip(features, row, strict=False))


def _reservoir_slots(seen_before: int, count: int, *, rng: random.Random) -> dict[int, int]:
    """Algorithm R over this call's rows: {slot: index of the row kept in it}."""
    slots: dict[int, int] = {}
    for index in range(count):
        position = seen_before + index
        slot = position if position < SAMPLE_SLOTS else rng.randrange(position + 1)
        if slot < SAMPLE_SLOTS:
            slots[slot] = index
    return slots


def prediction_record(*, version, rows: Sequence, latency_ms: float, error: bool = False, at=None) -> None:
    """Count one prediction call of ``version`` (a ModelVersion). Never raises: monitoring must not
    break predictions; a failure is logged."""
    try:
        _record(version=version, rows=rows, latency_ms=latency_ms, error=error, at=at)
    except Exception:  # noqa: BLE001 - monitoring is best effort by design
        logger.exception(
            "Could not record prediction monitoring for version %s", getattr(version, "pk", version)
        )


def _record(*, version, rows, latency_ms, error, at) -> None:
    bucket = hour_of(at or timezone.now())
    bucket_field = latency_field(latency_ms)
    row_count = 0 if error else len(rows)
    current = PredictionStats.objects.filter(version_id=version.pk, bucket_start=bucket)
    increments = {
        "request_count": F("request_count") + 1,
        "row_count": F("row_count") + row_count,
        "error_count": F("error_count") + int(error),
        "latency_sum_ms": F("latency_sum_ms") + latency_ms,
        bucket_field: F(bucket_field) + 1,
    }
    seen_before = 0
    if not current.update(**increments):
        try:
            with transaction.atomic():
                PredictionStats.objects.create(
                    version_id=version.pk,
                    bucket_start=bucket,
                    request_count=1,
                    row_count=row_count,
                    error_count=int(error),
                    latency_sum_ms=latency_ms,
                    **{bucket_field: 1},
                )
        except IntegrityError:  # another process created the hour's row first
            current.update(**increments)
            seen_before = None
    else:
        seen_before = None
    if not row_count:
        return
    if seen_before is None:
        seen_before = max(current.values_list("row_count", flat=True).first() - row_count, 0)
    slots = _reservoir_slots(seen_before, row_count, rng=random.Random())
    if slots:
        features = list(version.features or [])
        InputSample.objects.bulk_create(
            [
                InputSample(
                    version_id=version.pk,
                    bucket_start=bucket,
                    slot=slot,
                    inputs=_as_dict(rows[index], features),
                )
                for slot, index in slots.items()
            ],
            update_conflicts=True,
            unique_fields=["version", "bucket_start", "slot"],
            update_fields=["inputs"],
        )


@dataclass(frozen=True)
class TrafficTotals:
    requests: int
    rows: int
    errors: int
    mean_latency_ms: float | None
    p50_ms: float | None
    p95_ms: float | None
    p99_ms: float | None

    @property
    def error_rate(self) -> float | None:
        return self.errors / self.requests if self.requests else None


def latency_percentile(histogram: Sequence[int], quantile: float) -> float | None:
    """The quantile from histogram counts (in LATENCY_FIELDS order), interpolated inside its bucket."""
    total = sum(histogram)
    if not total:
        return None
    target = quantile * total
    cumulative = 0
    lower = 0.0
    for count, upper in zip(histogram, (*LATENCY_BUCKETS_MS, None), strict=True):
        if count and cumulative + count >= target:
            if upper is None:
                return float(LATENCY_BUCKETS_MS[-1])  # beyond the last bound: report the bound
            return lower + (upper - lower) * (target - cumulative) / count
        cumulative += count
        lower = float(upper) if upper is not None else lower
    return float(LATENCY_BUCKETS_MS[-1])


def totals_of(stats_queryset) -> TrafficTotals:
    sums = stats_queryset.aggregate(
        requests=Sum("request_count"),
        rows=Sum("row_count"),
        errors=Sum("error_count"),
        latency=Sum("latency_sum_ms"),
        **{name: Sum(name) for name in LATENCY_FIELDS},
    )
    histogram = [sums[name] or 0 for name in LATENCY_FIELDS]
    requests = sums["requests"] or 0
    return TrafficTotals(
        requests=requests,
        rows=sums["rows"] or 0,
        errors=sums["errors"] or 0,
        mean_latency_ms=(sums["latency"] / requests) if requests else None,
        p50_ms=latency_percentile(histogram, 0.5),
        p95_ms=latency_percentile(histogram, 0.95),
        p99_ms=latency_percentile(histogram, 0.99),
    )
