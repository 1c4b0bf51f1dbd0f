"""Demo rows committed for one transactional test (a live server, a browser, a worker reads them):
``full_demo`` (`load_demo`, what `make run` shows) and ``demo_org`` (the outcomes demo). Such tests
empty the database afterwards, so their rows cannot be shared through a rolled-back transaction
(tests/shared_rows.py). Instead the first test of a session that asks for a demo builds it and keeps a
copy of every table's rows (PostgreSQL's ``COPY ... (FORMAT binary)``, in memory); each later one gets
the same rows back from that copy in about a second instead of the demo's 10-30 CPU seconds.

The copy is restored only onto a database in the state the first build started from (every table
holds as many rows as then: the rows Django's ``post_migrate`` makes after each flush, nothing that
the test's own fixtures made); otherwise, and on another database engine, the demo is built again.
The restored rows keep their primary keys and the sequences are set past them, so a test sees what it
would have seen after building the demo itself. The demo's files (datasets, artefacts) were written to
the platform storage the tests share by the first build and stay there."""

from collections.abc import Callable
from dataclasses import dataclass
from typing import TypeVar

from django.apps import apps
from django.core.management.color import no_style
from django.db import connection, transaction


@dataclass
class Snapshot:
    counts_before: dict[str, int]
    rows: list[tuple[str, bytes]]


_snapshots: dict[str, Snapshot] = {}
T = TypeVar("T")
# What Django's post_migrate (and the portal's, apps/core/apps.py: the Platform staff group) writes
# after every flush; a database with rows in any other table was written by the test's own fixtures.
AFTER_FLUSH = {"django_content_type", "auth_permission", "auth_group", "auth_group_permissions"}


def _tables() -> list[str]:
    return sorted(
        name
        for name in connection.introspection.table_names(include_views=False)
        if name != "django_migrations"
    )


def _counts() -> dict[str, int]:
    quote = connection.ops.quote_name
    tables = _tables()
    with connection.cursor() as cursor:
        cursor.execute(
            " UNION ALL ".join(f"SELECT {i}, count(*) FROM {quote(t)}" for i, t in enumerate(tables))
        )
        found = dict(cursor.fetchall())
    return {table: found[i] for i, table in enumerate(tables)}


def _copy_out() -> list[tuple[str, bytes]]:
    rows = []
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        for table in _tables():
            with cursor.cursor.copy(f"COPY {quote(table)} TO STDOUT (FORMAT binary)") as copy:
                rows.append((table, b"".join(bytes(block) for block in copy)))
    return rows


def _copy_in(rows: list[tuple[str, bytes]]) -> None:
    quote = connection.ops.quote_name
    with transaction.atomic(), connection.cursor() as cursor:
        # Foreign keys are DEFERRABLE INITIALLY DEFERRED (Django's), checked at commit: any order works.
        cursor.execute(f"TRUNCATE {', '.join(quote(table) for table, _ in rows)} CASCADE")
        for table, data in rows:
            with cursor.cursor.copy(f"COPY {quote(table)} FROM STDIN (FORMAT binary)") as copy:
                copy.write(data)
        models = apps.get_models(include_auto_created=True)
        for statement in connection.ops.sequence_reset_sql(no_style(), models):
            cursor.execute(statement)


def _forget_cached_rows() -> None:
    """Process caches keyed by primary key: the restored rows' keys may name other rows than before."""
    from django.contrib.contenttypes.models import ContentType

    from apps.registry.artefacts import pipeline_cache
    from apps.registry.serving import forget_serving_versions

    ContentType.objects.clear_cache()
    pipeline_cache.clear()
    forget_serving_versions()


def _as_after_a_flush(counts: dict[str, int]) -> bool:
    return not any(count for table, count in counts.items() if table not in AFTER_FLUSH)


def committed_demo(key: str, build: Callable[[], T], refetch: Callable[[], T]) -> T:
    """``build()``'s rows, committed: built by the first call of the session (its result returned),
    restored from the copy by later ones (then ``refetch()`` reads the result back from the rows).
    Only for transactional tests (outside a transaction), which empty the database afterwards."""
    if connection.vendor != "postgresql" or connection.in_atomic_block:
        return build()
    counts = _counts()
    snapshot = _snapshots.get(key)
    if snapshot is None or counts != snapshot.counts_before or not _as_after_a_flush(counts):
        result = build()
        if snapshot is None and _as_after_a_flush(counts):
            _snapshots[key] = Snapshot(counts, _copy_out())
        _forget_cached_rows()
        return result
    _copy_in(snapshot.rows)
    _forget_cached_rows()
    return refetch()
