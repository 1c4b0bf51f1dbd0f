"""Boards with 5,000 model requests: response time and query count of the backlog, kanban, flow and
list pages and the API list. Runs inside a transaction that is rolled back (leaves no data).

    DATABASE_URL=postgres://... .venv/bin/python benchmarks/modelrequests_boards.py [REQUESTS]
"""

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

from django.contrib.auth import get_user_model  # noqa: E402
from django.db import connection  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402

from apps.modelrequests import selectors, services  # noqa: E402
from apps.modelrequests.models import ModelRequest  # noqa: E402
from apps.teams.models import Team  # noqa: E402
from benchmarks import seeding  # noqa: E402

N = 5000
RUNS = 5


def seed(count: int = N) -> tuple[Team, int]:
    """One stream-aligned team asking one platform team for ``count`` requests over 180 days."""
    streams = seeding.seed_streams(["bench-stream"])
    deliverer, requester = seeding.seed_teams(streams=streams, count=2, platform_every=2)
    transitions = seeding.seed_requests(
        rng=random.Random(1),
        count=count,
        requesters=[requester],
        deliverers=[deliverer],
        streams=streams,
        days=180,
    )
    return deliverer, transitions


def measure(client, url, *, runs: int = RUNS):
    timings, queries = [], 0
    for _ in range(runs):
        with CaptureQueriesContext(connection) as context:
            start = time.perf_counter()
            response = client.get(url)
            if response.streaming:
                b"".join(response.streaming_content)
            timings.append(time.perf_counter() - start)
        assert response.status_code == 200, (url, response.status_code)
        queries = len(context.captured_queries)
    return statistics.median(timings) * 1000, queries


def main(count: int):
    with seeding.rolled_back():
        team, transitions = seed(count)
        user = get_user_model().objects.create(username="bench-staff", is_staff=True)
        client = Client()
        client.force_login(user)
        print(f"{count} requests, {transitions} transitions ({connection.vendor})")
        print(f"{'page':<62} {'median ms':>9} {'queries':>7}")
        for url in [
            f"/requests/backlog/?delivering_team={team.slug}",
            f"/requests/backlog/?delivering_team={team.slug}&method=wsjf&page={max(1, count // 250)}",
            f"/requests/board/?delivering_team={team.slug}",
            "/requests/board/",
            f"/requests/flow/?delivering_team={team.slug}",
            "/requests/",
            "/api/v1/model-requests/",
            f"/api/v1/model-requests/flow/?team={team.slug}",
            f"/requests/backlog/?delivering_team={team.slug}&export=csv",
        ]:
            ms, queries = measure(client, url)
            print(f"{url:<62} {ms:>9.0f} {queries:>7}")
        backlog = list(selectors.backlog_order_ids(team=team, method="rice"))
        start = time.perf_counter()
        services.request_rank(
            actor=user,
            request=ModelRequest.objects.get(pk=backlog[-1]),
            before=ModelRequest.objects.get(pk=backlog[0]),
            reason="benchmark",
        )
        took = (time.perf_counter() - start) * 1000
        print(f"{f'rank: move last of {len(backlog)} ranked rows to the top':<62} {took:>9.0f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else N)
