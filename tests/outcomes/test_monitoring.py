"""Monitoring recorded from the real prediction endpoint, reservoir sampling, latency percentiles,
PSI bands and drift feedback opened once."""

import datetime

import numpy as np
import pytest
from django.conf import settings
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from apps.outcomes.drift import drift_check_version, drift_reference_store, input_samples_prune
from apps.outcomes.models import DriftReference, DriftResult, InputSample, PredictionStats
from apps.outcomes.monitoring import SAMPLE_SLOTS, hour_of, latency_percentile, prediction_record, totals_of
from apps.outcomes.stats import psi, psi_band
from apps.registry.artefacts import pipeline_cache
from apps.registry.models import Feedback
from tests.registry.factories import ModelVersionFactory, RegisteredModelFactory, register

pytestmark = pytest.mark.django_db

ROW = {"basket_value": 42.5, "items": 3, "channel": "web", "is_member": True}


@pytest.fixture
def platform_storage(settings, tmp_path):
    settings.PLATFORM_STORAGE_ROOT = tmp_path / "platform"
    pipeline_cache.clear()
    yield
    pipeline_cache.clear()


def test_prediction_endpoint_records_volume_latency_errors_and_a_sample(api_as, outsider, platform_storage):
    version = register(RegisteredModelFactory(slug="basket-scorer"))
    client = api_as(outsider)
    url = "/api/v1/models/basket-scorer/predict/?version=1"
    for _ in range(3):
        assert client.post(url, {"records": [ROW, ROW]}, format="json").status_code == 200
    assert client.post(url, {"records": [{**ROW, "items": "many"}]}, format="json").status_code == 400

    (stats,) = PredictionStats.objects.filter(version=version)
    assert (stats.request_count, stats.row_count, stats.error_count) == (4, 6, 1)
    assert stats.latency_sum_ms > 0
    assert (
        sum(
            getattr(stats, f)
            for f in (
                "latency_le_5",
                "latency_le_10",
                "latency_le_25",
                "latency_le_50",
                "latency_le_100",
                "latency_le_250",
                "latency_le_500",
                "latency_le_1000",
                "latency_le_2500",
                "latency_over",
            )
        )
        == 4
    )
    samples = list(InputSample.objects.filter(version=version).values_list("inputs", flat=True))
    assert len(samples) == 6 and samples[0] == ROW


def test_recording_is_a_few_queries_whatever_the_batch_size():
    version = ModelVersionFactory(in_production=True)
    prediction_record(version=version, row_count=1, latency_ms=3, inputs=[{"amount": 1}])
    rows = [{"amount": i, "country": "NL"} for i in range(5000)]
    with CaptureQueriesContext(connection) as queries:
        prediction_record(version=version, row_count=len(rows), latency_ms=30, inputs=rows)
    assert len(queries) == 2  # UPDATE ... RETURNING the hour's row count, upsert of the kept rows
    with CaptureQueriesContext(connection) as queries:
        prediction_record(version=version, row_count=3, latency_ms=30, error=True)
        prediction_record(version=version, row_count=3, latency_ms=30)  # no inputs to sample
    assert len(queries) == 2  # one round trip per call when nothing is sampled


def test_reservoir_keeps_a_bounded_uniform_sample():
    version = ModelVersionFactory(in_production=True)
    at = timezone.now()
    for start in range(0, 3000, 100):
        rows = [{"amount": i} for i in range(start, start + 100)]
        prediction_record(version=version, row_count=100, latency_ms=12, inputs=rows, at=at)
    kept = [s["amount"] for s in InputSample.objects.filter(version=version).values_list("inputs", flat=True)]
    assert len(kept) == SAMPLE_SLOTS
    assert len(set(kept)) == SAMPLE_SLOTS
    assert max(kept) > 1000  # later rows got in, not just the first hundred
    assert PredictionStats.objects.get(version=version).row_count == 3000


def test_inputs_are_only_built_when_a_row_is_sampled():
    version = ModelVersionFactory(in_production=True)
    calls = []

    def inputs(indices):
        calls.append(indices)
        return {i: {"amount": i} for i in indices}

    prediction_record(version=version, row_count=SAMPLE_SLOTS, latency_ms=1, inputs=inputs)
    assert calls == [list(range(SAMPLE_SLOTS))]
    assert InputSample.objects.filter(version=version).count() == SAMPLE_SLOTS


def test_monitoring_failure_never_breaks_a_prediction(caplog):
    def broken_inputs(indices):
        raise ValueError("unparseable")

    prediction_record(
        version=ModelVersionFactory(in_production=True), row_count=1, latency_ms=1, inputs=broken_inputs
    )
    assert "Could not record prediction monitoring" in caplog.text


def test_latency_percentiles_from_the_histogram():
    version = ModelVersionFactory(in_production=True)
    for latency in [3] * 50 + [40] * 45 + [400] * 5:
        prediction_record(version=version, row_count=1, latency_ms=latency)
    totals = totals_of(PredictionStats.objects.filter(version=version))
    assert totals.requests == 100
    assert totals.p50_ms == pytest.approx(5.0)  # the 50th call is the last one in the <= 5 ms bucket
    assert 25 < totals.p95_ms <= 50
    assert 250 < totals.p99_ms <= 500
    assert latency_percentile([0] * 10, 0.5) is None


@pytest.mark.parametrize(
    ("value", "band"),
    [
        (0.0, "stable"),
        (0.099, "stable"),
        (0.1, "moderate"),
        (0.25, "moderate"),
        (0.2501, "significant"),
        (3.0, "significant"),
    ],
)
def test_psi_bands_follow_design(value, band):
    assert psi_band(value) == band


def test_psi_of_identical_distributions_is_zero_and_grows_with_shift():
    assert psi([0.25] * 4, [0.25] * 4) == 0
    assert psi([0.5, 0.5], [0.4, 0.6]) == pytest.approx(0.1 * np.log(0.6 / 0.5) - 0.1 * np.log(0.4 / 0.5))


def sample_hours(version, *, mean: float, hours: int, end, rng):
    InputSample.objects.bulk_create(
        [
            InputSample(
                version=version,
                bucket_start=end - datetime.timedelta(hours=h + 1),
                slot=slot,
                inputs={"amount": float(rng.normal(mean, 1)), "country": str(rng.choice(["NL", "DE"]))},
            )
            for h in range(hours)
            for slot in range(10)
        ]
    )


def version_trained_on_standard_normal_amounts(rng):
    version = ModelVersionFactory(in_production=True)
    drift_reference_store(
        version=version,
        feature="amount",
        values=rng.normal(0, 1, 2000).tolist(),
        source=DriftReference.Source.TRAINING_DATA,
    )
    return version


def test_significant_drift_opens_one_feedback_item_however_often_it_runs():
    rng = np.random.default_rng(0)
    version = version_trained_on_standard_normal_amounts(rng)
    now = hour_of(timezone.now())
    sample_hours(version, mean=2.0, hours=24, end=now, rng=rng)

    results = {r.feature: r for r in drift_check_version(version_id=version.pk, at=now)}
    assert results["amount"].band == "significant"
    assert results["country"].band == "stable"  # reference from the first recorded day: the same day
    assert DriftReference.objects.get(version=version, feature="country").source == "first_sample"
    drift_check_version(version_id=version.pk, at=now)
    drift_check_version(version_id=version.pk, at=now + datetime.timedelta(hours=1))

    (feedback,) = Feedback.objects.filter(model=version.model)
    assert feedback.kind == "drift" and feedback.dedupe_key == f"drift:{version.pk}:amount"
    assert feedback.version == version and "amount" in feedback.title
    assert DriftResult.objects.filter(version=version, feature="amount").count() == 2  # two windows


def test_stable_inputs_open_nothing():
    rng = np.random.default_rng(1)
    version = version_trained_on_standard_normal_amounts(rng)
    now = hour_of(timezone.now())
    sample_hours(version, mean=0.0, hours=24, end=now, rng=rng)
    results = drift_check_version(version_id=version.pk, at=now)
    assert {r.band for r in results} == {"stable"}
    assert not Feedback.objects.exists()


def test_too_small_a_sample_is_not_judged():
    version = ModelVersionFactory(in_production=True)
    sample_hours(version, mean=5, hours=2, end=hour_of(timezone.now()), rng=np.random.default_rng(2))
    assert drift_check_version(version_id=version.pk) == []


def test_drift_check_is_on_the_beat_schedule():
    entry = settings.CELERY_BEAT_SCHEDULE["outcomes-drift-check"]
    assert entry["task"] == "apps.outcomes.tasks.drift_check_all"
    assert entry["schedule"] <= 3600


def test_old_input_samples_are_pruned():
    version = ModelVersionFactory(in_production=True)
    now = hour_of(timezone.now())
    sample_hours(
        version, mean=0, hours=2, end=now - datetime.timedelta(days=31), rng=np.random.default_rng(3)
    )
    sample_hours(version, mean=0, hours=2, end=now, rng=np.random.default_rng(4))
    assert input_samples_prune() == 20
    assert InputSample.objects.filter(version=version).count() == 20


def test_reference_comes_from_the_training_dataset_of_the_job_that_registered_the_version(settings, tmp_path):
    from tests.training.factories import SCHEMA, DatasetVersionFactory, TrainingJobFactory

    settings.PLATFORM_STORAGE_ROOT = tmp_path
    rng = np.random.default_rng(9)
    (tmp_path / "datasets").mkdir()
    lines = "".join(
        f"{value:.4f},{'NL' if i % 2 else 'DE'}\n" for i, value in enumerate(rng.normal(0, 1, 500))
    )
    (tmp_path / "datasets" / "train.csv").write_text("amount,country\n" + lines)
    version = ModelVersionFactory(in_production=True)
    dataset = DatasetVersionFactory(
        storage_key="datasets/train.csv",
        schema=[{**SCHEMA[0], "name": "amount"}, {**SCHEMA[1], "name": "country"}],
    )
    TrainingJobFactory(
        dataset_version=dataset, registered_version=version, features=["amount", "country"], target="country"
    )
    now = hour_of(timezone.now())
    sample_hours(version, mean=2.0, hours=24, end=now, rng=rng)

    results = {r.feature: r for r in drift_check_version(version_id=version.pk, at=now)}
    references = {r.feature: r for r in DriftReference.objects.filter(version=version)}
    assert references["amount"].source == references["country"].source == "training_data"
    assert references["amount"].sample_size == 500
    assert results["amount"].band == "significant" and results["country"].band == "stable"


@pytest.mark.parametrize("end", ["0001-01-01", "0001-01-30", "9999-12-31"])
def test_an_end_date_at_the_edge_of_the_calendar_is_answered_not_a_500(
    api_as, client, browser_login, outsider, end
):
    """``?end=0001-01-01`` has no 30 days of monitoring before it: the API and the page answer with
    what the period holds (nothing) instead of an OverflowError."""
    model = RegisteredModelFactory()
    response = api_as(outsider).get(f"/api/v1/models/{model.slug}/monitoring/", {"end": end})
    assert response.status_code == 200, response.content
    assert response.json()["totals"]["requests"] == 0
    browser_login(client, outsider)
    page = client.get(f"/outcomes/models/{model.slug}/", {"end": end})
    assert page.status_code == 200
