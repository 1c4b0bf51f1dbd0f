"""Factories for the outcomes tests (registry rows are made directly: the registry's own factories
live on its branch)."""

import datetime

import factory
from django.utils import timezone

from apps.outcomes.models import Direction, Kpi, ModelCost, Observation
from apps.outcomes.rollup import days_of, rollup_refresh
from apps.registry.models import ModelVersion, RegisteredModel, Stage, StageChange
from tests.factories import TeamFactory, ValueStreamFactory


class OutcomeModelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RegisteredModel

    name = factory.Sequence(lambda n: f"Outcome model {n}")
    slug = factory.Sequence(lambda n: f"outcome-model-{n}")
    owning_team = factory.SubFactory(TeamFactory)
    value_stream = factory.LazyAttribute(lambda m: m.owning_team.value_stream)


class OutcomeVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ModelVersion

    model = factory.SubFactory(OutcomeModelFactory)
    number = factory.Sequence(lambda n: n + 1)
    stage = Stage.PRODUCTION
    task = "classification"
    features = ["amount", "country"]
    input_schema = [{"name": "amount", "type": "number"}, {"name": "country", "type": "string"}]
    estimator = "sklearn.linear_model.LogisticRegression"
    artefact_key = factory.Sequence(lambda n: f"models/test/{n}.skops")
    artefact_sha256 = "0" * 64


def promote(version: ModelVersion, when: datetime.datetime, *, rollback: bool = False) -> StageChange:
    change = StageChange.objects.create(
        version=version, from_stage=Stage.STAGING, to_stage=Stage.PRODUCTION, is_rollback=rollback
    )
    StageChange.objects.filter(pk=change.pk).update(created_at=when)
    change.refresh_from_db()
    return change


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

    model = factory.SubFactory(OutcomeModelFactory)
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
