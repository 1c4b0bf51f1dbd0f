"""Rows that several tests read but none should pay to build again: built once for a test class,
inside a transaction rolled back after the class's last test, as Django's ``TestCase.setUpTestData``
does. Each test still runs in its own savepoint (the ``db`` fixture), so what one test writes is
undone before the next one starts.

    @pytest.fixture(scope="class")
    def demo(django_db_setup, django_db_blocker):
        with shared_rows(django_db_blocker):
            yield build_the_rows()
"""

from contextlib import contextmanager

from django.db import transaction
from django.test.utils import override_settings

# What the autouse fixtures of tests/conftest.py set for every test; rows built before a test's
# own fixtures run need them too.
TEST_SETTINGS = {
    # Tests create many users; the production hasher is deliberately slow.
    "PASSWORD_HASHERS": ["django.contrib.auth.hashers.MD5PasswordHasher"],
    # Tests read monitoring straight after a prediction, inside their transaction.
    "OUTCOMES_MONITORING_FLUSH_SECONDS": 0,
}


@contextmanager
def shared_rows(django_db_blocker, **settings):
    with (
        django_db_blocker.unblock(),
        override_settings(**TEST_SETTINGS, **settings),
        transaction.atomic(),
    ):
        yield
        transaction.set_rollback(True)
