from celery import shared_task
from django.utils import timezone

from apps.core.models import Heartbeat


@shared_task(bind=True, ignore_result=True)
def answer_heartbeat(self, heartbeat_id: int) -> None:
    """Mark a heartbeat answered by this worker (idempotent: a second delivery changes nothing)."""
    Heartbeat.objects.filter(pk=heartbeat_id, answered_at__isnull=True).update(
        answered_at=timezone.now(), answered_by=self.request.hostname or "unknown"
    )
