"""The flow page and the flow API at 5,000 requests and ~17,500 transitions (PostgreSQL): median
time of N calls through Django's test client, the query count, and the flow report alone. Seeds
inside a transaction that is rolled back (leaves no data).

    DATABASE_URL=postgres://... .venv/bin/python benchmarks/flow.py [N]
"""

import os
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

from apps.modelrequests import flow_metrics  # noqa: E402
from apps.modelrequests.models import ModelRequest  # noqa: E402
from benchmarks import seeding  # noqa: E402
from benchmarks.modelrequests_boards import measure, seed  # noqa: E402

TARGET_MS = 150


def main(runs: int):
    with seeding.rolled_back():
        team, transitions = seed()
        user = get_user_model().objects.create(username="bench-flow", is_staff=True)
        client = Client()
        client.force_login(user)
        print(f"{ModelRequest.objects.count()} requests, {transitions} transitions ({connection.vendor})")
        print(f"load average before: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")
        print(f"{'call':<52} {'median ms':>9} {'queries':>7}")
        for url in (
            f"/requests/flow/?delivering_team={team.slug}",
            "/requests/flow/",
            f"/api/v1/model-requests/flow/?team={team.slug}",
            "/api/v1/model-requests/flow/",
        ):
            client.get(url)  # warm-up
            ms, queries = measure(client, url, runs=runs)
            flag = "" if ms < TARGET_MS else f"  over {TARGET_MS} ms"
            print(f"{url:<52} {ms:>9.0f} {queries:>7}{flag}")
        timings = []
        for _ in range(runs):
            start = time.perf_counter()
            flow_metrics.flow_report(ModelRequest.objects.filter(delivering_team=team))
            timings.append(time.perf_counter() - start)
        print(f"{'flow_report(one team) alone':<52} {statistics.median(timings) * 1000:>9.0f}")
        print(f"load average after: {' '.join(f'{x:.2f}' for x in os.getloadavg())}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 15)
