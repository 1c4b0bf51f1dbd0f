"""Prediction monitoring, recorded from the prediction path (``prediction_record`` subscribes to the
registry's "prediction served" hook in ``OutcomesConfig.ready``): one row per version and hour with
request and row counts, errors and a latency histogram, plus a bounded reservoir sample of the
inputs. ``recorder`` writes them, buffered per process (no query on a prediction call) or at once."""

import bisect
import logging
import os
import threading
from collections import Counter
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
from django.db.models import Sum
from django.utils import timezone

from apps.outcomes.models import LATENCY_BUCKETS_MS, LATENCY_FIELDS
from apps.outcomes.recorder import SAMPLE_SLOTS, Counts, recorder

logger = logging.getLogger(__name__)


def hour_of(moment):
    return moment.replace(minute=0, second=0, microsecond=0)


def latency_field(latency_ms: float) -> str:
    return LATENCY_FIELDS[bisect.bisect_left(LATENCY_BUCKETS_MS, latency_ms)]


_local = threading.local()


def _thread_rng() -> np.random.Generator:
    """One generator per thread (a Generator is not thread-safe; seeding one per call costs more than
    the sampling), reseeded in a forked child so sibling workers do not draw the same numbers."""
    if getattr(_local, "pid", None) != os.getpid():
        _local.rng, _local.pid = np.random.default_rng(), os.getpid()
    return _local.rng


def _reservoir_slots(seen_before: int, count: int, *, rng: np.random.Generator) -> dict[int, int]:
    """Algorithm R over this call's rows: {slot: index of the row kept in it}. Vectorised, so a
    10,000-row call costs microseconds."""
    first_free = min(max(SAMPLE_SLOTS - seen_before, 0), count)  # rows that fill still-empty slots
    slots = {seen_before + index: index for index in range(first_free)}
    if count > first_free:
        indices = np.arange(first_free, count)
        chosen = rng.integers(0, seen_before + indices + 1)
        for slot, index in zip(
            chosen[chosen < SAMPLE_SLOTS].tolist(), indices[chosen < SAMPLE_SLOTS].tolist(), strict=True
        ):
            slots[slot] = index  # a later row replaces an earlier one in the same slot, as in Algorithm R
    return slots


def prediction_record(
    *, version, row_count: int, latency_ms: float, error: bool = False, inputs=None, at=None
) -> None:
    """Count one prediction call of ``version`` (a ModelVersion) and sample its inputs.

    ``inputs`` is a list of input rows (dicts) or a callable taking the kept row indices and returning
    those rows ({index: row}), called only when the
    reservoir keeps one of this call's rows (rarely, once the hour's first rows are in). Never raises:
    monitoring must not break predictions; a failure is logged."""
    try:
        _record(
            version=version, row_count=row_count, latency_ms=latency_ms, error=error, inputs=inputs, at=at
        )
    except Exception:  # noqa: BLE001 - monitoring is best effort by design
        logger.exception("Could not record prediction monitoring for %s", version)


def _record(*, version, row_count, latency_ms, error, inputs, at) -> None:
    call = Counts(
        requests=1,
        rows=row_count,
        errors=int(error),
        latency_sum_ms=latency_ms,
        histogram=Counter({latency_field(latency_ms): 1}),
    )

    def choose(seen_before: int) -> dict[int, dict]:
        if error or not row_count or inputs is None:
            return {}
        slots = _reservoir_slots(seen_before, row_count, rng=_thread_rng())
        if not slots:
            return {}
        kept = sorted(set(slots.values()))
        rows = inputs(kept) if callable(inputs) else {i: inputs[i] for i in kept if i < len(inputs)}
        return {slot: rows[index] for slot, index in slots.items() if index in rows}

    recorder.record((version.pk, hour_of(at or timezone.now())), call, choose)


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
