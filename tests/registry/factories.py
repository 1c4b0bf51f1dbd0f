"""Registry factories (the one set for registered models, versions and stage changes, used by every
area's tests) and small real fitted pipelines."""

import datetime
import functools

import factory
import numpy as np
import pandas as pd
from django.utils import timezone
from sklearn.compose import make_column_transformer
from sklearn.linear_model import LinearRegression, LogisticRegression
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import OneHotEncoder, StandardScaler

from apps.registry import services
from apps.registry.models import (
    CARD_SECTIONS,
    Feedback,
    FeedbackKind,
    ModelVersion,
    RegisteredModel,
    Stage,
    StageChange,
)
from tests.factories import StaffFactory, TeamFactory

INPUT_SCHEMA = [
    {"name": "basket_value", "type": "number"},
    {"name": "items", "type": "integer"},
    {"name": "channel", "type": "string"},
    {"name": "is_member", "type": "boolean"},
]
FULL_CARD = {field: f"{label} written by the team." for field, label in CARD_SECTIONS}


def training_frame(rows: int = 200, seed: int = 0) -> tuple[pd.DataFrame, np.ndarray]:
    rng = np.random.default_rng(seed)
    frame = pd.DataFrame(
        {
            "basket_value": rng.gamma(2.0, 30.0, rows),
            "items": rng.integers(1, 12, rows),
            "channel": rng.choice(["web", "app", "store"], rows),
            "is_member": rng.random(rows) < 0.4,
        }
    )
    target = (frame["basket_value"] + 20 * frame["is_member"] + rng.normal(0, 15, rows) > 70).astype(int)
    return frame, target.to_numpy()


def _preprocess():
    return make_column_transformer(
        (StandardScaler(), ["basket_value", "items"]),
        (OneHotEncoder(handle_unknown="ignore"), ["channel"]),
        ("passthrough", ["is_member"]),
    )


@functools.cache
def fitted_classifier():
    frame, target = training_frame()
    return make_pipeline(_preprocess(), LogisticRegression(max_iter=200)).fit(frame, target)


@functools.cache
def fitted_regressor():
    frame, _ = training_frame()
    return make_pipeline(_preprocess(), LinearRegression()).fit(frame, frame["basket_value"] * 1.1)


def lineage(**overrides) -> dict:
    return {
        "dataset_name": "orders",
        "dataset_version": 3,
        "dataset_sha256": "a" * 64,
        "features": [c["name"] for c in INPUT_SCHEMA],
        "input_schema": INPUT_SCHEMA,
        "estimator": "LogisticRegression",
        "parameters": {"max_iter": 200},
        "code_version": "abc123",
        **overrides,
    }


class RegisteredModelFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = RegisteredModel

    name = factory.Sequence(lambda n: f"Model {n}")
    slug = factory.Sequence(lambda n: f"model-{n}")
    owning_team = factory.SubFactory(TeamFactory)
    value_stream = factory.LazyAttribute(lambda m: m.owning_team.value_stream)
    purpose = "Score orders."
    task = "classification"
    primary_metric = "roc_auc"
    baseline_margin = 0.02
    oncall_contact = "#oncall"


class CompleteCardModelFactory(RegisteredModelFactory):
    card_model_details = FULL_CARD["card_model_details"]
    card_intended_use = FULL_CARD["card_intended_use"]
    card_factors = FULL_CARD["card_factors"]
    card_metrics = FULL_CARD["card_metrics"]
    card_evaluation_data = FULL_CARD["card_evaluation_data"]
    card_training_data = FULL_CARD["card_training_data"]
    card_ethical_considerations = FULL_CARD["card_ethical_considerations"]
    card_caveats = FULL_CARD["card_caveats"]


class ModelVersionFactory(factory.django.DjangoModelFactory):
    """A version as a plain row, with full lineage but no fitted artefact behind it (for checks that
    read only lineage, metrics, stage and timestamps); ``register`` stores a real pipeline."""

    class Meta:
        model = ModelVersion

    class Params:
        in_production = factory.Trait(stage=Stage.PRODUCTION)

    model = factory.SubFactory(RegisteredModelFactory)
    number = factory.Sequence(lambda n: n + 1)
    stage = Stage.CANDIDATE
    task = "classification"
    dataset_name = "orders"
    dataset_version = 1
    dataset_sha256 = "a" * 64
    features = factory.LazyFunction(lambda: ["amount", "country"])
    input_schema = factory.LazyFunction(
        lambda: [{"name": "amount", "type": "number"}, {"name": "country", "type": "string"}]
    )
    estimator = "sklearn.linear_model.LogisticRegression"
    parameters = factory.LazyFunction(lambda: {"C": 1.0})
    code_version = "git:abc123"
    split = factory.LazyFunction(
        lambda: {"target": "churned", "seed": 42, "holdout_share": 0.2, "stratified": True, "cv_folds": 5}
    )
    metrics = factory.LazyFunction(lambda: {"roc_auc": 0.8})
    baseline_metrics = factory.LazyFunction(lambda: {"roc_auc": 0.6})
    artefact_key = factory.Sequence(lambda n: f"models/test/{n}.skops")
    artefact_sha256 = "b" * 64
    source_key = factory.Sequence(lambda n: f"training-job:{n}")


def age(instance, *, days: float, field: str = "created_at"):
    """Back-date an auto_now_add timestamp."""
    return back_date(instance, timezone.now() - datetime.timedelta(days=days), field=field)


def back_date(instance, when: datetime.datetime, *, field: str = "created_at"):
    type(instance).objects.filter(pk=instance.pk).update(**{field: when})
    setattr(instance, field, when)
    return instance


def stage_change(
    version, *, to_stage=Stage.PRODUCTION, at: datetime.datetime | None = None, days_ago: float = 1, **kwargs
) -> StageChange:
    """A stage change from staging, made ``at`` a time (or ``days_ago``)."""
    change = StageChange.objects.create(
        version=version, from_stage=Stage.STAGING, to_stage=to_stage, **kwargs
    )
    return back_date(change, at) if at else age(change, days=days_ago)


def register(model, *, score: float = 0.8, baseline: float = 0.5, actor=None, source_key=None, **kw):
    """Register a real fitted pipeline as the model's next version."""
    regression = model.task == "regression"
    return services.version_register(
        registered_model=model,
        actor=actor or StaffFactory(),
        pipeline=fitted_regressor() if regression else fitted_classifier(),
        task=model.task,
        lineage=lineage(**kw),
        metrics={model.primary_metric: score},
        baseline_metrics={model.primary_metric: baseline},
        source_key=source_key,
    )


class FeedbackFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Feedback

    model = factory.SubFactory(RegisteredModelFactory)
    kind = FeedbackKind.WRONG_PREDICTIONS
    title = factory.Sequence(lambda n: f"Odd scores {n}")
    description = "Scores look off for store orders."
