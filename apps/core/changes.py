"""Guarded bulk updates that the audit trail still sees.

``QuerySet.update`` sends no model signal, so a status change written as a conditional update
(``filter(pk=..., status=RUNNING).update(status=SUCCEEDED)``, the portal's guard against two workers
racing) would leave no audit record. ``update_rows`` keeps the guard: it locks the matching rows,
updates exactly those, and tells ``rows_updated`` listeners (the audit trail) each row as it was and
the values written, after which they record the changes. ``update_each`` does the same for rows
that each get their own values (a re-ranked backlog). Core knows no listener.

Not every bulk update goes through here: a running job's progress and heartbeats, a dataset's
processing progress, a token's last use and a notification's read/e-mailed times stay plain
``QuerySet.update`` calls on purpose. They are machine bookkeeping written every few seconds (or on
every request), not anybody's change, and their fields are left out of the audit trail anyway
(``apps.audit.recording.NOISY_FIELDS`` / ``NOT_AUDITED``). Those that are written many times per
job go through ``bookkeeping()``, which does not wait for the disk at commit."""

import contextlib
from collections.abc import Iterator

from django.db import connection, transaction
from django.db.models import QuerySet
from django.dispatch import Signal

# sent with ``before=[instances as they were]`` and ``values={field: new value}`` inside the
# transaction of the update, once it has changed at least one row
rows_updated = Signal()


@contextlib.contextmanager
def bookkeeping() -> Iterator[None]:
    """Commit the writes inside without waiting for PostgreSQL to flush them to disk
    (``synchronous_commit = off`` for this transaction only): a crash may lose the last fraction of
    a second of them, never leave them half-written, and every other write still waits. A running
    job's progress and heartbeat are rewritten every few seconds anyway, and the WAL flush cost ~5 ms
    per commit on this machine, eight times per job. Inside a caller's transaction it does nothing:
    the setting would apply to the caller's commit too."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        yield
        return
    with transaction.atomic():
        with connection.cursor() as cursor:
            cursor.execute("SET LOCAL synchronous_commit TO OFF")
        yield


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


def update_each(model, values_by_pk: dict[int, dict]) -> int:
    """Write each row's own ``{field: value}`` (one ``bulk_update``), announcing every changed row to
    ``rows_updated`` as it was before. Rows already at their values are skipped. Returns how many
    rows changed."""
    if not values_by_pk:
        return 0
    with transaction.atomic(savepoint=False):
        before = model._base_manager.select_for_update().order_by("pk").in_bulk(list(values_by_pk))
        changed = {
            pk: values
            for pk, values in values_by_pk.items()
            if pk in before and any(getattr(before[pk], name) != value for name, value in values.items())
        }
        if not changed:
            return 0
        fields = sorted({name for values in changed.values() for name in values})
        rows = []
        for pk, values in changed.items():
            row = model(pk=pk, **{name: getattr(before[pk], name) for name in fields})
            for name, value in values.items():
                setattr(row, name, value)
            rows.append(row)
        model._base_manager.bulk_update(rows, fields, batch_size=500)
        for pk, values in changed.items():
            rows_updated.send(sender=model, before=[before[pk]], values=values)
    return len(changed)
