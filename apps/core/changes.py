"""Guarded bulk updates that the audit trail still sees.

``QuerySet.update`` sends no model signal, so a status change written as a conditional update
(``filter(pk=..., status=RUNNING).update(status=SUCCEEDED)``, the portal's guard against two workers
racing) would leave no audit record. ``update_rows`` keeps the guard: it locks the matching rows,
updates exactly those, and tells ``rows_updated`` listeners (the audit trail) each row as it was and
the values written, after which they record the changes. Core knows no listener."""

from django.db import transaction
from django.db.models import QuerySet
from django.dispatch import Signal

# sent with ``before=[instances as they were]`` and ``values={field: new value}`` inside the
# transaction of the update, once it has changed at least one row
rows_updated = Signal()


def update_rows(queryset: QuerySet, **values) -> int:
    """``queryset.update(**values)`` for the rows it matches now, announced to ``rows_updated``."""
    with transaction.atomic(savepoint=False):
        before = list(queryset.select_for_update())
        if not before:
            return 0
        count = queryset.model._base_manager.filter(pk__in=[row.pk for row in before]).update(**values)
        if count:
            rows_updated.send(sender=queryset.model, before=before, values=values)
    return count
