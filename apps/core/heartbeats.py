"""Worker heartbeats per queue: a Celery consumer bootstep (registered in ``portal/celery.py``) runs a
thread in each worker's main process that writes one ``WorkerHeartbeat`` row per consumed queue at
start and every ``PORTAL_WORKER_HEARTBEAT_SECONDS`` (0 turns it off), and deletes them on a clean
shutdown. ``/healthz`` reads the rows (one query), so a healthy answer needs no broadcast ping."""

import datetime
import logging
import os
import threading

from celery import bootsteps
from django.conf import settings
from django.db import close_old_connections, connection
from django.utils import timezone

logger = logging.getLogger(__name__)


def beat(*, hostname: str, queues: list[str], started_at: datetime.datetime) -> None:
    """Record that ``hostname`` consumes ``queues`` now; forget queues it no longer consumes and
    rows of workers long gone."""
    from apps.core.models import WorkerHeartbeat

    now = timezone.now()
    for queue in queues:
        WorkerHeartbeat.objects.update_or_create(
            hostname=hostname,
            queue=queue,
            defaults={"beat_at": now, "pid": os.getpid(), "started_at": started_at},
        )
    WorkerHeartbeat.objects.filter(hostname=hostname).exclude(queue__in=queues).delete()
    long_gone = now - datetime.timedelta(seconds=100 * stale_after_seconds())
    WorkerHeartbeat.objects.filter(beat_at__lt=long_gone).delete()


def forget(*, hostname: str) -> None:
    from apps.core.models import WorkerHeartbeat

    WorkerHeartbeat.objects.filter(hostname=hostname).delete()


def stale_after_seconds() -> float:
    return settings.PORTAL_WORKER_HEARTBEAT_STALE_SECONDS


def live_queues(queues: list[str]) -> set[str]:
    """The queues among ``queues`` that a worker consumed within the stale period."""
    from apps.core.models import WorkerHeartbeat

    cutoff = timezone.now() - datetime.timedelta(seconds=stale_after_seconds())
    return set(
        WorkerHeartbeat.objects.filter(queue__in=queues, beat_at__gte=cutoff)
        .values_list("queue", flat=True)
        .distinct()
    )


class QueueHeartbeat(bootsteps.StartStopStep):
    """Consumer bootstep: starts with the task consumer (so it knows the queues), stops with it."""

    requires = {"celery.worker.consumer.tasks:Tasks"}

    def __init__(self, parent, **kwargs):
        super().__init__(parent, **kwargs)
        self.thread: threading.Thread | None = None
        self.stopping = threading.Event()
        self.hostname = ""

    def start(self, consumer):
        interval = settings.PORTAL_WORKER_HEARTBEAT_SECONDS
        if interval <= 0 or (self.thread and self.thread.is_alive()):
            return
        self.hostname = consumer.hostname
        self.stopping.clear()
        self.thread = threading.Thread(
            target=self._run, args=(consumer, interval), name="queue-heartbeat", daemon=True
        )
        self.thread.start()

    def _run(self, consumer, interval: float) -> None:
        started_at = timezone.now()
        while not self.stopping.is_set():
            try:
                close_old_connections()
                task_consumer = consumer.task_consumer
                queues = sorted({queue.name for queue in task_consumer.queues}) if task_consumer else []
                beat(hostname=self.hostname, queues=queues, started_at=started_at)
            except Exception:  # noqa: BLE001 - the database may be restarting; try again next beat
                logger.warning("Could not write the worker heartbeat", exc_info=True)
                connection.close()
            self.stopping.wait(interval)
        connection.close()

    def stop(self, consumer):
        self.stopping.set()
        if self.thread:
            self.thread.join(timeout=5)

    def shutdown(self, consumer):
        self.stop(consumer)
        if not self.hostname:
            return
        try:
            forget(hostname=self.hostname)
        except Exception:  # noqa: BLE001 - the rows go stale instead
            logger.warning("Could not remove the worker heartbeat", exc_info=True)
        finally:
            connection.close()
