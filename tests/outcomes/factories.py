"""Factories for the outcomes tests (registry rows: tests/registry/factories.py)."""

import datetime

import factory
from django.utils import timezone

from apps.outcomes.models import Direction, Kpi, ModelCost, Observation
from apps.outcomes.rollup import days_of, rollup_refresh
from tests.factories import ValueStreamFactory
from tests.registry.factories import RegisteredModelFactory


class KpiFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Kpi

    stream = factory.SubFactory(ValueStreamFactory)
    name = factory.Sequence(lambda n: f"KPI {n}")
    unit = "rate"
    direction = Direction.HIGHER
    value_per_unit = 50.0
    target = None


class ModelCostFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ModelCost

    model = factory.SubFactory(RegisteredModelFactory)
    monthly_running_cost = 100.0
    monthly_team_effort_cost = 400.0


def day(offset: int) -> datetime.datetime:
    """Midnight UTC ``offset`` days from 2026-01-01."""
    return datetime.datetime(2026, 1, 1, tzinfo=datetime.UTC) + datetime.timedelta(days=offset)


def observations(kpi, values, *, segment="all", model=None, volume=100.0, start=0) -> list[Observation]:
    rows = [
        Observation(
            kpi=kpi,
            time=day(start + i),
            value=float(v),
            volume=volume,
            segment=segment,
            model=model,
            model_key=model.pk if model else 0,
        )
        for i, v in enumerate(values)
    ]
    created = Observation.objects.bulk_create(rows)
    rollup_refresh(days_by_kpi=days_of(created))
    return created


def recent(hours_ago: int) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(hours=hours_ago)
