"""Where prediction monitoring is written: per version and hour, counters added in place with one
``INSERT ... ON CONFLICT DO UPDATE`` and reservoir slots upserted.

The prediction endpoint's budget is a few milliseconds, and a committed write per call costs about
one of them. So each process adds calls up in memory and writes them every
``OUTCOMES_MONITORING_FLUSH_SECONDS`` (default 5) from a timer thread, one statement per version and
hour, plus on exit. 0 writes every call at once (the tests do, to read the figures straight after a
request). What a process has not written yet is lost if it is killed (SIGKILL): at most that many
seconds of counters, which monitoring can afford and a prediction's latency cannot.
"""

import atexit
import logging
import os
import threading
from collections import Counter
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction

from apps.outcomes.models import LATENCY_FIELDS, InputSample, PredictionStats

logger = logging.getLogger(__name__)

Key = tuple[int, object]  # (version id, hour)


def flush_seconds() -> float:
    return float(getattr(settings, "OUTCOMES_MONITORING_FLUSH_SECONDS", 5.0))


@dataclass
class Counts:
    requests: int = 0
    rows: int = 0
    errors: int = 0
    latency_sum_ms: float = 0.0
    histogram: Counter = field(default_factory=Counter)  # {latency field: calls}

    def add(self, other: "Counts") -> None:
        self.requests += other.requests
        self.rows += other.rows
        self.errors += other.errors
        self.latency_sum_ms += other.latency_sum_ms
        self.histogram.update(other.histogram)


@dataclass
class Pending:
    counts: Counts = field(default_factory=Counts)
    samples: dict = field(default_factory=dict)  # {slot: input row}, a later row replaces an earlier one


def _upsert_counts(key: Key, counts: Counts) -> int:
    """Add ``counts`` to the hour's row (creating it) and return the hour's row count after it.

    Raw SQL because the ORM has no "add on conflict ... returning"; PostgreSQL and SQLite >= 3.35
    both run it. Column names come from LATENCY_FIELDS, never from input."""
    quote = connection.ops.quote_name
    columns = ["version_id", "bucket_start", "request_count", "row_count", "error_count", "latency_sum_ms"]
    values = [key[0], connection.ops.adapt_datetimefield_value(key[1])]
    values += [counts.requests, counts.rows, counts.errors, counts.latency_sum_ms]
    zeroes = [name for name in LATENCY_FIELDS if name not in counts.histogram]  # NOT NULL columns
    columns += [*counts.histogram, *zeroes]
    values += [*counts.histogram.values(), *[0] * len(zeroes)]
    added = [name for name in columns[2:] if name not in zeroes]
    table = quote(PredictionStats._meta.db_table)
    sql = (
        f"INSERT INTO {table} ({', '.join(map(quote, columns))}) VALUES ({', '.join(['%s'] * len(values))}) "
        f"ON CONFLICT ({quote('version_id')}, {quote('bucket_start')}) DO UPDATE SET "
        + ", ".join(f"{quote(name)} = {table}.{quote(name)} + EXCLUDED.{quote(name)}" for name in added)
        + f" RETURNING {quote('row_count')}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, values)
        return cursor.fetchone()[0]


def _upsert_samples(samples: dict[Key, dict]) -> None:
    rows = [
        InputSample(version_id=version_id, bucket_start=bucket, slot=slot, inputs=inputs)
        for (version_id, bucket), kept in samples.items()
        for slot, inputs in kept.items()
    ]
    if rows:
        InputSample.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["version", "bucket_start", "slot"],
            update_fields=["inputs"],
        )


def _rows_so_far(key: Key) -> int:
    found = PredictionStats.objects.filter(version_id=key[0], bucket_start=key[1]).values_list(
        "row_count", flat=True
    )
    return next(iter(found), 0)


class Recorder:
    """The process's monitoring writes, buffered or (flush interval 0) immediate. Thread-safe."""

    def __init__(self):
        self._lock = threading.Lock()
        self._pending: dict[Key, Pending] = {}
        self._rows_written: dict[Key, int] = {}  # the hour's row count in the database, as last seen
        self._timer: threading.Timer | None = None

    def count(self, key: Key, counts: Counts) -> int:
        """Add one call's counts; returns how many rows the hour had seen before it (for the reservoir)."""
        if flush_seconds() <= 0:
            return _upsert_counts(key, counts) - counts.rows
        if key not in self._rows_written:
            self._rows_written[key] = _rows_so_far(key)  # once per process, version and hour
        with self._lock:
            pending = self._pending.setdefault(key, Pending())
            seen = self._rows_written.get(key, 0) + pending.counts.rows
            pending.counts.add(counts)
            self._start_timer()
        return seen

    def keep_samples(self, key: Key, samples: dict) -> None:
        if flush_seconds() <= 0:
            _upsert_samples({key: samples})
            return
        with self._lock:
            self._pending.setdefault(key, Pending()).samples.update(samples)
            self._start_timer()

    def _start_timer(self) -> None:
        if self._timer is None:
            self._timer = threading.Timer(flush_seconds(), self._flush_in_background)
            self._timer.daemon = True
            self._timer.start()

    def _flush_in_background(self) -> None:
        try:
            self.flush()
        finally:
            connection.close()  # the timer thread's own connection

    def flush(self) -> None:
        """Write what is pending (the timer does this; tests and shutdown call it directly)."""
        with self._lock:
            pending, self._pending = self._pending, {}
            if self._timer is not None:
                self._timer.cancel()
                self._timer = None
        if not pending:
            return
        try:
            with transaction.atomic():
                written = {
                    key: _upsert_counts(key, p.counts) for key, p in pending.items() if p.counts.requests
                }
                _upsert_samples({key: p.samples for key, p in pending.items() if p.samples})
        except Exception:  # noqa: BLE001 - monitoring is best effort; predictions must not notice
            logger.exception("Could not write prediction monitoring for %d version-hours", len(pending))
            return
        latest = max(key[1] for key in pending)
        with self._lock:
            kept = {key: rows for key, rows in self._rows_written.items() if key[1] >= latest}
            self._rows_written = kept | written

    def forget(self) -> None:
        """Drop what is pending without writing it (a forked child must not write its parent's calls)."""
        self._lock = threading.Lock()
        self._pending = {}
        self._rows_written = {}
        self._timer = None


recorder = Recorder()
atexit.register(recorder.flush)
os.register_at_fork(after_in_child=recorder.forget)
