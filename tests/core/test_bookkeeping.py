"""Bookkeeping writes commit without waiting for the disk, and only their own transaction does."""

import pytest
from django.db import connection, transaction

from apps.core.changes import bookkeeping
from apps.teams.models import ValueStream

pytestmark = pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL setting")


def synchronous_commit() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        return cursor.fetchone()[0]


@pytest.mark.django_db(transaction=True)
def test_a_bookkeeping_write_commits_without_waiting_and_leaves_the_setting_as_it_was():
    stream = ValueStream.objects.create(name="Checkout", slug="checkout")
    with bookkeeping():
        assert synchronous_commit() == "off"
        ValueStream.objects.filter(pk=stream.pk).update(name="Checkout and payments")
    assert synchronous_commit() == "on"
    assert ValueStream.objects.get(pk=stream.pk).name == "Checkout and payments"


@pytest.mark.django_db(transaction=True)
def test_inside_a_callers_transaction_the_callers_commit_still_waits():
    stream = ValueStream.objects.create(name="Fraud", slug="fraud")
    with transaction.atomic(), bookkeeping():
        assert synchronous_commit() == "on"
        ValueStream.objects.filter(pk=stream.pk).update(name="Fraud signals")
    assert ValueStream.objects.get(pk=stream.pk).name == "Fraud signals"
