"""The scheduled drift check through the real broker and a real worker process."""

import time

import numpy as np
import pytest
from django.utils import timezone

from apps.outcomes.models import DriftResult
from apps.outcomes.monitoring import hour_of
from apps.outcomes.tasks import drift_check_all
from apps.registry.models import Feedback
from tests.outcomes.test_monitoring import sample_hours, version_trained_on_standard_normal_amounts

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def test_beat_task_fans_out_drift_checks_to_the_worker(celery_worker_process):
    rng = np.random.default_rng(5)
    version = version_trained_on_standard_normal_amounts(rng)
    sample_hours(version, mean=3.0, hours=12, end=hour_of(timezone.now()), rng=rng)

    drift_check_all.delay()
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline and not Feedback.objects.filter(model=version.model).exists():
        time.sleep(0.3)
    assert DriftResult.objects.get(version=version, feature="amount").band == "significant"
    assert Feedback.objects.filter(model=version.model, kind="drift").count() == 1
