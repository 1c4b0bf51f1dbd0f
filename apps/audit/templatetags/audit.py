"""``{% history object %}``: the History section of an object's page (its latest recorded changes).
A template tag, so the pages of the domain apps show it without their code knowing the audit app."""

from django import template

from apps.audit import presenting, selectors
from apps.core import policy
from apps.core.acting import CHANNELS

register = template.Library()


@register.inclusion_tag("audit/_history.html", takes_context=True)
def history(context, instance):
    events = selectors.history_of(instance)
    request = context.get("request")
    return {
        "entries": [(event, presenting.changed_fields(event)) for event in events],
        "more_than_shown": len(events) >= selectors.HISTORY_LENGTH,
        "object_type": selectors.object_type_of(instance),
        "object_id": instance.pk,
        "can_search": request is not None and policy.allowed(request.user, "audit.read_audit_log"),
    }


@register.filter
def channel_label(value: str) -> str:
    return CHANNELS.get(value, value)


@register.filter
def changed_fields(event):
    return presenting.changed_fields(event)
