"""Outcomes at scale: 1,000,000 KPI observations on PostgreSQL, then time the stream dashboard page
and the impact endpoint (target: under 300 ms each).

    createdb -h 127.0.0.1 -U postgres portal_bench_outcomes
    DATABASE_URL=postgres://postgres@127.0.0.1:5432/portal_bench_outcomes \\
        .venv/bin/python benchmarks/outcomes_impact.py [--rows 1000000] [--repeat 15]

Data (``benchmarks/seeding.py``): 4 value streams x (3 KPIs with an "all" series + 3 models with
treatment and control series), hourly, as many hours as it takes to reach --rows (about 3 years for
1M). Inserted with one INSERT ... SELECT generate_series per series, so loading takes seconds, not
minutes. A run with more --rows than the database holds flushes it and seeds again."""

import argparse
import os
import random
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
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402

from apps.accounts import services as accounts  # noqa: E402
from benchmarks import seeding  # noqa: E402

STREAMS = ["bench-checkout", "bench-fraud", "bench-supply", "bench-growth"]


def build(rows: int) -> None:
    """Reuse the rows of an earlier run when there are enough, else start again from an empty
    database: one stream-aligned team and 3 models per stream."""
    from apps.outcomes.models import DailyAggregate, Observation
    from apps.outcomes.rollup import rollup_rebuild_all

    if Observation.objects.count() >= rows:
        print(f"reusing {Observation.objects.count():,} observations")
        if not DailyAggregate.objects.exists():
            rollup_rebuild_all()
        return
    call_command("flush", interactive=False, verbosity=0)
    started = time.monotonic()
    with transaction.atomic():
        streams = seeding.seed_streams(STREAMS)
        teams = seeding.seed_teams(streams=streams, count=len(streams))
        models = seeding.seed_models(
            rng=random.Random(1),
            owners=teams,
            count=len(streams) * seeding.MODELS_OBSERVED_PER_STREAM,
            versions=1,
        )
        daily = seeding.seed_observations(
            {s: [m for m in models if m.value_stream_id == s.pk] for s in streams}, rows
        )
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
