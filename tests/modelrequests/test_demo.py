import datetime

import pytest
from django.utils import timezone

from apps.modelrequests import demo
from apps.modelrequests.models import ModelRequest, RequestStatus, RequestTransition
from apps.teams import demo as teams_demo

pytestmark = pytest.mark.django_db


def test_demo_covers_streams_statuses_and_six_months():
    org = teams_demo.load()
    demo.load(org)
    requests = ModelRequest.objects.all()
    assert requests.count() >= 40
    assert set(requests.values_list("status", flat=True)) == set(RequestStatus.values)
    assert set(requests.values_list("value_stream__slug", flat=True)) == {
        "checkout",
        "fraud",
        "supply",
        "growth",
    }
    oldest = RequestTransition.objects.order_by("at").first().at
    assert timezone.now() - oldest > datetime.timedelta(days=150)
    # every request's history starts with "submitted" and ends in its current status
    for request in requests.prefetch_related("transitions"):
        steps = [t.to_status for t in request.transitions.all()]
        assert steps[0] == RequestStatus.SUBMITTED and steps[-1] == request.status
    assert requests.filter(effort__isnull=True).exists()  # some stay unscored


def test_demo_links_delivered_requests_to_registered_models_when_present():
    from tests.registry.factories import RegisteredModelFactory

    org = teams_demo.load()
    scorer = RegisteredModelFactory(
        name="Fraud scorer",
        slug="fraud-scorer",
        owning_team=org.teams["fraud-signals"],
        value_stream=org.streams["fraud"],
    )
    demo.load(org)
    linked = ModelRequest.objects.get(registered_model=scorer)
    assert linked.status == RequestStatus.IN_PRODUCTION
    assert list(scorer.requests.all()) == [linked]
