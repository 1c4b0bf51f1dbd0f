"""Boards with 5,000 model requests: response time and query count of the backlog, kanban, flow and
list pages and the API list. Runs inside a transaction that is rolled back (leaves no data).

    DATABASE_URL=postgres://... .venv/bin/python benchmarks/modelrequests_boards.py
"""

import datetime
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
from django.db import connection, transaction  # noqa: E402
from django.test import Client  # noqa: E402
from django.test.utils import CaptureQueriesContext  # noqa: E402
from django.utils import timezone  # noqa: E402

from apps.modelrequests import selectors, services  # noqa: E402
from apps.modelrequests.models import ModelRequest, RequestStatus, RequestTransition  # noqa: E402
from apps.teams.models import Team, TeamType, ValueStream  # noqa: E402

N = 5000
RUNS = 5
S = RequestStatus
PATHS = {
    S.SUBMITTED: [S.SUBMITTED],
    S.TRIAGED: [S.SUBMITTED, S.TRIAGED],
    S.ACCEPTED: [S.SUBMITTED, S.TRIAGED, S.ACCEPTED],
    S.IN_PROGRESS: [S.SUBMITTED, S.TRIAGED, S.ACCEPTED, S.IN_PROGRESS],
    S.DELIVERED: [S.SUBMITTED, S.TRIAGED, S.ACCEPTED, S.IN_PROGRESS, S.DELIVERED],
    S.IN_PRODUCTION: [S.SUBMITTED, S.TRIAGED, S.ACCEPTED, S.IN_PROGRESS, S.DELIVERED, S.IN_PRODUCTION],
}


class Rollback(Exception):
    pass


def seed():
    rng = random.Random(1)
    stream = ValueStream.objects.create(name="Bench stream", slug="bench-stream")
    requester = Team.objects.create(
        name="Bench requester", slug="bench-requester", value_stream=stream, team_type=TeamType.STREAM_ALIGNED
    )
    deliverer = Team.objects.create(name="Bench platform", slug="bench-platform", team_type=TeamType.PLATFORM)
    now = timezone.now()
    finals = [rng.choice(list(PATHS)) for _ in range(N)]
    requests = ModelRequest.objects.bulk_create(
        [
            ModelRequest(
                title=f"Bench request {i}",
                problem_statement="-",
                requesting_team=requester,
                delivering_team=deliverer,
                value_stream=stream,
                kpi="Conversion",
                expected_change=1.0,
                affected_volume=1000,
                simplest_alternative="A rule.",
                status=final,
                submitted_at=now - datetime.timedelta(days=rng.uniform(1, 180)),
                reach=rng.randint(10, 10000),
                impact=2,
                confidence=0.8,
                effort=rng.choice([1, 2, 4, None]),
                business_value=5,
                time_criticality=3,
                risk_reduction=2,
                job_size=rng.choice([1, 3, 8]),
            )
            for i, final in enumerate(finals)
        ],
        batch_size=1000,
    )
    transitions = []
    for request in requests:
        at = request.submitted_at
        previous = ""
        for status in PATHS[request.status]:
            transitions.append(
                RequestTransition(request=request, from_status=previous, to_status=status, at=at)
            )
            previous, at = status, min(at + datetime.timedelta(days=rng.uniform(1, 10)), now)
    RequestTransition.objects.bulk_create(transitions, batch_size=2000)
    return deliverer, len(transitions)


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


def main():
    try:
        with transaction.atomic():
            team, transitions = seed()
            user = get_user_model().objects.create(username="bench-staff", is_staff=True)
            client = Client()
            client.force_login(user)
            print(f"{N} requests, {transitions} transitions ({connection.vendor})")
            print(f"{'page':<62} {'median ms':>9} {'queries':>7}")
            for url in [
                f"/requests/backlog/?delivering_team={team.slug}",
                f"/requests/backlog/?delivering_team={team.slug}&method=wsjf&page=20",
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
            raise Rollback
    except Rollback:
        pass


if __name__ == "__main__":
    main()
