"""Buffered prediction monitoring: calls are added up in memory with no query on the prediction path,
written together by a flush (the timer's, or at exit), and the reservoir keeps counting across flushes."""

import os
import time

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.outcomes.models import InputSample, PredictionStats
from apps.outcomes.monitoring import SAMPLE_SLOTS, hour_of, prediction_record, totals_of
from apps.outcomes.recorder import Counts, Recorder, recorder
from tests.registry.factories import ModelVersionFactory


@pytest.fixture
def buffered(settings):
    settings.OUTCOMES_MONITORING_FLUSH_SECONDS = 60  # the timer never fires during a test
    recorder.reset()
    yield
    recorder.reset()


def stats_of(version):
    return totals_of(PredictionStats.objects.filter(version=version))


@pytest.mark.django_db
def test_calls_cost_no_query_until_the_flush_writes_their_sum(buffered):
    version = ModelVersionFactory(in_production=True)
    prediction_record(version=version, row_count=1, latency_ms=3, inputs=[{"amount": 1}])
    with CaptureQueriesContext(connection) as queries:
        for latency in [3] * 48 + [40, 400]:
            prediction_record(version=version, row_count=2, latency_ms=latency, inputs=[{"amount": 2}] * 2)
        prediction_record(version=version, row_count=0, latency_ms=1, error=True)
    assert len(queries) == 0
    assert not PredictionStats.objects.filter(version=version).exists()

    with CaptureQueriesContext(connection) as queries:
        recorder.flush()
    totals = stats_of(version)
    assert (totals.requests, totals.rows, totals.errors) == (52, 101, 1)
    assert totals.p50_ms <= 5 and 250 < totals.p99_ms <= 500
    assert InputSample.objects.filter(version=version).count() == SAMPLE_SLOTS
    assert len(queries) == 4, [q["sql"][:60] for q in queries]  # savepoint, two upserts, release


@pytest.mark.django_db
def test_a_flush_adds_to_what_other_processes_wrote(buffered, settings):
    version = ModelVersionFactory(in_production=True)
    settings.OUTCOMES_MONITORING_FLUSH_SECONDS = 0  # "another process" writing at once
    prediction_record(version=version, row_count=5, latency_ms=7)
    settings.OUTCOMES_MONITORING_FLUSH_SECONDS = 60
    prediction_record(version=version, row_count=3, latency_ms=7)
    prediction_record(version=version, row_count=4, latency_ms=7)
    recorder.flush()
    (stats,) = PredictionStats.objects.filter(version=version)
    assert (stats.request_count, stats.row_count, stats.latency_le_10) == (3, 12, 3)


@pytest.mark.django_db
def test_the_reservoir_keeps_counting_across_flushes(buffered):
    version = ModelVersionFactory(in_production=True)
    at = timezone.now()
    for start in range(0, 3000, 100):
        rows = [{"amount": i} for i in range(start, start + 100)]
        prediction_record(version=version, row_count=100, latency_ms=12, inputs=rows, at=at)
        if start % 500 == 0:
            recorder.flush()
    recorder.flush()
    kept = [s["amount"] for s in InputSample.objects.filter(version=version).values_list("inputs", flat=True)]
    assert len(kept) == SAMPLE_SLOTS
    assert max(kept) > 1000  # later rows replaced early ones: the count went on after each flush
    assert sum(amount < 100 for amount in kept) < 30  # not stuck on the first rows either
    assert PredictionStats.objects.get(version=version).row_count == 3000


@pytest.mark.django_db(transaction=True)
def test_the_timer_writes_the_buffer_within_the_interval(settings):
    settings.OUTCOMES_MONITORING_FLUSH_SECONDS = 0.2
    recorder.reset()
    version = ModelVersionFactory(in_production=True)
    prediction_record(version=version, row_count=2, latency_ms=4, inputs=[{"amount": 1}] * 2)
    deadline = time.monotonic() + 10
    while not PredictionStats.objects.filter(version=version).exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert stats_of(version).rows == 2
    assert InputSample.objects.filter(version=version).count() == 2


@pytest.mark.django_db
def test_a_failed_flush_is_logged_and_never_reaches_the_caller(buffered, caplog):
    version = ModelVersionFactory(in_production=True)
    prediction_record(version=version, row_count=1, latency_ms=1, inputs=[{"amount": object()}])
    recorder.flush()  # the sample cannot be stored as JSON
    assert "Could not write prediction monitoring" in caplog.text
    assert not PredictionStats.objects.filter(version=version).exists()  # all or nothing


@pytest.mark.django_db
def test_a_forked_child_does_not_write_its_parents_calls(buffered):
    version = ModelVersionFactory(in_production=True)
    prediction_record(version=version, row_count=1, latency_ms=1)
    read, write = os.pipe()
    child = os.fork()
    if child == 0:  # pragma: no cover - runs in the child
        os.write(write, b"empty" if not recorder._pending else b"inherited")
        os._exit(0)
    os.close(write)  # a child that died without writing gives b"", not a hang
    os.waitpid(child, 0)
    assert os.read(read, 16) == b"empty"
    recorder.flush()
    assert stats_of(version).requests == 1  # the parent still writes its own


@pytest.mark.django_db
def test_two_processes_filling_the_same_hour_keep_each_others_rows(buffered):
    """Both start the hour thinking it empty; their flushes number the rows they kept after the rows
    already written, so neither overwrites the other's."""
    version = ModelVersionFactory(in_production=True)
    key = (version.pk, hour_of(timezone.now()))
    web1, web2 = Recorder(), Recorder()

    def call(web, first: int):
        rows = [{"amount": first + i} for i in range(10)]
        web.record(
            key,
            Counts(requests=1, rows=10),
            lambda seen: {seen + i: row for i, row in enumerate(rows) if seen + i < SAMPLE_SLOTS},
        )

    for first in (0, 10, 20):
        call(web1, first)
        call(web2, 1000 + first)
    web1.flush()
    web2.flush()
    kept = InputSample.objects.filter(version=version)
    assert sorted(kept.values_list("slot", flat=True)) == list(range(60))
    amounts = {sample["amount"] for sample in kept.values_list("inputs", flat=True)}
    assert amounts == set(range(30)) | set(range(1000, 1030))
    assert stats_of(version).rows == 60
