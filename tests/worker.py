"""A real Celery worker process on the configured broker (Redis in CI, the embedded broker locally),
reading the test database. Tests that use it must be ``@pytest.mark.django_db(transaction=True)``
so the rows they create are committed and visible to the worker."""

import os
import signal
import subprocess
import sys
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from portal.celery import app

ROOT = Path(__file__).resolve().parent.parent


def database_url_of_test_db() -> str:
    db = connection.settings_dict
    if db["ENGINE"].endswith("sqlite3"):
        return f"sqlite:///{db['NAME']}"
    credentials = db["USER"] + (f":{db['PASSWORD']}" if db.get("PASSWORD") else "")
    return f"postgres://{credentials}@{db['HOST'] or '127.0.0.1'}:{db['PORT'] or 5432}/{db['NAME']}"


def celery_command(broker_url: str, *arguments: str, timeout: float = 120) -> subprocess.CompletedProcess:
    """``celery -A portal ARGUMENTS`` on another broker than the suite's (a fault test's private
    Redis), as an operator would run it. (In this process Celery's control and publishing go through
    the suite's broker: it reads $CELERY_BROKER_URL and pools its producers.)"""
    return subprocess.run(
        [sys.executable, "-m", "celery", "-A", "portal", *arguments],
        cwd=ROOT,
        env=serving_env() | {"CELERY_BROKER_URL": broker_url},
        capture_output=True,
        text=True,
        timeout=timeout,
    )


def wait_for_ping(process: subprocess.Popen, timeout: float = 120, *, broker_url: str | None = None) -> None:
    """Wait until the worker answers a ping (on ``broker_url``, else the suite's broker)."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process.poll() is not None:
            raise RuntimeError(f"worker exited with {process.returncode}")
        if broker_url:
            if celery_command(broker_url, "inspect", "ping", "--timeout", "2").returncode == 0:
                return
        elif app.control.ping(timeout=0.5):
            return
    raise RuntimeError("worker did not answer a ping in time")


def serving_env() -> dict:
    """The environment of a process serving the tests: the test database, broker and var folder."""
    return os.environ | {
        "DATABASE_URL": database_url_of_test_db(),
        "CELERY_BROKER_URL": settings.CELERY_BROKER_URL,
        "PORTAL_VAR_DIR": str(settings.VAR_DIR),
        "DJANGO_SETTINGS_MODULE": "portal.settings",
        # The tests' webhook receivers listen on 127.0.0.1 (tests/webhooks/receiver.py).
        "PORTAL_WEBHOOK_ALLOW_LOCAL_ADDRESSES": "true",
    }


def stop_group(process: subprocess.Popen | None) -> None:
    """SIGTERM a process group led by ``process``; SIGKILL it if it has not stopped within 30 s."""
    if process and process.poll() is None:
        os.killpg(process.pid, signal.SIGTERM)
        try:
            process.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.wait()


def started_in_test(kind):
    """A fixture body: ``start(**kwargs)`` starts a ``kind`` process; all are stopped afterwards."""
    started = []

    def start(**kwargs):
        process = kind(**kwargs).start()
        started.append(process)
        return process

    yield start
    for process in started:
        process.stop()


@contextmanager
def queue_paused(queue: str):
    """Every running worker stops taking tasks from ``queue`` (Celery's remote control, as an operator
    would) and takes them again on leaving: a test can see a row in its waiting state."""
    answers = app.control.cancel_consumer(queue, reply=True, timeout=5)
    assert answers, f"no worker answered the request to stop consuming {queue}"
    try:
        yield
    finally:
        app.control.add_consumer(queue, reply=True, timeout=5)


class WorkerProcess:
    """Start, stop or kill a `celery worker` subprocess; used by fixtures and crash tests."""

    def __init__(
        self,
        *,
        queues: str = "default,training",
        concurrency: int = 1,
        extra_env: dict | None = None,
        broker_url: str | None = None,
    ):
        """``broker_url``: another broker than the suite's (a fault test's private Redis)."""
        self.queues = queues
        self.concurrency = concurrency
        self.extra_env = extra_env or {}
        self.broker_url = broker_url
        self.process: subprocess.Popen | None = None

    def start(self) -> "WorkerProcess":
        env = (
            serving_env()
            | {
                # One OpenMP thread: the suite, the worker and whatever else runs share two cores, and
                # scikit-learn's spinning OpenMP threads stalled a small fit for minutes when oversubscribed.
                "OMP_NUM_THREADS": os.environ.get("OMP_NUM_THREADS", "1"),
            }
            | ({"CELERY_BROKER_URL": self.broker_url} if self.broker_url else {})
            | self.extra_env
        )
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "portal",
                "worker",
                "--loglevel=WARNING",
                f"--queues={self.queues}",
                f"--concurrency={self.concurrency}",
                "--pool=prefork",
                f"--hostname=test-{os.getpid()}-{time.monotonic_ns()}@%h",
                "--without-gossip",
                "--without-mingle",
            ],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
        try:
            wait_for_ping(self.process, broker_url=self.broker_url)
        except BaseException:
            self.stop()  # a worker that never answered must not live on after the test
            raise
        return self

    @property
    def running(self) -> bool:
        return self.process is not None and self.process.poll() is None

    def stop(self) -> None:
        stop_group(self.process)

    def kill(self) -> None:
        """SIGKILL the whole worker (main process and pool children), as a crashed machine would."""
        if self.process and self.process.poll() is None:
            os.killpg(self.process.pid, signal.SIGKILL)
            self.process.wait()


@pytest.fixture(scope="session")
def session_worker(django_db_setup, django_db_blocker):
    """The session's worker (not yet started); purges stale messages first so earlier runs cannot
    leak in. Tests ask for it through ``celery_worker_process`` or ``session_worker_aside``."""
    with django_db_blocker.unblock():
        app.control.purge()
    worker = WorkerProcess()
    yield worker
    worker.stop()


@pytest.fixture
def celery_worker_process(session_worker):
    """One worker for the session, running: started by the first test that asks for it, and again by
    the first that asks after a test set it aside."""
    if not session_worker.running:
        session_worker.start()
    return session_worker


@pytest.fixture
def session_worker_aside(session_worker):
    """Only the test's own workers take tasks: the session's worker is stopped, and stays stopped
    until a test asks for it again (consecutive tests that set it aside pay for no restart)."""
    session_worker.stop()


@pytest.fixture
def worker_factory(django_db_setup):
    """Start extra workers inside a test (e.g. to kill one); all are stopped afterwards."""
    yield from started_in_test(WorkerProcess)
