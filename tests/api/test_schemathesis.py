"""Schemathesis against the real stack, as a plain member and as platform staff, on gunicorn with
production settings and the demo organisation. No server error, no response outside the documented
schema, status codes or content types; no accepted failures (no baseline).

Bounded and repeatable in every `make test`: every phase (examples, coverage, fuzzing, stateful), a
fixed seed per login, deterministic generation, a small fixed number of examples per operation for
the fuzzing phase and of call sequences for the stateful one (30 of up to 10 calls each, following the
links Schemathesis infers from the schema: as staff they covered 14 of 452, as a member 4), and the
coverage phase bounded by tests/api/schemathesis_hooks.py to the first few cases of each of its
scenarios per operation (it would otherwise generate every case the schema defines: 10+ minutes per
login). A few minutes per login on the 2-core machine. SCHEMATHESIS_FULL=1 runs with
SCHEMATHESIS_MAX_EXAMPLES (10) examples, 100 stateful sequences and the whole coverage phase.
The two operations that revoke the caller's own credentials are left out: after them every later case
would be a 401 and test nothing (their own tests are in tests/accounts)."""

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
]

FULL = bool(os.environ.get("SCHEMATHESIS_FULL"))
PHASES = "examples,coverage,fuzzing,stateful"
MAX_EXAMPLES = os.environ.get("SCHEMATHESIS_MAX_EXAMPLES", "10" if FULL else "2")
STATEFUL_MAX_EXAMPLES = os.environ.get("SCHEMATHESIS_STATEFUL_MAX_EXAMPLES", "100" if FULL else "30")
STATEFUL_MAX_STEPS = 10
# The coverage phase's cases kept per operation, scenario and parameter location (schemathesis_hooks.py).
COVERAGE_PER_SCENARIO = "1000000" if FULL else os.environ.get("SCHEMATHESIS_COVERAGE_PER_SCENARIO", "3")
ROOT = Path(__file__).resolve().parents[2]

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


def config_file(folder: Path) -> Path:
    """Examples per operation for the fuzzing phase, and more for the stateful one: each of its examples
    is one sequence of calls that follows links from a created row, and most sequences a member starts
    end at a refused or invalid first call."""
    path = folder / "schemathesis.toml"
    path.write_text(
        f"generation.max-examples = {MAX_EXAMPLES}\n"
        "[phases.stateful]\n"
        f"max-steps = {STATEFUL_MAX_STEPS}\n"
        "[phases.stateful.generation]\n"
        f"max-examples = {STATEFUL_MAX_EXAMPLES}\n"
    )
    return path


def run_schemathesis(port: int, token: str, seed: int, report: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [
            str(Path(sys.executable).with_name("schemathesis")),
            "--config-file",
            str(config_file(report.parent)),
            "run",
            str(report.parent / "schema.json"),
            "--url",
            f"http://127.0.0.1:{port}",
            "--header",
            f"Authorization: Token {token}",
            "--checks",
            CHECKS,
            "--phases",
            PHASES,
            "--seed",
            str(seed),
            "--generation-deterministic",  # implies no example database: every run is the same
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
        env=os.environ
        | {
            "SCHEMATHESIS_HOOKS": "tests.api.schemathesis_hooks",
            "SCHEMATHESIS_COVERAGE_PER_SCENARIO": COVERAGE_PER_SCENARIO,
            "PYTHONPATH": os.pathsep.join(filter(None, [str(ROOT), os.environ.get("PYTHONPATH")])),
        },
        capture_output=True,
        text=True,
        timeout=1100,
    )


# A plain member and platform staff, each with a seed of its own.
LOGINS = (("engineer", 1), ("platform", 2))


def problems_of(result: subprocess.CompletedProcess) -> str:
    """What a run found, or "" for a clean one."""
    if "Exception in thread" in result.stdout + result.stderr:  # Schemathesis itself broke off a phase
        output = result.stdout + result.stderr
        return output[output.find("Exception in thread") :][:8000]
    if result.returncode != 0:
        start = result.stdout.find("= FAILURES =")
        if start >= 0:
            return result.stdout[start - 40 :][:20000]
        return result.stdout[-8000:] + result.stderr[-3000:]
    # The token stayed valid to the end: no operation answered only 401 (403s are the member's refusals).
    if "401 Unauthorized (" in result.stdout:
        return result.stdout[result.stdout.find("= WARNINGS =") :][:5000]
    return ""


def test_the_api_keeps_to_its_schema_for_a_member_and_for_staff(gunicorn_factory, demo, tmp_path):
    """Both logins against one server and one demo organisation (loading it is half the time), one
    after the other in a fixed order, so the second run meets the same rows on every run."""
    server = gunicorn_factory(workers=2, extra_env=PRODUCTION | {"PORTAL_PLATFORM_STORAGE": str(demo)})
    problems = {}
    for login, seed in LOGINS:
        folder = tmp_path / f"as-{login}"
        folder.mkdir()
        token = api_token(get_user_model().objects.get(username=login))
        fetch_schema(server, token, folder / "schema.json")
        result = run_schemathesis(server.port, token, seed, folder / "report")
        (folder / "output.txt").write_text(result.stdout + result.stderr)
        problems[login] = problems_of(result)
    assert not any(problems.values()), "\n\n".join(
        f"As {login}:\n{found}" for login, found in problems.items() if found
    )
