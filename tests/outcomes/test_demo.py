"""The demo tells the intended story on top of the registry's demo models."""

import time

import pytest
from django.utils import timezone

from apps.outcomes import demo
from apps.outcomes.impact import Evidence, Period, Verdict, model_impacts
from apps.outcomes.models import DriftResult, Kpi, Observation
from apps.registry.models import Feedback

pytestmark = pytest.mark.django_db


def verdicts():
    impacts = model_impacts(
        streams=list(Kpi.objects.values_list("stream", flat=True).distinct()), period=Period()
    )
    return {i.model.slug: i for i in impacts}


def test_demo_loads_fast_with_the_intended_story(org):
    started = time.monotonic()
    demo.load(org)
    elapsed = time.monotonic() - started
    assert elapsed < 60, f"demo took {elapsed:.1f}s"
    assert set(Kpi.objects.values_list("stream__slug", flat=True)) == {
        "checkout",
        "fraud",
        "supply",
        "growth",
    }
    first = Observation.objects.order_by("time").first().time
    assert (timezone.now() - first).days >= 365

    impacts = verdicts()
    assert impacts["fraud-scorer"].verdict == Verdict.PAYS_OFF
    assert impacts["search-ranker"].verdict == Verdict.NOT_PROVEN
    assert impacts["delivery-eta"].verdict == Verdict.SIMPLER
    assert impacts["demand-forecast"].evidence == Evidence.BEFORE_AFTER
    assert impacts["churn-predictor"].verdict == Verdict.PAYS_OFF

    assert DriftResult.objects.filter(version__model__slug="fraud-scorer", band="significant").exists()
    assert Feedback.objects.filter(model__slug="fraud-scorer", kind="drift").count() == 1
    assert not DriftResult.objects.filter(version__model__slug="search-ranker", band="significant").exists()

    count = Observation.objects.count()
    demo.load(org)  # idempotent
    assert Observation.objects.count() == count


@pytest.mark.slow
def test_full_demo_tells_the_story_on_the_registry_demo_models(settings, tmp_path):
    from django.core.management import call_command

    settings.PLATFORM_STORAGE_ROOT = tmp_path
    call_command("load_demo", verbosity=0)
    impacts = verdicts()
    assert impacts["fraud-scorer"].verdict == Verdict.PAYS_OFF
    assert impacts["search-ranker"].verdict == Verdict.NOT_PROVEN
    assert impacts["delivery-eta"].verdict == Verdict.SIMPLER
    assert impacts["demand-forecast"].evidence == Evidence.BEFORE_AFTER
    assert Feedback.objects.filter(model__slug="fraud-scorer", dedupe_key__startswith="drift:").count() == 1
