import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

app = Celery("portal")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()

# Every worker publishes a heartbeat per queue it consumes; /healthz reads them.
from apps.core.heartbeats import QueueHeartbeat  # noqa: E402 - needs the app configured above

app.steps["consumer"].add(QueueHeartbeat)
