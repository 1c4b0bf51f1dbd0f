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
import datetime
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
from django.utils import timezone  # noqa: E402

REQUESTS, MODELS, VERSIONS_PER_MODEL, TEAMS = 5000, 500, 3, 50
STREAMS = ["bench-checkout", "bench-fraud", "bench-supply", "bench-growth"]


def seed_requests(rng, teams, streams, user) -> None:
    from apps.modelrequests.models import ModelRequest, RequestStatus, RequestTransition

    S = RequestStatus
    order = [S.SUBMITTED, S.TRIAGED, S.ACCEPTED, S.IN_PROGRESS, S.DELIVERED, S.IN_PRODUCTION]
    platform = [t for t in teams if t.team_type == "platform"]
    now = timezone.now()
    rows = []
    for i in range(REQUESTS):
        requester = rng.choice(teams)
        rows.append(
            ModelRequest(
                title=f"Bench request {i}",
                problem_statement="-",
                requesting_team=requester,
                delivering_team=rng.choice(platform),
                value_stream=requester.value_stream or rng.choice(streams),
                kpi="Conversion",
                expected_change=1.0,
                affected_volume=1000,
                simplest_alternative="A rule.",
                status=rng.choice(order),
                submitted_at=now - datetime.timedelta(days=rng.uniform(1, 365)),
                reach=rng.randint(10, 10000),
                impact=2,
                confidence=0.8,
                effort=rng.choice([1, 2, 4, None]),
                business_value=5,
                time_criticality=3,
                risk_reduction=2,
                job_size=rng.choice([1, 3, 8]),
                created_by=user,
            )
        )
    requests = ModelRequest.objects.bulk_create(rows, batch_size=1000)
    transitions = []
    for request in requests:
        at, previous = request.submitted_at, ""
        for status in order[: order.index(request.status) + 1]:
            transitions.append(
                RequestTransition(request=request, from_status=previous, to_status=status, at=at)
            )
            previous, at = status, min(at + datetime.timedelta(days=rng.uniform(1, 10)), now)
    RequestTransition.objects.bulk_create(transitions, batch_size=2000)


def seed_models(rng, teams, streams, user) -> list:
    from apps.registry.models import ModelVersion, RegisteredModel, Stage

    owners = [t for t in teams if t.team_type == "stream_aligned"]
    models = RegisteredModel.objects.bulk_create(
        [
            RegisteredModel(
                name=f"Bench model {i}",
                slug=f"bench-model-{i}",
                owning_team=(team := owners[i % len(owners)]),
                value_stream=team.value_stream,
                purpose="Benchmark model.",
                task="classification",
                primary_metric="roc_auc",
                lifecycle="production",
                card_model_details="Bench.",
                card_intended_use="Bench.",
            )
            for i in range(MODELS)
        ],
        batch_size=500,
    )
    schema = [{"name": f"f{j}", "type": "number"} for j in range(6)]
    ModelVersion.objects.bulk_create(
        [
            ModelVersion(
                model=model,
                number=number,
                stage=Stage.PRODUCTION if number == VERSIONS_PER_MODEL else Stage.ARCHIVED,
                task="classification",
                dataset_name="bench",
                dataset_version=number,
                features=[c["name"] for c in schema],
                input_schema=schema,
                estimator="logistic_regression",
                parameters={"C": 1.0},
                metrics={"roc_auc": 0.7 + rng.random() / 10, "accuracy": 0.8},
                baseline_metrics={"roc_auc": 0.5, "accuracy": 0.6},
                artefact_key=f"registry/{model.pk}/bench-{number}.skops",
                artefact_sha256="0" * 64,
                created_by=user,
            )
            for model in models
            for number in range(1, VERSIONS_PER_MODEL + 1)
        ],
        batch_size=1500,
    )
    return models


INSERT_SERIES = """
INSERT INTO outcomes_observation (kpi_id, time, value, volume, segment, model_id, model_key, updated_at)
SELECT %(kpi)s, date_trunc('hour', now()) - make_interval(hours => h),
       %(base)s * (1 + %(lift)s + 0.05 * (random() - 0.5)), 1000, %(segment)s, %(model)s,
       COALESCE(%(model)s, 0), now()
FROM generate_series(1, %(hours)s) AS h
"""


def seed_observations(models_by_stream: dict, rows: int) -> None:
    """4 streams x (3 KPIs' "all" series + 3 models' treatment and control), hourly (~3 years)."""
    from apps.outcomes.models import Kpi, ModelCost
    from apps.outcomes.rollup import rollup_rebuild_all

    series = len(models_by_stream) * 9
    hours = -(-rows // series)
    with connection.cursor() as cursor:
        for stream, models in models_by_stream.items():
            kpis = [
                Kpi.objects.create(stream=stream, name=f"KPI {i}", unit="rate", value_per_unit=20)
                for i in range(3)
            ]
            for kpi in kpis:
                cursor.execute(
                    INSERT_SERIES,
                    {"kpi": kpi.pk, "base": 0.05, "lift": 0, "segment": "all", "model": None, "hours": hours},
                )
            for i, model in enumerate(models[:3]):
                ModelCost.objects.create(model=model, monthly_running_cost=1000)
                for segment, lift in (("treatment", 0.01 * i), ("control", 0.0)):
                    cursor.execute(
                        INSERT_SERIES,
                        {
                            "kpi": kpis[i].pk,
                            "base": 0.05,
                            "lift": lift,
                            "segment": segment,
                            "model": model.pk,
                            "hours": hours,
                        },
                    )
    rollup_rebuild_all()  # ingestion keeps the daily aggregates; this raw load rebuilds them once


def seed(observations: int) -> None:
    from apps.registry.models import RegisteredModel
    from apps.teams.models import MemberRole, Membership, Team, TeamType, ValueStream

    rng = random.Random(14)
    started = time.monotonic()
    with transaction.atomic():
        user = get_user_model().objects.create(username="bench-staff", is_staff=True, is_superuser=True)
        streams = ValueStream.objects.bulk_create([ValueStream(name=s, slug=s) for s in STREAMS])
        teams = Team.objects.bulk_create(
            [
                Team(
                    name=f"Bench team {i}",
                    slug=f"bench-team-{i}",
                    team_type=TeamType.PLATFORM if i % 10 == 0 else TeamType.STREAM_ALIGNED,
                    value_stream=None if i % 10 == 0 else streams[i % len(streams)],
                )
                for i in range(TEAMS)
            ]
        )
        people = get_user_model().objects.bulk_create(
            [get_user_model()(username=f"bench-person-{i}") for i in range(TEAMS * 5)]
        )
        Membership.objects.bulk_create(
            [
                Membership(team=teams[i // 5], user=person, role=MemberRole.DATA_SCIENTIST)
                for i, person in enumerate(people)
            ]
        )
        seed_requests(rng, teams, streams, user)
        models = seed_models(rng, teams, streams, user)
        by_stream = {s: [m for m in models if m.value_stream_id == s.pk] for s in streams}
        seed_observations(by_stream, observations)
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
