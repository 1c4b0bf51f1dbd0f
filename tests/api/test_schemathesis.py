"""Schemathesis against the real stack: every phase (examples, coverage, fuzzing, stateful), as a plain
member and as platform staff, on gunicorn with production settings and the demo organisation. No
server error, no response outside the documented schema, status codes or content types; no accepted
failures (no baseline).

Bounded and repeatable: a fixed seed and a fixed number of examples per operation (the coverage phase
generates what the schema defines). The two operations that revoke the caller's own credentials are
left out: after them every later case would be a 401 and test nothing (their own tests are in
tests/accounts)."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.test import override_settings

from apps.teams.models import Team
from tests.factories import api_token

pytestmark = [
    pytest.mark.slow,
    pytest.mark.django_db(transaction=True),
    pytest.mark.timeout(1200),
    # Opt-in until a full run of both logins is seen clean on CI: SCHEMATHESIS=1 runs it.
    pytest.mark.skipif(not os.environ.get("SCHEMATHESIS"), reason="set SCHEMATHESIS=1 to run"),
]

# Sign out everywhere and revoking a token by id end the run's own token.
SELF_REVOKING = ("auth_sign_out_everywhere_create", "tokens_destroy")
CHECKS = "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance"
PRODUCTION = {
    "DJANGO_DEBUG": "false",
    "DJANGO_SECRET_KEY": "schemathesis-only-" + "x" * 40,
    "DJANGO_ALLOWED_HOSTS": "127.0.0.1",
    "DJANGO_SECURE_SSL_REDIRECT": "false",
}


@pytest.fixture
def demo(tmp_path):
    storage = tmp_path / "platform"
    with override_settings(PLATFORM_STORAGE_ROOT=storage):
        call_command("load_demo", verbosity=0)
    assert Team.objects.exists()
    return storage


def fetch_schema(server, token: str, path: Path) -> Path:
    """The schema, read once with a generous timeout (it takes seconds to build on a busy machine, longer
    than Schemathesis waits for a schema)."""
    connection = server.connection(timeout=300)
    connection.request("GET", "/api/schema/?format=json", headers={"Authorization": f"Token {token}"})
    response = connection.getresponse()
    assert response.status == 200, response.status
    path.write_bytes(response.read())
    return path


def run_schemathesis(port: int, token: str, seed: int, report: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            str(Path(sys.executable).with_name("schemathesis")),
            "run",
            str(report.parent / "schema.json"),
            "--url",
            f"http://127.0.0.1:{port}",
            "--header",
            f"Authorization: Token {token}",
            "--checks",
            CHECKS,
            "--phases",
            "examples,coverage,fuzzing,stateful",
            "--max-examples",
            os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "10"),
            "--seed",
            str(seed),
            "--workers",
            "1",
            "--request-timeout",
            "30",
            *(argument for operation in SELF_REVOKING for argument in ("--exclude-operation-id", operation)),
            "--report",
            "junit",
            "--report-dir",
            str(report),
        ],
        cwd=report.parent,  # schemathesis keeps a cache folder where it runs
        capture_output=True,
        text=True,
        timeout=1100,
    )


@pytest.mark.parametrize(("login", "seed"), [("engineer", 1), ("platform", 2)])
def test_the_api_keeps_to_its_schema(gunicorn_factory, demo, login, seed, tmp_path):
    server = gunicorn_factory(workers=2, extra_env=PRODUCTION | {"PORTAL_PLATFORM_STORAGE": str(demo)})
    token = api_token(get_user_model().objects.get(username=login))
    fetch_schema(server, token, tmp_path / "schema.json")
    result = run_schemathesis(server.port, token, seed, tmp_path / "report")
    start = result.stdout.find("= FAILURES =")
    failures = (
        result.stdout[start - 40 :][:20000] if start >= 0 else result.stdout[-8000:] + result.stderr[-3000:]
    )
    assert result.returncode == 0, failures
    # The token stayed valid to the end: no operation answered only 401 (403s are the member's refusals).
    assert "401 Unauthorized (" not in result.stdout, result.stdout[result.stdout.find("= WARNINGS =") :][
        :5000
    ]
