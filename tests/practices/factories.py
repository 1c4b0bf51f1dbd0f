"""Factories for the practices tests (registry rows: tests/registry/factories.py)."""

import datetime

import factory
from django.utils import timezone

from apps.practices.models import SelfAssessment, SurveyResponse, SurveyRound
from tests.factories import TeamFactory


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
