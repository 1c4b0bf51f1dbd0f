"""How an audit event reads: its object type as ``app.model``, its action as a word and each changed
field as ``(field, old, new)``; shared by the pages, the CSV export and the API."""

from apps.audit.models import Action, AuditEvent

NONE = "None"  # how django-auditlog writes an empty value


def object_type(event: AuditEvent) -> str:
    return f"{event.content_type.app_label}.{event.content_type.model}"


def action_word(event: AuditEvent) -> str:
    return {Action.CREATE: "create", Action.UPDATE: "update", Action.DELETE: "delete"}.get(
        event.action, "other"
    )


def changed_fields(event: AuditEvent) -> list[tuple[str, str | None, str | None]]:
    """``(field, old, new)`` per changed field, in name order; an empty side is None (a created row
    lists only the fields it was given a value for)."""
    rows = []
    for name, values in sorted((event.changes_dict or {}).items()):
        if isinstance(values, dict):  # a many-to-many change: {"type": ..., "objects": [...]}
            rows.append(
                (name, None, f"{values.get('type', 'changed')}: {', '.join(values.get('objects', []))}")
            )
            continue
        old, new = (list(values) + [None, None])[:2]
        old, new = None if old == NONE else old, None if new == NONE else new
        if event.action == Action.CREATE and new in (None, ""):
            continue  # a new row's empty fields say nothing
        rows.append((name, old, new))
    return rows


def actor_name(event: AuditEvent) -> str:
    if event.actor is not None:
        return event.actor.username
    return event.actor_email or ""


def changes_text(event: AuditEvent) -> str:
    """``field: old -> new; ...`` on one line (the CSV cell)."""
    return "; ".join(
        f"{name}: {'—' if old is None else old} -> {'—' if new is None else new}"
        for name, old, new in changed_fields(event)
    )
