"""Structured request logs: each request's last line carries its id, the user and its duration, as
JSON in production; an error report reaches a Sentry-compatible receiver when SENTRY_DSN is set."""

import gzip
import json
import logging
import os
import subprocess
import sys
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import brotli
import pytest

from apps.core import request_log
from tests.core.test_settings import ROOT


def finished_line(caplog) -> dict:
    lines = [r for r in caplog.records if isinstance(r.msg, dict)]
    record = next(r for r in lines if r.msg["event"] == "request_finished")
    return json.loads(request_log.json_formatter().format(record))


@pytest.mark.django_db
def test_request_finished_line_names_request_user_and_duration(client, team_lead, caplog):
    client.force_login(team_lead)
    with caplog.at_level(logging.INFO, logger="django_structlog"):
        client.get("/teams/")
    line = finished_line(caplog)
    assert line["code"] == 200
    assert line["request"] == "GET /teams/"
    assert line["user"] == team_lead.username
    assert line["user_id"] == team_lead.pk
    assert line["duration_ms"] > 0
    assert len(line["request_id"]) == 36
    assert line["level"] == "info" and line["timestamp"].endswith("Z")


@pytest.mark.django_db
def test_each_request_gets_its_own_id_and_api_users_are_named(api_as, team_lead, caplog):
    api = api_as(team_lead)
    ids = []
    for _ in range(2):
        caplog.clear()
        with caplog.at_level(logging.INFO, logger="django_structlog"):
            assert api.get("/api/v1/teams/").status_code == 200
        line = finished_line(caplog)
        assert line["user"] == team_lead.username
        ids.append(line["request_id"])
    assert ids[0] != ids[1]


@pytest.mark.parametrize(
    ("variables", "formatter"),
    [
        ({"DJANGO_DEBUG": "true"}, "console"),
        ({"DJANGO_DEBUG": "false", "DJANGO_SECRET_KEY": "x" * 50}, "json"),
        ({"DJANGO_DEBUG": "true", "PORTAL_LOG_FORMAT": "json"}, "json"),
    ],
)
def test_json_lines_in_production_and_plain_lines_in_the_quick_start(tmp_path, variables, formatter):
    script = "import portal.settings as s; print(s.LOGGING['handlers']['console']['formatter'])"
    out = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=clean_env(tmp_path) | variables,
        capture_output=True,
        text=True,
        check=True,
    )
    assert out.stdout.strip() == formatter


def clean_env(tmp_path) -> dict:
    return {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PORTAL_", "SENTRY_"))} | {
        "PORTAL_VAR_DIR": str(tmp_path)
    }


class SentryReceiver(BaseHTTPRequestHandler):
    envelopes: list[bytes] = []

    def do_POST(self):
        body = self.rfile.read(int(self.headers["Content-Length"]))
        encoding = self.headers.get("Content-Encoding")
        if encoding == "br":
            body = brotli.decompress(body)
        elif encoding == "gzip":
            body = gzip.decompress(body)
        self.envelopes.append(body)
        self.send_response(200)
        self.end_headers()

    def log_message(self, *args):
        pass


def test_an_error_is_reported_to_the_sentry_dsn(tmp_path):
    server = ThreadingHTTPServer(("127.0.0.1", 0), SentryReceiver)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    dsn = f"http://publickey@127.0.0.1:{server.server_port}/42"
    script = (
        "import django, os\n"
        "os.environ.setdefault('DJANGO_SETTINGS_MODULE', 'portal.settings')\n"
        "django.setup()\n"
        "import sentry_sdk\n"
        "try:\n    1 / 0\nexcept ZeroDivisionError as error:\n    sentry_sdk.capture_exception(error)\n"
        "sentry_sdk.flush(timeout=10)\n"
    )
    try:
        subprocess.run(
            [sys.executable, "-c", script],
            cwd=ROOT,
            env=clean_env(tmp_path) | {"SENTRY_DSN": dsn, "SENTRY_ENVIRONMENT": "ci"},
            check=True,
            timeout=180,
        )
    finally:
        server.shutdown()
    body = b"\n".join(SentryReceiver.envelopes)
    assert b"ZeroDivisionError" in body
    assert b'"environment":"ci"' in body.replace(b" ", b"")


@pytest.mark.parametrize(("debug", "installed"), [("true", True), ("false", False)])
def test_debug_toolbar_only_in_development(tmp_path, debug, installed):
    script = "import portal.settings as s; print('debug_toolbar' in s.INSTALLED_APPS)"
    variables = {"DJANGO_DEBUG": debug, "DJANGO_SECRET_KEY": "x" * 50, "PORTAL_DEBUG_TOOLBAR": "true"}
    out = subprocess.run(
        [sys.executable, "-c", script],
        cwd=ROOT,
        env=clean_env(tmp_path) | variables,
        capture_output=True,
        text=True,
    )
    assert out.stdout.strip() == str(installed)
