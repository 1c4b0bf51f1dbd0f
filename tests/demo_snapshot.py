"""The full demo organisation (`load_demo`, what `make run` shows) committed for one test: the
``full_demo`` fixture. Tests that need it committed (a live server, a browser) are transactional, so
the database is emptied after each of them and the demo cannot be shared by a rolled-back
transaction (tests/shared_rows.py). Instead the first such test of a session runs `load_demo` and
keeps a copy of every table's rows (PostgreSQL's ``COPY ... (FORMAT binary)``, in memory); each later
one gets the same rows back from that copy in well under a second instead of the demo's ~30 CPU
seconds. On another database engine every test runs `load_demo`.

The copy holds exactly what `load_demo` left: the same primary keys, and the sequences are set past
them, so a test sees what it would have seen after loading the demo itself. The demo's files
(datasets, artefacts) are written once to the platform storage the tests share and stay there."""

import io

from django.apps import apps
from django.core.management import call_command
from django.core.management.color import no_style
from django.db import connection, transaction

_snapshot: list[tuple[str, bytes]] | None = None


def _tables() -> list[str]:
    return sorted(
        name
        for name in connection.introspection.table_names(include_views=False)
        if name != "django_migrations"
    )


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


def load_full_demo() -> None:
    """The database as `load_demo` leaves it (committed; the caller's test is transactional)."""
    global _snapshot
    if connection.vendor != "postgresql":
        call_command("load_demo", verbosity=0, stdout=io.StringIO())
        return
    if _snapshot is None:
        call_command("load_demo", verbosity=0, stdout=io.StringIO())
        _snapshot = _copy_out()
    else:
        _copy_in(_snapshot)
    _forget_cached_rows()
