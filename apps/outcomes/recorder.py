"""Where prediction monitoring is written: per version and hour, counters added in place with one
``INSERT ... ON CONFLICT DO UPDATE`` and reservoir slots upserted.

The prediction endpoint's budget is a few milliseconds, and a committed write per call costs about
one of them. So each process adds calls up in memory and writes them every
``OUTCOMES_MONITORING_FLUSH_SECONDS`` (default 5) from a timer thread, one statement per version and
hour, plus on exit. A call then costs no query (but for one per process, version and hour, to learn
how many rows the hour has seen). 0 writes every call at once (the tests do, to read the figures
straight after a request). What a process has not written yet is lost if it is killed (SIGKILL): at
most that many seconds of counters, which monitoring can afford and a prediction's latency cannot.
"""

import atexit
import logging
import os
import threading
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field

from django.conf import settings
from django.db import connection, transaction

from apps.outcomes.models import LATENCY_FIELDS, InputSample, PredictionStats

logger = logging.getLogger(__name__)

Key = tuple[int, object]  # (version id, hour)
SAMPLE_SLOTS = 100  # input rows kept per version and hour


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
    # Input rows the reservoir keeps: ``filled`` by their position in this batch (they fill still-empty
    # slots, numbered once the flush knows how many rows the hour had before the batch), ``replaced``
    # by slot (Algorithm R's later picks; a later row replaces an earlier one).
    filled: dict = field(default_factory=dict)
    replaced: dict = field(default_factory=dict)


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
    """Reservoir slots ``{key: {slot: row}}``, in key and slot order (two flushes lock rows alike)."""
    rows = [
        InputSample(version_id=key[0], bucket_start=key[1], slot=slot, inputs=samples[key][slot])
        for key in sorted(samples)
        for slot in sorted(samples[key])
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
        self._rows_written: dict[Key, int] = {}  # the hour's rows in the database, as far as we know
        self._timer: threading.Timer | None = None

    def record(self, key: Key, counts: Counts, choose: Callable[[int], dict]) -> None:
        """Add one call. ``choose(rows seen before it)`` returns the reservoir's picks ``{slot: row}``."""
        if flush_seconds() <= 0:
            before = _upsert_counts(key, counts) - counts.rows
            _upsert_samples({key: choose(before)})
            return
        if key not in self._rows_written:
            rows = _rows_so_far(key)  # one query per process, version and hour
            with self._lock:
                self._rows_written.setdefault(key, rows)
        with self._lock:
            pending = self._pending.setdefault(key, Pending())
            in_batch = pending.counts.rows
            before = self._rows_written.get(key, 0) + in_batch
            pending.counts.add(counts)
            for slot, row in choose(before).items():
                if slot >= before:
                    pending.filled[in_batch + slot - before] = row
                else:
                    pending.replaced[slot] = row
            self._start_timer()

    def _start_timer(self) -> None:
        if self._timer is None:
            timer = threading.Timer(flush_seconds(), self._flush_in_background)
            timer.daemon = True
            timer.start()
            self._timer = timer

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
            for key, batch in pending.items():  # calls arriving during the write count on from here
                self._rows_written[key] = self._rows_written.get(key, 0) + batch.counts.rows
        if not pending:
            return
        written, samples = {}, {}
        try:
            with transaction.atomic():
                for key in sorted(pending):  # the same lock order in every process
                    batch = pending[key]
                    written[key] = _upsert_counts(key, batch.counts)
                    offset = written[key] - batch.counts.rows  # the hour's rows before this batch
                    samples[key] = {
                        offset + position: row
                        for position, row in batch.filled.items()
                        if offset + position < SAMPLE_SLOTS
                    } | batch.replaced
                _upsert_samples(samples)
        except Exception:  # noqa: BLE001 - monitoring is best effort; predictions must not notice
            logger.exception("Could not write prediction monitoring for %d version-hours", len(pending))
            return
        latest = max(key[1] for key in pending)
        with self._lock:
            known = {key: rows for key, rows in self._rows_written.items() if key[1] >= latest}
            for key, rows in written.items():
                known[key] = max(known.get(key, 0), rows)
            self._rows_written = known

    def forget(self) -> None:
        """Drop what is pending without writing it (a forked child must not write its parent's calls;
        the parent's timer thread does not exist in the child, so it is not cancelled)."""
        self._lock = threading.Lock()
        self._pending = {}
        self._rows_written = {}
        self._timer = None

    def reset(self) -> None:
        """Cancel the timer and drop everything (tests: no flush from an earlier test's timer)."""
        with self._lock:
            if self._timer is not None:
                self._timer.cancel()
        self.forget()


recorder = Recorder()
atexit.register(recorder.flush)
os.register_at_fork(after_in_child=recorder.forget)
