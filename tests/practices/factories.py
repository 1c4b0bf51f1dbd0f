"""Factories for the practices tests. Versions are plain rows (no fitted artefact): the checks read
only their lineage, metrics, stage and timestamps."""

import datetime

import factory
from django.utils import timezone

from apps.practices.models import SelfAssessment, SurveyResponse, SurveyRound
from apps.registry.models import ModelVersion, StageChange
from tests.factories import TeamFactory
from tests.registry.factories import RegisteredModelFactory


class ScoredModelFactory(RegisteredModelFactory):
    """A registered model with an on-call contact and a small baseline margin."""

    name = factory.Sequence(lambda n: f"Scored model {n}")
    slug = factory.Sequence(lambda n: f"scored-model-{n}")
    oncall_contact = "oncall@example.com"
    baseline_margin = 0.01


class ScoredVersionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ModelVersion

    model = factory.SubFactory(ScoredModelFactory)
    number = factory.Sequence(lambda n: n + 1)
    stage = "candidate"
    task = "classification"
    dataset_name = "orders"
    dataset_version = 1
    dataset_sha256 = "a" * 64
    features = ["amount"]
    estimator = "sklearn.linear_model.LogisticRegression"
    parameters = factory.LazyFunction(lambda: {"C": 1.0})
    code_version = "git:abc123"
    metrics = factory.LazyFunction(lambda: {"roc_auc": 0.8})
    baseline_metrics = factory.LazyFunction(lambda: {"roc_auc": 0.6})
    artefact_key = factory.Sequence(lambda n: f"models/m/{n}.skops")
    artefact_sha256 = "b" * 64
    source_key = factory.Sequence(lambda n: f"training-job:{n}")


def age(instance, *, days: float, field: str = "created_at"):
    """Back-date an auto_now_add timestamp."""
    when = timezone.now() - datetime.timedelta(days=days)
    type(instance).objects.filter(pk=instance.pk).update(**{field: when})
    setattr(instance, field, when)
    return instance


def stage_change(version, *, to_stage="production", days_ago=1, **kwargs):
    change = StageChange.objects.create(version=version, from_stage="staging", to_stage=to_stage, **kwargs)
    return age(change, days=days_ago)


class SelfAssessmentFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SelfAssessment

    team = factory.SubFactory(TeamFactory)
    practice = "version_control"
    evidence_url = "https://git.example.com/team"
    expires_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=90))


class SurveyRoundFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SurveyRound

    name = factory.Sequence(lambda n: f"Round {n}")
    opens_on = factory.LazyFunction(lambda: timezone.localdate() - datetime.timedelta(days=3))
    closes_on = factory.LazyFunction(lambda: timezone.localdate() + datetime.timedelta(days=10))


class SurveyResponseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = SurveyResponse

    round = factory.SubFactory(SurveyRoundFactory)
    team = factory.SubFactory(TeamFactory)
    respondent = factory.SubFactory("tests.factories.UserFactory")
    owned_scope = 3
    extraneous_work = 3
    specialist_knowledge = 3
    waiting_on_others = 3
    onboarding = 3
    context_switching = 3
