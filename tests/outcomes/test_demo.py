"""The demo tells the intended story on top of the registry's demo models."""

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


def test_demo_tells_the_intended_story(org):
    demo.load(org)  # how long it takes: benchmarks/demo_load.py
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
