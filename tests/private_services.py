"""Throwaway PostgreSQL and Redis servers of a test's own, for fault tests that stop or restart them.

The machine's shared servers (127.0.0.1:5432 and :6379) serve every other test and session and are
never stopped. A private PostgreSQL cluster is made with ``initdb`` from the installed binaries (as the
``postgres`` user when the tests run as root: initdb refuses root), on a free port in a temporary
folder, and gets a copy of the test database; a private Redis is a ``redis-server`` on a free port."""

import contextlib
import glob
import os
import shutil
import subprocess
import tempfile
import time
from contextlib import contextmanager
from pathlib import Path

import pytest
from django.db import connection

from tests.servers import free_port


def postgres_bin(name: str) -> str:
    """A PostgreSQL server binary (initdb, pg_ctl...): on PATH, else the newest under /usr/lib/postgresql."""
    found = shutil.which(name) or next(
        iter(sorted(glob.glob(f"/usr/lib/postgresql/*/bin/{name}"))[-1:]), None
    )
    if not found:
        pytest.fail(f"{name} not found: install PostgreSQL's server package")
    return found


def _as_owner(command: list[str]) -> list[str]:
    """initdb and postgres refuse to run as root: as root, run them as the ``postgres`` user."""
    return ["runuser", "-u", "postgres", "--", *command] if os.geteuid() == 0 else command


class PrivatePostgres:
    def __init__(self):
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="portal-test-pg-"))
        self.data = self.folder / "data"
        if os.geteuid() == 0:
            shutil.chown(self.folder, "postgres", "postgres")

    def _run(self, *command: str) -> None:
        subprocess.run(_as_owner(list(command)), check=True, capture_output=True, timeout=120)

    def init(self) -> "PrivatePostgres":
        self._run(
            postgres_bin("initdb"),
            "-D",
            str(self.data),
            "-U",
            "postgres",
            "--auth=trust",
            "-E",
            "UTF8",
            "--no-sync",
        )
        self.start()
        return self

    def start(self) -> None:
        options = f"-p {self.port} -k {self.folder} -c listen_addresses=127.0.0.1 -c fsync=off"
        self._run(
            postgres_bin("pg_ctl"),
            "-D",
            str(self.data),
            "-l",
            str(self.folder / "log"),
            "-o",
            options,
            "-w",
            "start",
        )

    def stop(self) -> None:
        """A fast shutdown, as an operator's restart does: sessions are ended, transactions rolled back."""
        self._run(postgres_bin("pg_ctl"), "-D", str(self.data), "-m", "fast", "-w", "stop")

    def restart(self) -> None:
        """Stop and start; the test process's own connection, ended too, is reopened by its next query."""
        self.stop()
        self.start()
        connection.close()

    def copy_database(self, source: dict, name: str) -> None:
        """A copy of ``source`` (a Django settings_dict, the test database), schema and rows."""
        host = ["-h", "127.0.0.1", "-p", str(self.port), "-U", "postgres"]
        self._run(postgres_bin("createdb"), *host, name)
        dump = subprocess.run(
            [
                postgres_bin("pg_dump"),
                "-h",
                source["HOST"] or "127.0.0.1",
                "-p",
                str(source["PORT"] or 5432),
                "-U",
                source["USER"] or "postgres",
                "-Fc",
                source["NAME"],
            ],
            check=True,
            capture_output=True,
            timeout=120,
            env=os.environ | ({"PGPASSWORD": source["PASSWORD"]} if source.get("PASSWORD") else {}),
        ).stdout
        subprocess.run(
            [postgres_bin("pg_restore"), *host, "--no-owner", "-d", name],
            input=dump,
            check=True,
            capture_output=True,
            timeout=120,
        )

    def remove(self) -> None:
        with contextlib.suppress(subprocess.CalledProcessError):  # already stopped
            self.stop()
        shutil.rmtree(self.folder, ignore_errors=True)


@contextmanager
def database_moved_to(server: PrivatePostgres, name: str = "portal"):
    """The test process's connection (and every process started with ``serving_env()``) uses a copy
    of the test database on ``server`` until the block ends."""
    saved = dict(connection.settings_dict)
    server.copy_database(saved, name)
    connection.close()
    connection.settings_dict.update(
        HOST="127.0.0.1", PORT=str(server.port), NAME=name, USER="postgres", PASSWORD=""
    )
    try:
        yield
    finally:
        connection.close()
        connection.settings_dict.clear()
        connection.settings_dict.update(saved)


@pytest.fixture
def private_postgres(transactional_db):
    """A PostgreSQL cluster of the test's own holding a copy of the test database, which the test
    process and the processes it starts use: the test may stop and restart it."""
    if connection.vendor != "postgresql":
        pytest.skip("needs PostgreSQL (DATABASE_URL)")
    server = PrivatePostgres().init()
    try:
        with database_moved_to(server):
            yield server
    finally:
        server.remove()


class PrivateRedis:
    """A redis-server on a free port. It snapshots to its folder on shutdown, as Redis's default
    configuration does, so a stop and start is an outage, not a loss of the queued messages."""

    def __init__(self):
        self.port = free_port()
        self.folder = Path(tempfile.mkdtemp(prefix="portal-test-redis-"))
        self.process: subprocess.Popen | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> "PrivateRedis":
        self.process = subprocess.Popen(
            [
                shutil.which("redis-server") or "redis-server",
                "--bind",
                "127.0.0.1",
                "--port",
                str(self.port),
                "--dir",
                str(self.folder),
                "--save",
                "3600 1",
                "--appendonly",
                "no",
                "--logfile",
                str(self.folder / "log"),
            ],
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            if self.ping():
                return self
            time.sleep(0.1)
        raise RuntimeError("redis-server did not answer in time")

    def ping(self) -> bool:
        answer = subprocess.run(
            ["redis-cli", "-p", str(self.port), "ping"], capture_output=True, text=True, timeout=10
        )
        return answer.stdout.strip() == "PONG"

    def stop(self) -> None:
        """SHUTDOWN SAVE: clients lose their connections and new ones are refused until ``start``."""
        if self.process and self.process.poll() is None:
            subprocess.run(
                ["redis-cli", "-p", str(self.port), "shutdown", "save"], capture_output=True, timeout=30
            )
            self.process.wait(timeout=30)

    def remove(self) -> None:
        if self.process and self.process.poll() is None:
            self.process.kill()
            self.process.wait()
        shutil.rmtree(self.folder, ignore_errors=True)


@pytest.fixture
def private_redis():
    server = PrivateRedis().start()
    yield server
    server.remove()
