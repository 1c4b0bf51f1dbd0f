import time

import pytest
from django.core.management import call_command

from apps.registry.models import ModelVersion
from apps.training.models import DatasetVersion, JobStatus, RetrainingSchedule, TrainingJob

pytestmark = pytest.mark.django_db


def test_demo_trains_and_registers_sample_models_once():
    started = time.monotonic()
    call_command("load_demo", verbosity=0)
    print(f"demo load took {time.monotonic() - started:.1f} s")
    assert DatasetVersion.objects.count() == 4
    succeeded = TrainingJob.objects.filter(status=JobStatus.SUCCEEDED)
    assert succeeded.count() == 4
    assert TrainingJob.objects.filter(status=JobStatus.CANCELLED).count() == 1
    slugs = set(ModelVersion.objects.values_list("model__slug", flat=True))
    assert {"tumour-screening-sample", "wine-cultivar-sample", "diabetes-progression-sample"} <= slugs
    lifts = {
        job.registered_model.slug: job.lift["absolute"]
        for job in succeeded.select_related("registered_model")
    }
    assert all(lift > 0 for lift in lifts.values()), lifts
    assert lifts["basket-conversion-sample"] < 0.1 < lifts["tumour-screening-sample"]  # barely beats it
    assert RetrainingSchedule.objects.get().registered_model.slug == "tumour-screening-sample"
    versions = ModelVersion.objects.count()
    call_command("load_demo", verbosity=0)
    assert ModelVersion.objects.count() == versions
    assert TrainingJob.objects.count() == 5
