"""What the audit trail costs a write, pinned: a create adds one INSERT, an update one SELECT of the
row as it was and one INSERT, a delete one INSERT; a guarded bulk update (``update_rows``) one
locking SELECT and one INSERT per row."""

import pytest
from auditlog.context import disable_auditlog
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext

from apps.core.changes import update_rows
from apps.teams.models import Team, ValueStream
from tests.factories import ValueStreamFactory

pytestmark = pytest.mark.django_db


def queries(write) -> int:
    with CaptureQueriesContext(connection) as context:
        write()
    return len(context.captured_queries)


def audited_and_not(write_factory) -> tuple[int, int]:
    with disable_auditlog():
        plain = queries(write_factory())
    return queries(write_factory()), plain


def test_extra_queries_per_write():
    ContentType.objects.get_for_model(Team)  # the content type cache is warm in a running portal
    ContentType.objects.get_for_model(ValueStream)
    stream = ValueStreamFactory()
    names = iter(range(100))

    def create():
        return lambda: Team.objects.create(
            name=f"T{next(names)}", slug=f"t-{next(names)}", value_stream=stream
        )

    audited, plain = audited_and_not(create)
    assert audited - plain == 1

    def update():
        team = Team.objects.create(name=f"U{next(names)}", slug=f"u-{next(names)}", value_stream=stream)

        def change():
            team.focus = "new focus"
            team.save()

        return change

    audited, plain = audited_and_not(update)
    assert audited - plain == 2

    def delete():
        team = Team.objects.create(name=f"D{next(names)}", slug=f"d-{next(names)}", value_stream=stream)
        return team.delete

    audited, plain = audited_and_not(delete)
    assert audited - plain == 1

    def bulk():
        team = Team.objects.create(name=f"B{next(names)}", slug=f"b-{next(names)}", value_stream=stream)
        return lambda: update_rows(Team.objects.filter(pk=team.pk), wip_limit=7)

    audited, plain = audited_and_not(bulk)
    # the record is the extra; against a bare queryset.update() update_rows also reads (locks) the rows
    assert audited - plain == 1
