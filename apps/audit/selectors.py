"""Reading the audit trail: the searchable log and one object's history (actor and type joined, so
a page costs the same number of queries however many events it shows)."""

from django.contrib.contenttypes.models import ContentType
from django.db.models import QuerySet

from apps.audit.models import AuditEvent

HISTORY_LENGTH = 20


def audit_events() -> QuerySet[AuditEvent]:
    return AuditEvent.objects.select_related("actor", "content_type").order_by("-timestamp", "-id")


def history_of(instance, *, limit: int = HISTORY_LENGTH) -> list[AuditEvent]:
    """The latest changes of one object, newest first."""
    content_type = ContentType.objects.get_for_model(type(instance))
    events = audit_events().filter(content_type=content_type, object_pk=str(instance.pk))
    return list(events[:limit])


def object_type_of(instance) -> str:
    return f"{instance._meta.app_label}.{instance._meta.model_name}"
