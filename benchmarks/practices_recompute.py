"""Scorecard recompute at organisation scale: 50 teams, 500 models (4 versions each, feedback, stage
changes). Times the first recompute (writes every snapshot), a second one (idempotent: confirms
only) and the overview page; counts queries. Runs in a throw-away test database.

    DATABASE_URL=postgres://... .venv/bin/python benchmarks/practices_recompute.py
"""

import os
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "portal.settings")

import django  # noqa: E402

django.setup()

from django.db import connection  # noqa: E402
from django.test.utils import CaptureQueriesContext, setup_test_environment  # noqa: E402

TEAMS, MODELS_PER_TEAM, VERSIONS = 50, 10, 4


def build():
    import random

    from apps.registry.models import Feedback, ModelVersion, StageChange
    from benchmarks import seeding

    teams = seeding.seed_teams(streams=seeding.seed_streams(["bench"]), count=TEAMS)
    models = seeding.seed_models(
        rng=random.Random(1), owners=teams, count=TEAMS * MODELS_PER_TEAM, versions=VERSIONS
    )
    versions = ModelVersion.objects.filter(model__in=models)
    StageChange.objects.bulk_create(StageChange(version=v, to_stage=v.stage) for v in versions)
    Feedback.objects.bulk_create(Feedback(model=m, kind="bug", title="x") for m in models)


def timed(label, function):
    with CaptureQueriesContext(connection) as queries:
        start = time.perf_counter()
        result = function()
        elapsed = time.perf_counter() - start
    print(f"{label}: {elapsed:.2f} s, {len(queries.captured_queries)} queries")
    return result


def main():
    setup_test_environment()
    old_name = connection.settings_dict["NAME"]
    connection.creation.create_test_db(verbosity=0)
    try:
        from django.contrib.auth import get_user_model
        from django.test import Client

        from apps.practices.services import scorecards_recompute

        build()
        print(
            f"{TEAMS} teams, {TEAMS * MODELS_PER_TEAM} models, {TEAMS * MODELS_PER_TEAM * VERSIONS} versions"
        )
        timed("first recompute (writes snapshots)", scorecards_recompute)
        timed("second recompute (unchanged: confirms only)", scorecards_recompute)
        client = Client()
        client.force_login(get_user_model().objects.create(username="bench", is_staff=True))
        timed("GET /practices/ (heat-map)", lambda: client.get("/practices/"))
        timed("GET /api/v1/scorecards/", lambda: client.get("/api/v1/scorecards/"))
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
