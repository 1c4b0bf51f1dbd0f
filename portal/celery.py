import os

from celery import Celery, signals

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()


@signals.worker_init.connect
def _share_cores_among_pool_processes(sender, **kwargs):
    """Runs in the worker's main process before it forks its pool; the pool processes inherit it."""
    from apps.core.threads import set_process_count

    set_process_count(getattr(sender, "concurrency", 1))


@signals.worker_process_init.connect
def _limit_threads_to_this_process_share(**kwargs):
    from apps.core.threads import limit_threads

    limit_threads()


# Every worker publishes a heartbeat per queue it consumes; /healthz reads them.
from apps.core.heartbeats import QueueHeartbeat  # noqa: E402 - needs the app configured above

app.steps["consumer"].add(QueueHeartbeat)

# Tasks log with the request id of the web request that enqueued them (django-structlog).
from django_structlog.celery.steps import DjangoStructLogInitStep  # noqa: E402

app.steps["worker"].add(DjangoStructLogInitStep)
