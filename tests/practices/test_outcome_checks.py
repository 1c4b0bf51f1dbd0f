"""Checks that read the outcomes area: observations arriving and a control segment."""

import datetime

import pytest
from django.utils import timezone

from apps.outcomes.models import Observation
from apps.practices.checks import CHECKS, Status
from apps.practices.sources import load_facts
from tests.outcomes.factories import KpiFactory
from tests.registry.factories import RegisteredModelFactory

pytestmark = pytest.mark.django_db


def run(code, model):
    facts = load_facts([model.pk])
    return CHECKS[code].function(facts.models[model.pk], facts)


def observe(model, *, days_ago, segment="treatment"):
    return Observation.objects.create(
        kpi=KpiFactory(stream=model.value_stream),
        time=timezone.now() - datetime.timedelta(days=days_ago),
        value=1.0,
        segment=segment,
        model=model,
    )


def test_outcome_data_arriving_within_the_window():
    model = RegisteredModelFactory()
    other = RegisteredModelFactory()
    observe(other, days_ago=1)  # the outcomes area has data, but none for this model
    result = run("outcome_data_arriving", model)
    assert result.status == Status.FAIL and result.evidence["days_since"] is None
    observe(model, days_ago=30)
    result = run("outcome_data_arriving", model)
    assert result.status == Status.FAIL and result.evidence["days_since"] == 30
    observe(model, days_ago=2)
    result = run("outcome_data_arriving", model)
    assert result.status == Status.PASS and result.evidence["days_since"] == 2


def test_control_segment():
    model = RegisteredModelFactory()
    observe(model, days_ago=1)
    assert run("control_segment", model).status == Status.FAIL
    observe(model, days_ago=1, segment="control")
    result = run("control_segment", model)
    assert result.status == Status.PASS and result.evidence["control"] == 1
