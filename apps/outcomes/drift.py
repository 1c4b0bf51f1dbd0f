"""Input drift per feature: population stability index of the recent input sample against the
version's training-data distribution, stored per version, feature and window.

Reference choice: each (version, feature) has one frozen ``DriftReference`` holding the training
distribution as bins (deciles of the training values for numbers, the training categories plus
"other" for the rest). At a version's first drift check it is built from the training data itself:
the dataset version of the platform training job that registered the version (read once, at most
``TRAINING_ROWS`` rows), or the column a caller passes to ``drift_reference_store``. A version with
no training data on the platform (registered from outside) falls back to its first 24 hours of
recorded inputs, the traffic closest to what it was trained on. Either way the reference is stored
once and never recomputed, so every later window is compared with the same baseline."""

import datetime
import logging
from numbers import Number

from django.db import transaction
from django.db.models import Min
from django.utils import timezone

from apps.core import events, storage
from apps.core.display import moment
from apps.outcomes.models import DriftBand, DriftReference, DriftResult, InputSample
from apps.outcomes.monitoring import hour_of
from apps.outcomes.stats import (
    categorical_proportions,
    numeric_proportions,
    psi,
    psi_band,
    quantile_edges,
)
from apps.registry.models import FeedbackKind, ModelVersion, Severity
from apps.registry.services import feedback_open_for_platform

logger = logging.getLogger(__name__)

WINDOW = datetime.timedelta(hours=24)
MIN_SAMPLE = 50  # below this a PSI is noise
MAX_CATEGORIES = 30
NUMERIC_TYPES = {"number", "numeric", "float", "integer", "int"}


def _is_number(value) -> bool:
    return isinstance(value, Number) and not isinstance(value, bool)


def _feature_kind(version: ModelVersion, feature: str, values: list) -> str:
    for column in version.input_schema or []:
        if isinstance(column, dict) and column.get("name") == feature and column.get("type"):
            numeric = str(column["type"]).lower() in NUMERIC_TYPES
            return DriftReference.Kind.NUMERIC if numeric else DriftReference.Kind.CATEGORICAL
    numeric = values and all(_is_number(v) for v in values)
    return DriftReference.Kind.NUMERIC if numeric else DriftReference.Kind.CATEGORICAL


def _proportions(reference: DriftReference, values: list) -> list[float]:
    if reference.kind == DriftReference.Kind.NUMERIC:
        return numeric_proportions([float(v) for v in values if _is_number(v)], reference.edges)
    return categorical_proportions(values, reference.categories)


def drift_reference_store(
    *, version: ModelVersion, feature: str, values: list, source: str
) -> DriftReference:
    """Freeze the reference distribution of a feature (a stored reference is never replaced)."""
    existing = DriftReference.objects.filter(version=version, feature=feature).first()
    if existing:
        return existing
    kind = _feature_kind(version, feature, values)
    reference = DriftReference(
        version=version, feature=feature, kind=kind, source=source, sample_size=len(values)
    )
    if kind == DriftReference.Kind.NUMERIC:
        reference.edges = quantile_edges([float(v) for v in values if _is_number(v)])
    else:
        counts: dict[str, int] = {}
        for value in values:
            counts[str(value)] = counts.get(str(value), 0) + 1
        reference.categories = sorted(counts, key=lambda c: -counts[c])[:MAX_CATEGORIES]
    reference.proportions = _proportions(reference, values)
    reference.save()
    return reference


def _samples(version: ModelVersion, start, end) -> list[dict]:
    return list(
        InputSample.objects.filter(
            version=version, bucket_start__gte=start, bucket_start__lt=end
        ).values_list("inputs", flat=True)
    )


def _features(version: ModelVersion, samples: list[dict]) -> list[str]:
    if version.features:
        return list(version.features)
    return sorted({key for sample in samples for key in sample})


TRAINING_ROWS = 20_000


def _training_columns(version: ModelVersion, features: list[str]) -> dict[str, list]:
    """The version's training data per feature, when a platform training job registered it."""
    from apps.training.models import TrainingJob
    from apps.training.profiling import read_csv

    job = TrainingJob.objects.filter(registered_version=version).select_related("dataset_version").first()
    if job is None:
        return {}
    dataset = job.dataset_version
    wanted = [name for name in features if name in dataset.column_names]
    try:
        with storage.local_copy(dataset.storage_key, sha256=dataset.sha256) as path:
            frame = read_csv(path, usecols=wanted, nrows=TRAINING_ROWS)
    except (OSError, ValueError, storage.StorageError) as error:
        logger.warning("No training data for the drift reference of %s: %s", version, error)
        return {}
    return {name: frame[name].dropna().tolist() for name in wanted}


def _references_from_training(version: ModelVersion, features: list[str], references: dict) -> None:
    missing = [name for name in features if name not in references]
    if not missing:
        return
    for feature, values in _training_columns(version, missing).items():
        if len(values) >= MIN_SAMPLE:
            references[feature] = drift_reference_store(
                version=version, feature=feature, values=values, source=DriftReference.Source.TRAINING_DATA
            )


def _reference(version: ModelVersion, feature: str, references: dict) -> DriftReference | None:
    if feature in references:
        return references[feature]
    first = InputSample.objects.filter(version=version).aggregate(first=Min("bucket_start"))["first"]
    if first is None:
        return None
    values = [s.get(feature) for s in _samples(version, first, first + WINDOW) if s.get(feature) is not None]
    if len(values) < MIN_SAMPLE:
        return None
    return drift_reference_store(
        version=version, feature=feature, values=values, source=DriftReference.Source.FIRST_SAMPLE
    )


def _open_drift_feedback(version: ModelVersion, result: DriftResult) -> None:
    feedback_open_for_platform(
        registered_model=version.model,
        version=version,
        kind=FeedbackKind.DRIFT,
        severity=Severity.HIGH,
        title=f"Input drift on {result.feature} (PSI {result.psi:.2f})",
        description=(
            f"The inputs of {version} on feature {result.feature!r} moved away from its training data: "
            f"population stability index {result.psi:.3f} over {moment(result.window_start)} to "
            f"{moment(result.window_end)} UTC ({result.sample_size} sampled rows); above 0.25 "
            "is significant. Check the upstream data and consider retraining."
        ),
        dedupe_key=f"drift:{version.pk}:{result.feature}",
    )
    model = version.model
    events.publish(
        "drift.detected",
        data={
            "summary": f"{model.name} v{version.number}: {result.feature} drifted (PSI {result.psi:.2f})",
            "model": model.slug,
            "version": version.number,
            "feature": result.feature,
            "psi": result.psi,
            "sample_size": result.sample_size,
        },
        teams=[model.owning_team_id],
        streams=[model.value_stream_id],
        models=[model.pk],
    )


def drift_check_version(*, version_id: int, at=None) -> list[DriftResult]:
    """PSI per feature for the 24 hours before ``at`` (default now, on the hour). Safe to run twice:
    the window's results are updated in place and drift feedback is opened once per feature."""
    version = ModelVersion.objects.select_related("model").filter(pk=version_id).first()
    if version is None:
        return []
    window_end = hour_of(at or timezone.now())
    window_start = window_end - WINDOW
    samples = _samples(version, window_start, window_end)
    if len(samples) < MIN_SAMPLE:
        return []
    references = {r.feature: r for r in version.drift_references.all()}
    features = _features(version, samples)
    _references_from_training(version, features, references)
    results = []
    for feature in features:
        values = [s.get(feature) for s in samples if s.get(feature) is not None]
        reference = _reference(version, feature, references)
        if reference is None or len(values) < MIN_SAMPLE:
            continue
        value = psi(reference.proportions, _proportions(reference, values))
        results.append(
            DriftResult(
                version=version,
                feature=feature,
                window_start=window_start,
                window_end=window_end,
                psi=value,
                band=psi_band(value),
                sample_size=len(values),
            )
        )
    if not results:
        return results
    with transaction.atomic():
        # One upsert for the window's features (a re-run updates them in place), not a
        # select-then-write per feature.
        DriftResult.objects.bulk_create(
            results,
            update_conflicts=True,
            unique_fields=["version", "feature", "window_end"],
            update_fields=["window_start", "psi", "band", "sample_size", "computed_at"],
        )
        for result in results:
            if result.band == DriftBand.SIGNIFICANT:
                _open_drift_feedback(version, result)
    return results


SAMPLE_RETENTION = datetime.timedelta(days=30)


def input_samples_prune(*, at=None) -> int:
    """Forget input samples older than 30 days (references are frozen long before), so the sample
    stays bounded in time as well as per hour."""
    deleted, _ = InputSample.objects.filter(
        bucket_start__lt=(at or timezone.now()) - SAMPLE_RETENTION
    ).delete()
    return deleted


def versions_to_check(*, at=None) -> list[int]:
    window_end = hour_of(at or timezone.now())
    return list(
        InputSample.objects.filter(bucket_start__gte=window_end - WINDOW, bucket_start__lt=window_end)
        .values_list("version_id", flat=True)
        .distinct()
        .order_by("version_id")
    )
