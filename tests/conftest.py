"""Fixtures every area's tests share: users by role, API clients, a real Celery worker process and a
real headless Chromium."""

import os

import pytest
from django.conf import settings
from rest_framework.test import APIClient
from threadpoolctl import threadpool_limits

from apps.teams.models import MemberRole
from tests.factories import PASSWORD, MembershipFactory, StaffFactory, TeamFactory, UserFactory, api_token
from tests.shared_rows import TEST_SETTINGS

# Playwright's sync API keeps an event loop on the main thread; the ORM calls the tests make around
# it are still synchronous and safe.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")

pytest_plugins = ["tests.worker", "tests.browser", "tests.servers", "tests.s3", "tests.private_services"]

# One OpenMP/BLAS thread for scikit-learn in the test process and in every process it starts, as the
# worker has (tests/worker.py): on two shared cores HistGradientBoosting's spinning OpenMP threads made
# a 2 s fit take 80 s, most of it burnt CPU. scikit-learn is already loaded (django.setup() imports the
# apps) and its OpenMP runtime read the environment then, so the limit is also set through threadpoolctl.
os.environ.setdefault("OMP_NUM_THREADS", "1")
threadpool_limits(limits=1)


def pytest_configure(config):
    """Parallel workers must not share a broker or var folder (tests/settings.py sees to it); with
    DJANGO_SETTINGS_MODULE pointing elsewhere they would, and their Celery workers take each other's tasks."""
    worker = os.environ.get("PYTEST_XDIST_WORKER")
    if worker and os.environ.get("PORTAL_TEST_ISOLATED") != worker:
        raise pytest.UsageError(
            f"{worker} runs with settings {settings.SETTINGS_MODULE}: parallel tests need tests.settings"
        )


@pytest.fixture
def team(db):
    return TeamFactory()


@pytest.fixture
def staff_user(db):
    return StaffFactory()


@pytest.fixture
def outsider(db):
    """Signed in, but in no team: may read, may not change."""
    return UserFactory()


def member_of(team, role: str):
    return MembershipFactory(team=team, role=role).user


@pytest.fixture
def team_lead(team):
    return member_of(team, MemberRole.LEAD)


@pytest.fixture
def team_pm(team):
    return member_of(team, MemberRole.PRODUCT_MANAGER)


@pytest.fixture
def team_engineer(team):
    return member_of(team, MemberRole.ENGINEER)


@pytest.fixture
def anon_api():
    return APIClient()


@pytest.fixture
def api_as():
    """``api_as(user)``: an API client authenticated with the user's token, as clients do."""

    def make(user):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {api_token(user)}")
        return client

    return make


@pytest.fixture
def browser_login():
    """``browser_login(client, user)``: a Django test client signed in through the login form."""

    def login(client, user):
        response = client.post("/login/", {"username": user.username, "password": PASSWORD})
        assert response.status_code == 302, "login failed"
        return client

    return login


@pytest.fixture(autouse=True)
def webhook_receivers_on_loopback(settings):
    """The tests' webhook receivers listen on 127.0.0.1, which the portal refuses by default."""
    settings.WEBHOOK_ALLOW_LOCAL_ADDRESSES = True


@pytest.fixture(autouse=True)
def fast_password_hashing(settings):
    """Tests create many users; the production hasher is deliberately slow."""
    settings.PASSWORD_HASHERS = TEST_SETTINGS["PASSWORD_HASHERS"]


@pytest.fixture(autouse=True)
def monitoring_written_at_once(settings):
    """Tests read monitoring straight after a prediction, inside their transaction; the buffered path
    (a timer thread with its own connection) has its own tests in tests/outcomes/test_recorder.py."""
    settings.OUTCOMES_MONITORING_FLUSH_SECONDS = TEST_SETTINGS["OUTCOMES_MONITORING_FLUSH_SECONDS"]


@pytest.fixture
def full_demo(transactional_db):
    """The demo organisation `make run` loads, committed (its logins use the demo password): loaded
    once per session, then restored from a copy of its rows (tests/demo_snapshot.py)."""
    from django.core.management import call_command

    from tests.demo_snapshot import committed_demo

    committed_demo("full", lambda: call_command("load_demo", verbosity=0), lambda: None)


@pytest.fixture
def tasks_run_in_process():
    """Celery tasks sent during the test run at once in this process (no worker, no broker)."""
    from celery import current_app

    previous = current_app.conf.task_always_eager, current_app.conf.task_eager_propagates
    current_app.conf.task_always_eager = current_app.conf.task_eager_propagates = True
    yield
    current_app.conf.task_always_eager, current_app.conf.task_eager_propagates = previous
