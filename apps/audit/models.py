"""The audit trail's one table: django-auditlog's log entry plus the channel the write came through.

django-auditlog records every create, update (each changed field's old and new value) and delete of
the registered models from Django's model signals (apps/audit/recording.py); this model is its
``AUDITLOG_LOGENTRY_MODEL``. ``cid`` holds the request id, ``actor`` who acted (kept as
``actor_email`` too), ``remote_addr`` from where. Rows are written once and never changed or deleted
through the portal: saving an existing row or deleting one is refused (``AppendOnly``), the admin is
read-only and the API has no write method.
"""

from auditlog.models import AbstractLogEntry
from django.db import models

from apps.core.acting import CHANNELS, SHELL
from apps.core.models import AppendOnly


class Action(models.IntegerChoices):
    CREATE = AbstractLogEntry.Action.CREATE, "created"
    UPDATE = AbstractLogEntry.Action.UPDATE, "changed"
    DELETE = AbstractLogEntry.Action.DELETE, "deleted"


class AuditEvent(AppendOnly, AbstractLogEntry):
    channel = models.CharField(max_length=16, choices=list(CHANNELS.items()), default=SHELL, db_index=True)

    class Meta(AbstractLogEntry.Meta):
        verbose_name = "audit event"
        verbose_name_plural = "audit events"
        ordering = ["-timestamp", "-id"]
        # Viewing only: no add, change or delete permission exists to grant anyone.
        default_permissions = ("view",)
        indexes = [
            models.Index(fields=["content_type", "object_id", "-timestamp"], name="audit_object_time"),
            models.Index(fields=["actor", "-timestamp"], name="audit_actor_time"),
        ]

    @property
    def request_id(self) -> str:
        return self.cid or ""
