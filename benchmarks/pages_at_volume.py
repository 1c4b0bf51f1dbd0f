"""Every main page at volume: 5,000 model requests, 500 registered models (1,500 versions) and
1,000,000 KPI observations in one database, then the median and p95 of each page through Django's
test client (middleware, queries, template) and the number of queries it sends.

    createdb -h 127.0.0.1 -U postgres portal_perf
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_perf \\
        .venv/bin/python benchmarks/pages_at_volume.py [--repeat 15] [--only outcomes]

Seeding uses bulk inserts (``bulk_create`` and ``INSERT ... SELECT generate_series``) and is kept:
a second run reuses the rows (``--reseed`` starts again). Target (issue 14): the stream dashboard at
most 100 ms for 12 months and 200 ms for all time, every other page at most 150 ms."""

import argparse
import os
import random
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))

import django_env  # noqa: E402, F401 (production-like settings, django.setup())
from django.conf import settings  # noqa: E402
from django.contrib.auth import get_user_model  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from benchmarks import seeding  # noqa: E402

REQUESTS, MODELS, VERSIONS_PER_MODEL, TEAMS = 5000, 500, 3, 50
STREAMS = ["bench-checkout", "bench-fraud", "bench-supply", "bench-growth"]


def seed(observations: int) -> None:
    from apps.registry.models import RegisteredModel
    from apps.teams.models import MemberRole, Membership

    rng = random.Random(14)
    started = time.monotonic()
    with transaction.atomic():
        user = get_user_model().objects.create(username="bench-staff", is_staff=True, is_superuser=True)
        streams = seeding.seed_streams(STREAMS)
        teams = seeding.seed_teams(streams=streams, count=TEAMS, platform_every=10)
        people = get_user_model().objects.bulk_create(
            [get_user_model()(username=f"bench-person-{i}") for i in range(TEAMS * 5)]
        )
        Membership.objects.bulk_create(
            [
                Membership(team=teams[i // 5], user=person, role=MemberRole.DATA_SCIENTIST)
                for i, person in enumerate(people)
            ]
        )
        seeding.seed_requests(
            rng=rng,
            count=REQUESTS,
            requesters=teams,
            deliverers=[t for t in teams if t.team_type == "platform"],
            streams=streams,
            created_by=user,
        )
        models = seeding.seed_models(
            rng=rng,
            owners=[t for t in teams if t.team_type == "stream_aligned"],
            count=MODELS,
            versions=VERSIONS_PER_MODEL,
            created_by=user,
        )
        seeding.seed_observations(
            {s: [m for m in models if m.value_stream_id == s.pk] for s in streams}, observations
        )
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE")
    print(
        f"seeded {REQUESTS:,} requests, {RegisteredModel.objects.count():,} models, {observations:,} "
        f"observations in {time.monotonic() - started:.1f} s"
    )


def measure(client: Client, url: str, repeat: int, headers: dict) -> tuple[float, float, float, float, int]:
    """Median and p95 wall ms, median CPU ms of this process (Django's part), the mean CPU ms of the
    PostgreSQL backend that served the calls (when PostgreSQL runs on this machine), and the
    statement count."""
    response = client.get(url, **headers)  # warm: caches, connection, template loading
    assert response.status_code == 200, (url, response.status_code)
    samples, cpu, database, queries = [], [], [], 0
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        backend = cursor.fetchone()[0]
    backend_started = backend_cpu(backend)
    for _ in range(repeat):
        with CaptureQueriesContext(connection) as captured:
            started, cpu_started = time.perf_counter(), time.process_time()
            response = client.get(url, **headers)
            if response.streaming:
                b"".join(response.streaming_content)
            samples.append((time.perf_counter() - started) * 1000)
            cpu.append((time.process_time() - cpu_started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
        queries = len(captured.captured_queries)
        database.append(sum(float(q["time"]) for q in captured.captured_queries) * 1000)
    p95 = sorted(samples)[int(0.95 * (len(samples) - 1))]
    postgres = (backend_cpu(backend) - backend_started) / repeat * 1000
    return statistics.median(samples), p95, statistics.median(cpu), postgres, queries


def backend_cpu(pid: int) -> float:
    """CPU seconds of the PostgreSQL backend serving this connection (PostgreSQL on this machine)."""
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return float("nan")
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def pages(token: str) -> list[tuple[str, str, dict, float]]:
    from apps.modelrequests.models import ModelRequest
    from apps.registry.models import RegisteredModel
    from apps.teams.models import Team

    stream = STREAMS[0]
    model = RegisteredModel.objects.filter(slug__startswith="bench-model-").order_by("pk").first().slug
    platform = Team.objects.filter(slug__startswith="bench-team-", team_type="platform").first().slug
    team = Team.objects.filter(slug__startswith="bench-team-", team_type="stream_aligned").first().slug
    request = ModelRequest.objects.filter(title__startswith="Bench").order_by("pk").first().pk
    api = {"HTTP_AUTHORIZATION": f"Token {token}"}
    return [
        ("outcomes", f"/outcomes/streams/{stream}/", {}, 100),
        ("outcomes", f"/outcomes/streams/{stream}/?period=all", {}, 200),
        ("outcomes", "/outcomes/", {}, 150),
        ("outcomes", f"/outcomes/models/{model}/", {}, 150),
        ("outcomes", "/outcomes/kpis/", {}, 150),
        ("outcomes", "/outcomes/observations/", {}, 150),
        ("outcomes", f"/api/v1/streams/{stream}/impact/", api, 150),
        ("home", "/", {}, 150),
        ("registry", "/models/", {}, 150),
        ("registry", f"/models/{model}/", {}, 150),
        ("registry", "/models/feedback/", {}, 150),
        ("registry", "/api/v1/models/", api, 150),
        ("requests", "/requests/", {}, 150),
        ("requests", f"/requests/{request}/", {}, 150),
        ("requests", f"/requests/backlog/?delivering_team={platform}", {}, 150),
        ("requests", f"/requests/board/?delivering_team={platform}", {}, 150),
        ("requests", "/requests/board/", {}, 150),
        ("requests", f"/requests/flow/?delivering_team={platform}", {}, 150),
        ("requests", "/api/v1/model-requests/", api, 150),
        ("teams", "/teams/", {}, 150),
        ("teams", f"/teams/{team}/", {}, 150),
        ("teams", f"/teams/streams/{stream}/", {}, 150),
        ("training", "/training/", {}, 150),
        ("training", "/training/jobs/", {}, 150),
        ("practices", "/practices/", {}, 150),
        ("search", "/search/?q=bench+model+42", {}, 150),
    ]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--observations", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=15)
    parser.add_argument("--only", help="only the pages of this area (outcomes, registry, requests, ...)")
    parser.add_argument("--reseed", action="store_true", help="drop the seeded rows and seed again")
    args = parser.parse_args()
    assert connection.vendor == "postgresql", "run against PostgreSQL (set DATABASE_URL)"
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    call_command("migrate", verbosity=0)
    if not (Path(settings.STATIC_ROOT) / "staticfiles.json").exists():  # production settings: hashed names
        call_command("collectstatic", interactive=False, verbosity=0)
    if args.reseed or not get_user_model().objects.filter(username="bench-staff").exists():
        if get_user_model().objects.filter(username="bench-staff").exists():
            call_command("flush", interactive=False, verbosity=0)
        seed(args.observations)

    from apps.accounts import services as accounts

    user = get_user_model().objects.get(username="bench-staff")
    token = accounts.token_create(actor=user, name=f"benchmark {time.time()}")[1]
    browser = Client()
    browser.force_login(user)
    with open("/proc/loadavg") as load:
        print(f"load average before: {load.read().strip()}")
    print(
        f"{'page':<50} {'median ms':>9} {'p95 ms':>7} {'CPU ms':>7} {'PG CPU':>6} {'stmts':>5} {'target':>6}"
    )
    for area, url, headers, target in pages(token):
        if args.only and area != args.only:
            continue
        median, p95, cpu, database, queries = measure(browser, url, args.repeat, headers)
        verdict = "met" if median <= target else "MISSED"
        print(
            f"{url:<50} {median:9.0f} {p95:7.0f} {cpu:7.0f} {database:6.1f} {queries:5d} {target:6.0f}",
            verdict,
        )
    with open("/proc/loadavg") as load:
        print(f"load average after: {load.read().strip()}")


if __name__ == "__main__":
    main()
