"""The schedule: the beat entry, the idempotent recompute task, and a recompute through a real worker."""

import datetime
import time

import pytest
from django.conf import settings
from django.utils import timezone

from apps.practices import services, tasks
from apps.practices.models import Level, ScorecardSnapshot
from portal.celery import app
from tests.factories import MembershipFactory, TeamFactory
from tests.registry.factories import ModelVersionFactory, RegisteredModelFactory


def test_beat_schedule_recomputes_all_scorecards():
    entry = settings.CELERY_BEAT_SCHEDULE["practices-recompute-scorecards"]
    assert entry["task"] == "apps.practices.tasks.recompute_all_scorecards"
    assert entry["task"] in app.tasks
    assert entry["schedule"] > 0


@pytest.mark.django_db
def test_scheduled_task_is_idempotent():
    ModelVersionFactory(model=RegisteredModelFactory())
    TeamFactory()
    first = tasks.recompute_all_scorecards()
    rows = ScorecardSnapshot.objects.count()
    assert first == rows >= 3
    assert tasks.recompute_all_scorecards() == first
    assert ScorecardSnapshot.objects.count() == rows
    assert ScorecardSnapshot.objects.filter(is_latest=True).count() == rows


@pytest.mark.django_db
def test_team_task_ignores_a_deleted_team():
    assert tasks.recompute_team_scorecard(987654) is None


@pytest.mark.slow
@pytest.mark.django_db(transaction=True)
def test_self_assessment_is_recomputed_by_a_real_worker(celery_worker_process):
    team = TeamFactory()
    lead = MembershipFactory(team=team, role="lead").user
    expires = timezone.localdate() + datetime.timedelta(days=30)
    for practice in ("version_control", "code_review"):
        services.self_assessment_create(
            actor=lead,
            data={
                "team": team,
                "practice": practice,
                "evidence_url": "https://git.example.com",
                "expires_on": expires,
            },
        )
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        latest = ScorecardSnapshot.objects.filter(team=team, is_latest=True).first()
        if latest and latest.level == Level.BRONZE:
            break
        time.sleep(0.5)
    assert latest is not None and latest.level == Level.BRONZE
    assert ScorecardSnapshot.objects.filter(team=team, is_latest=True).count() == 1
