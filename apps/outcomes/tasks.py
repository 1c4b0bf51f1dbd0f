"""Scheduled monitoring work (celery beat: see CELERY_BEAT_SCHEDULE in settings)."""

from celery import shared_task

from apps.outcomes.drift import drift_check_version, input_samples_prune, versions_to_check


@shared_task(ignore_result=True)
def drift_check_all() -> None:
    """Fan out one drift check per version that served traffic in the last 24 hours."""
    input_samples_prune()
    for version_id in versions_to_check():
        drift_check_version_task.delay(version_id)


@shared_task(ignore_result=True, acks_late=True)
def drift_check_version_task(version_id: int) -> None:
    """Re-reads the version; idempotent per window (results upserted, feedback deduplicated)."""
    drift_check_version(version_id=version_id)
