from django.core.exceptions import ValidationError
from django.db import models


class DemoLoad(models.Model):
    """Marks a portal area whose demo data is loaded, so `load_demo` runs each area once."""

    area = models.CharField(max_length=50, unique=True)
    loaded_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return self.area


class Heartbeat(models.Model):
    """A round trip through the broker: the web side writes the row, a worker answers it."""

    requested_at = models.DateTimeField(auto_now_add=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    answered_by = models.CharField(max_length=200, blank=True)

    def __str__(self) -> str:
        return f"heartbeat {self.pk}: {self.answered_by or 'waiting'}"


class AppendOnly(models.Model):
    """Rows are written once: saving an existing row or deleting one is refused."""

    class Meta:
        abstract = True

    def save(self, *args, **kwargs):
        if self.pk is not None and not self._state.adding:
            raise ValidationError(f"{type(self).__name__} rows are append-only.")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise ValidationError(f"{type(self).__name__} rows are append-only.")


class WorkerHeartbeat(models.Model):
    """A live consumer of a queue: every Celery worker keeps one row per queue it consumes, written
    when it starts and every ``PORTAL_WORKER_HEARTBEAT_SECONDS``, removed when it stops cleanly.
    ``/healthz`` reads these rows instead of waiting for ping replies."""

    hostname = models.CharField(max_length=200)
    queue = models.CharField(max_length=200)
    pid = models.PositiveIntegerField(default=0)
    started_at = models.DateTimeField()
    beat_at = models.DateTimeField(db_index=True)

    class Meta:
        ordering = ["queue", "hostname"]
        constraints = [models.UniqueConstraint(fields=["hostname", "queue"], name="worker_heartbeat_unique")]

    def __str__(self) -> str:
        return f"{self.hostname} on {self.queue}"
