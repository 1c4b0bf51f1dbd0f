"""Reading the audit trail back in tests."""

from django.contrib.contenttypes.models import ContentType

from apps.audit.models import Action, AuditEvent


def events_of(instance, action=None):
    events = AuditEvent.objects.filter(
        content_type=ContentType.objects.get_for_model(type(instance)), object_id=instance.pk
    ).order_by("timestamp", "id")
    return list(events.filter(action=action) if action is not None else events)


def last_change(instance) -> AuditEvent:
    changes = events_of(instance, Action.UPDATE)
    assert changes, f"no change of {instance!r} recorded"
    return changes[-1]
