import datetime

import factory
from django.utils import timezone

from apps.modelrequests import selectors
from apps.modelrequests.models import ModelRequest, RequestStatus, RequestTransition
from tests.factories import PlatformTeamFactory, TeamFactory


class ModelRequestFactory(factory.django.DjangoModelFactory):
    """A request with its "submitted" transition; pass ``history=[(status, at), ...]`` for more."""

    class Meta:
        model = ModelRequest
        skip_postgeneration_save = True

    title = factory.Sequence(lambda n: f"Request {n}")
    problem_statement = "Decisions are made by hand."
    requesting_team = factory.SubFactory(TeamFactory)
    delivering_team = factory.SubFactory(PlatformTeamFactory)
    value_stream = factory.LazyAttribute(lambda o: o.requesting_team.value_stream)
    kpi = "Conversion"
    expected_change = 2.0
    affected_volume = 10_000
    simplest_alternative = "A fixed threshold rule."
    status = RequestStatus.SUBMITTED
    submitted_at = factory.LazyFunction(lambda: timezone.now() - datetime.timedelta(days=1))

    @factory.post_generation
    def history(obj, create, extracted, **kwargs):
        if not create:
            return
        steps = [(RequestStatus.SUBMITTED, obj.submitted_at), *(extracted or [])]
        previous = ""
        for status, at in steps:
            RequestTransition.objects.create(request=obj, from_status=previous, to_status=status, at=at)
            previous = status
        if extracted:
            obj.status = previous
            obj.save(update_fields=["status"])


def rice_inputs(reach, impact=1, confidence=1.0, effort=1) -> dict:
    return {"reach": reach, "impact": impact, "confidence": confidence, "effort": effort}


def wsjf_inputs(value, time=1, risk=1, size=1) -> dict:
    return {"business_value": value, "time_criticality": time, "risk_reduction": risk, "job_size": size}


def backlog_titles(team, method="rice") -> list[str]:
    """The titles of a team's ranked backlog, in order."""
    return [r.title for r in selectors.backlog(ModelRequest.objects.all(), team=team, method=method)]
