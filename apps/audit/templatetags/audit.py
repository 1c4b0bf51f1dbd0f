"""``{% history object %}``: the History section of an object's page (its latest recorded changes).
A template tag, so the pages of the domain apps show it without their code knowing the audit app."""

from collections import defaultdict

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
    changes = [presenting.changed_fields(event) for event in events]
    related = _related_names(instance, changes)
    return {
        "entries": [
            (event, _named(instance, fields, related)) for event, fields in zip(events, changes, strict=True)
        ],
        "more_than_shown": len(events) >= selectors.HISTORY_LENGTH,
        "object_type": selectors.object_type_of(instance),
        "object_id": instance.pk,
        "can_search": request is not None and policy.allowed(request.user, "audit.read_audit_log"),
    }


# Said by the row itself (its page, its own timestamps): listing them under "Created" says nothing.
UNSAID_FIELDS = {"id", "created_at", "updated_at"}


def _field(instance, name: str):
    try:
        return instance._meta.get_field(name)
    except FieldDoesNotExist:
        return None


def _related_names(instance, changes) -> dict:
    """``{(field name, pk text): name}`` for the foreign keys among the changes: django-auditlog
    records a team as its id ("3"); people read "Fraud Signals". The current related rows the page
    already loaded cost nothing, others one query per field; a row deleted since reads as its id."""
    wanted: dict = defaultdict(set)
    for fields in changes:
        for name, old, new in fields:
            field = _field(instance, name)
            if field is not None and field.many_to_one:
                wanted[name] |= {value for value in (old, new) if value is not None and value.isdigit()}
    names = {}
    for name, pks in wanted.items():
        field = _field(instance, name)
        current = str(getattr(instance, field.attname))
        if current in pks and field.is_cached(instance):  # the page loaded it already: no query
            names[(name, current)] = str(getattr(instance, name))
            pks = pks - {current}
        if pks:
            for pk, row in field.related_model._base_manager.in_bulk([int(pk) for pk in pks]).items():
                names[(name, str(pk))] = str(row)
    return names


def _field_label(instance, name: str) -> str:
    """A changed field as people read it: the model field's verbose name ("wip_limit" -> "WIP limit")."""
    field = _field(instance, name)
    if field is None:
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


def _named(instance, fields, related):
    def shown(name, text):
        return related[(name, text)] if (name, text) in related else _shown(text)

    return [
        (_field_label(instance, name), shown(name, old), shown(name, new))
        for name, old, new in fields
        if name not in UNSAID_FIELDS
    ]


@register.filter
def channel_label(value: str) -> str:
    return CHANNELS.get(value, value)


@register.filter
def changed_fields(event):
    return presenting.changed_fields(event)
