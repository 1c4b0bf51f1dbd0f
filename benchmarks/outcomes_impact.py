"""Outcomes at scale: 1,000,000 KPI observations on PostgreSQL, then time the stream dashboard page
and the impact endpoint (target: under 300 ms each).

    createdb -h 127.0.0.1 -U postgres portal_bench_outcomes
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench_outcomes \\
        .venv/bin/python benchmarks/outcomes_impact.py [--rows 1000000] [--repeat 15]

Data: 4 value streams x (3 KPIs with an "all" series + 3 models with treatment and control series),
hourly, as many hours as it takes to reach --rows (about 3 years for 1M). Inserted with one
INSERT ... SELECT generate_series per series, so loading takes seconds, not minutes."""

import argparse
import os
import statistics
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()

from django.conf import settings  # noqa: E402
from django.core.management import call_command  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402

from apps.accounts import services as accounts  # noqa: E402

STREAMS = ["bench-checkout", "bench-fraud", "bench-supply", "bench-growth"]
KPIS_PER_STREAM = 3
MODELS_PER_STREAM = 3
SERIES_PER_STREAM = KPIS_PER_STREAM + 2 * MODELS_PER_STREAM

INSERT_SERIES = """
INSERT INTO outcomes_observation (kpi_id, time, value, volume, segment, model_id, model_key, updated_at)
SELECT %(kpi)s, now() - make_interval(hours => h), %(base)s * (1 + %(lift)s + 0.05 * (random() - 0.5)),
       1000, %(segment)s, %(model)s, COALESCE(%(model)s, 0), now()
FROM generate_series(1, %(hours)s) AS h
"""


def build(rows: int) -> None:
    from apps.outcomes.models import DailyAggregate, Kpi, ModelCost, Observation
    from apps.outcomes.rollup import rollup_rebuild_all
    from apps.registry.models import RegisteredModel
    from apps.teams.models import Team, TeamType, ValueStream

    if Observation.objects.count() >= rows:
        print(f"reusing {Observation.objects.count():,} observations")
        if not DailyAggregate.objects.exists():
            rollup_rebuild_all()
        return
    Observation.objects.all().delete()
    hours = -(-rows // (len(STREAMS) * SERIES_PER_STREAM))
    started = time.monotonic()
    with connection.cursor() as cursor:
        for slug in STREAMS:
            stream, _ = ValueStream.objects.get_or_create(slug=slug, defaults={"name": slug})
            team, _ = Team.objects.get_or_create(
                slug=f"{slug}-team",
                defaults={
                    "name": f"{slug} team",
                    "team_type": TeamType.STREAM_ALIGNED,
                    "value_stream": stream,
                },
            )
            kpis = [
                Kpi.objects.get_or_create(
                    stream=stream, name=f"KPI {i}", defaults={"unit": "rate", "value_per_unit": 20}
                )[0]
                for i in range(KPIS_PER_STREAM)
            ]
            for kpi in kpis:
                cursor.execute(
                    INSERT_SERIES,
                    {"kpi": kpi.pk, "base": 0.05, "lift": 0, "segment": "all", "model": None, "hours": hours},
                )
            for i in range(MODELS_PER_STREAM):
                model, _ = RegisteredModel.objects.get_or_create(
                    slug=f"{slug}-model-{i}",
                    defaults={"name": f"{slug} model {i}", "owning_team": team, "value_stream": stream},
                )
                ModelCost.objects.get_or_create(model=model, defaults={"monthly_running_cost": 1000})
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
    # The ingestion service maintains the daily aggregates; this raw SQL load rebuilds them once.
    daily = rollup_rebuild_all()
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE outcomes_observation")
        cursor.execute("ANALYZE outcomes_dailyaggregate")
    print(
        f"inserted {Observation.objects.count():,} observations ({daily:,} daily aggregates) "
        f"in {time.monotonic() - started:.1f} s"
    )


def timed(client: Client, url: str, repeat: int, **headers) -> tuple[float, float]:
    client.get(url, **headers)  # warm caches and connections
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        response = client.get(url, **headers)
        samples.append((time.perf_counter() - started) * 1000)
        assert response.status_code == 200, (url, response.status_code)
    return statistics.median(samples), sorted(samples)[int(0.95 * (len(samples) - 1))]


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--repeat", type=int, default=15)
    args = parser.parse_args()
    assert connection.vendor == "postgresql", "run against PostgreSQL (set DATABASE_URL)"
    settings.DEBUG = False
    settings.ALLOWED_HOSTS = [*settings.ALLOWED_HOSTS, "testserver"]
    call_command("migrate", verbosity=0)
    build(args.rows)

    from django.contrib.auth import get_user_model

    user, _ = get_user_model().objects.get_or_create(username="bench-reader")
    token = accounts.token_create(actor=user, name="benchmark")[1]
    browser = Client()
    browser.force_login(user)
    api = Client()
    auth = {"HTTP_AUTHORIZATION": f"Token {token}"}
    slug = STREAMS[0]
    print(f"{'what':58} {'median ms':>10} {'p95 ms':>8}")
    for label, client, url, headers in [
        ("stream dashboard, last 12 months", browser, f"/outcomes/streams/{slug}/", {}),
        ("stream dashboard, all time", browser, f"/outcomes/streams/{slug}/?period=all", {}),
        ("impact endpoint, last 12 months", api, f"/api/v1/streams/{slug}/impact/", auth),
        ("impact endpoint, all time", api, f"/api/v1/streams/{slug}/impact/?period=all", auth),
        ("portfolio (4 streams), last 12 months", browser, "/outcomes/", {}),
    ]:
        median, p95 = timed(client, url, args.repeat, **headers)
        print(f"{label:58} {median:10.0f} {p95:8.0f}")


if __name__ == "__main__":
    main()
