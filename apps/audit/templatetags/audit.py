"""``{% history object %}``: the History section of an object's page (its latest recorded changes).
A template tag, so the pages of the domain apps show it without their code knowing the audit app."""

from django import template
from django.core.exceptions import FieldDoesNotExist
from django.utils.text import capfirst

from apps.audit import presenting, selectors
from apps.core import display, policy
from apps.core.acting import CHANNELS

register = template.Library()


@register.inclusion_tag("audit/_history.html", takes_context=True)
def history(context, instance):
    events = selectors.history_of(instance)
    request = context.get("request")
    return {
        "entries": [(event, _named(instance, presenting.changed_fields(event))) for event in events],
        "more_than_shown": len(events) >= selectors.HISTORY_LENGTH,
        "object_type": selectors.object_type_of(instance),
        "object_id": instance.pk,
        "can_search": request is not None and policy.allowed(request.user, "audit.read_audit_log"),
    }


def _field_label(instance, name: str) -> str:
    """A changed field as people read it: the model field's verbose name ("wip_limit" -> "WIP limit")."""
    try:
        field = instance._meta.get_field(name)
    except FieldDoesNotExist:
        return display.label(name)
    verbose = getattr(field, "verbose_name", None)
    # a field without its own verbose name gets Django's "wip limit": the catalogue words read better
    return display.label(name) if verbose in (None, name.replace("_", " ")) else capfirst(verbose)


def _shown(text):
    """A recorded value as people read it: a key as its label, a number or date formatted; a JSON
    document (metrics, a schema) is not dumped into the page."""
    if text is None:
        return None
    if text[:1] in ("{", "["):
        return None if text in ("{}", "[]") else "(recorded)"
    try:
        return display.number(float(text))
    except ValueError:
        return display.value(text)


def _named(instance, fields):
    return [(_field_label(instance, name), _shown(old), _shown(new)) for name, old, new in fields]


@register.filter
def channel_label(value: str) -> str:
    return CHANNELS.get(value, value)


@register.filter
def changed_fields(event):
    return presenting.changed_fields(event)
