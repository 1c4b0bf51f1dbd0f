"""Schemathesis against the real stack: every phase (examples, coverage, fuzzing, stateful), as a plain
member and as platform staff, on gunicorn with production settings and the demo organisation. No
server error, no response outside the documented schema, status codes or content types.

Bounded and repeatable: a fixed seed and a fixed number of examples per operation. Failures recorded
in ``schemathesis-baseline.json`` are the accepted, known ones (input validation still to land:
NUL bytes and out-of-range dates reaching PostgreSQL); anything else fails the test. Remove an entry
once its cause is fixed (``schemathesis run ... --baseline FILE --baseline-prune``)."""

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
    pytest.mark.timeout(900),
    # Until NUL bytes in bodies and query strings are answered with JSON 400s, fuzzing finds them on
    # a different endpoint each run; SCHEMATHESIS=1 runs it (make CI require it once they are).
    pytest.mark.skipif(not os.environ.get("SCHEMATHESIS"), reason="set SCHEMATHESIS=1 to run"),
]

BASELINE = Path(__file__).with_name("schemathesis-baseline.json")
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


def run_schemathesis(port: int, token: str, seed: int, report: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            str(Path(sys.executable).with_name("schemathesis")),
            "run",
            f"http://127.0.0.1:{port}/api/schema/",
            "--header",
            f"Authorization: Token {token}",
            "--checks",
            CHECKS,
            "--phases",
            "examples,coverage,fuzzing,stateful",
            "--max-examples",
            os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "15"),
            "--seed",
            str(seed),
            "--workers",
            "1",
            "--request-timeout",
            "30",
            "--baseline",
            str(BASELINE),
            # SCHEMATHESIS_BASELINE_UPDATE=1 records this run's failures as accepted (review the diff)
            *(["--baseline-update"] if os.environ.get("SCHEMATHESIS_BASELINE_UPDATE") else []),
            "--report",
            "junit",
            "--report-dir",
            str(report),
        ],
        cwd=report.parent,  # schemathesis keeps a cache folder where it runs
        capture_output=True,
        text=True,
        timeout=600,
    )


@pytest.mark.parametrize(("login", "seed"), [("engineer", 1), ("platform", 2)])
def test_the_api_keeps_to_its_schema(gunicorn_factory, demo, login, seed, tmp_path):
    server = gunicorn_factory(workers=2, extra_env=PRODUCTION | {"PORTAL_PLATFORM_STORAGE": str(demo)})
    token = api_token(get_user_model().objects.get(username=login))
    result = run_schemathesis(server.port, token, seed, tmp_path / "report")
    failures = result.stdout[result.stdout.find("= FAILURES =") - 40 :]
    assert result.returncode == 0, failures[:20000] or result.stdout[-5000:] + result.stderr[-3000:]
