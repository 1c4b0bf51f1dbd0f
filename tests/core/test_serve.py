"""`make run`'s `manage.py serve` on the quick-start setup (SQLite, filesystem broker): the web server,
worker and beat come up, and one SIGTERM (what Ctrl-C amounts to) stops all of them, pool included."""

import json
import os
import re
import signal
import socket
import subprocess
import sys
import time
import urllib.error
import urllib.request
from pathlib import Path

import pytest

pytestmark = pytest.mark.slow

ROOT = Path(__file__).resolve().parents[2]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def health(port: int) -> dict | None:
    try:
        with urllib.request.urlopen(f"http://127.0.0.1:{port}/healthz", timeout=5) as response:
            return json.loads(response.read())
    except (OSError, ValueError):
        return None


def descendants(pid: int) -> list[int]:
    found = []
    for child in Path(f"/proc/{pid}/task/{pid}/children").read_text().split():
        found += [int(child), *descendants(int(child))]
    return found


def group_alive(pgid: int) -> bool:
    try:
        os.killpg(pgid, 0)
    except ProcessLookupError:
        return False
    return True


def fetch(port: int, path: str, **headers) -> tuple[int, dict, bytes]:
    request = urllib.request.Request(f"http://127.0.0.1:{port}{path}", headers=headers)
    try:
        with urllib.request.urlopen(request, timeout=10) as response:
            return response.status, dict(response.headers), response.read()
    except urllib.error.HTTPError as error:
        return error.code, dict(error.headers), error.read()


def assert_runs_without_debug(port: int) -> None:
    """The portal's 404 page, not Django's debug page; hashed static files, compressed, cached a year."""
    status, _, body = fetch(port, "/no-such-page/")
    assert status == 404
    assert b"There is nothing at this address" in body
    assert b"Django tried these URL patterns" not in body and b"DEBUG = True" not in body
    status, _, body = fetch(port, "/login/")
    assert status == 200
    stylesheet = re.search(rb'href="(/static/css/portal\.[0-9a-f]{12}\.css)"', body)
    assert stylesheet, body[:600]
    status, headers, _ = fetch(port, stylesheet.group(1).decode(), **{"Accept-Encoding": "br, gzip"})
    assert status == 200
    assert headers["Content-Encoding"] == "br"
    assert "max-age=315360000" in headers["Cache-Control"] and "immutable" in headers["Cache-Control"]
    plotly = fetch(port, "/static/vendor/plotly/plotly-cartesian.min.js", **{"Accept-Encoding": "gzip"})
    assert plotly[0] == 404  # only the hashed name is kept


def test_serve_starts_everything_and_one_sigterm_stops_it_all(tmp_path):
    env = {
        key: value for key, value in os.environ.items() if key not in ("DATABASE_URL", "CELERY_BROKER_URL")
    } | {"PORTAL_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "portal.settings"}
    manage = [sys.executable, "manage.py"]
    port = free_port()
    serve = subprocess.Popen(
        [*manage, "serve", "--migrate", "--port", str(port)],
        cwd=ROOT,
        env=env,
        start_new_session=True,
        stdout=subprocess.DEVNULL,
        stderr=(tmp_path / "serve.err").open("w"),
    )
    try:
        deadline = time.monotonic() + 120
        while (health(port) or {}).get("worker") != "ok" and time.monotonic() < deadline:
            time.sleep(1)
        report = health(port)
        assert {k: report[k] for k in ("database", "broker", "worker")} == {
            "database": "ok",
            "broker": "ok",
            "worker": "ok",
        }
        assert_runs_without_debug(port)
        children = descendants(serve.pid)
        assert len(children) >= 5, children  # web, worker and its 2 pool processes, beat

        serve.send_signal(signal.SIGTERM)
        serve.wait(timeout=120)
        terminal = (tmp_path / "serve.err").read_text()
        assert "killed it" not in terminal  # each stopped on its SIGTERM
        assert '"event":' not in terminal  # readable lines in a terminal, not JSON for a collector
        assert health(port) is None
        assert not [pid for pid in children if Path(f"/proc/{pid}").exists()]
    finally:
        if group_alive(serve.pid):
            os.killpg(serve.pid, signal.SIGKILL)
