"""A real gunicorn server started with the shipped gunicorn.conf.py, on the test database and broker.
Tests that use it must be ``@pytest.mark.django_db(transaction=True)`` so their rows are visible."""

import http.client
import os
import socket
import subprocess
import sys
import time
import uuid

import pytest

from tests.worker import ROOT, serving_env, started_in_test, stop_group


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


class GunicornServer:
    def __init__(self, *, workers: int = 1, threads: int = 2, extra_env: dict | None = None):
        self.workers, self.threads = workers, threads
        self.extra_env = extra_env or {}
        self.port = free_port()
        self.process: subprocess.Popen | None = None

    def start(self) -> "GunicornServer":
        env = (
            serving_env()
            | {
                "GUNICORN_BIND": f"127.0.0.1:{self.port}",
                "GUNICORN_WORKERS": str(self.workers),
                "GUNICORN_THREADS": str(self.threads),
                "GUNICORN_ACCESS_LOG": os.devnull,
            }
            | self.extra_env
        )
        self.process = subprocess.Popen(
            # No control socket: by default every gunicorn binds $HOME/.gunicorn/gunicorn.ctl, and the
            # servers of parallel tests would take it from each other (the tests never use it).
            [sys.executable, "-m", "gunicorn", "--config", "gunicorn.conf.py", "--no-control-socket"],
            cwd=ROOT,
            env=env,
            start_new_session=True,
        )
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise RuntimeError(f"gunicorn exited with {self.process.returncode}")
            try:
                self.connection().request("GET", "/login/")
                return self
            except OSError:
                time.sleep(0.2)
        raise RuntimeError("gunicorn did not answer in time")

    def connection(self, timeout: float = 120) -> http.client.HTTPConnection:
        return http.client.HTTPConnection("127.0.0.1", self.port, timeout=timeout)

    def stop(self) -> None:
        stop_group(self.process)


@pytest.fixture
def gunicorn_factory(django_db_setup):
    """``gunicorn_factory(**kwargs)`` starts a server; all are stopped after the test."""
    yield from started_in_test(GunicornServer)


def multipart(fields: dict[str, str], file_field: str, filename: str, chunks: list[bytes]):
    """A multipart/form-data body as an iterator of bytes (the file part streamed from ``chunks``),
    its content type and its length."""
    boundary = uuid.uuid4().hex
    head = "".join(
        f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n{value}\r\n'
        for name, value in fields.items()
    )
    head += (
        f'--{boundary}\r\nContent-Disposition: form-data; name="{file_field}"; filename="{filename}"\r\n'
        "Content-Type: text/csv\r\n\r\n"
    )
    tail = f"\r\n--{boundary}--\r\n".encode()
    parts = [head.encode(), *chunks, tail]
    return iter(parts), f"multipart/form-data; boundary={boundary}", sum(len(part) for part in parts)
