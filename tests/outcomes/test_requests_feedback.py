"""Expected vs realised impact for delivered requests."""

import numpy as np
import pytest

from apps.modelrequests.models import RequestStatus
from apps.outcomes.impact import Period, model_impacts
from apps.outcomes.requests_feedback import expected_vs_realised
from apps.registry.models import RegisteredModel
from tests.modelrequests.factories import ModelRequestFactory
from tests.outcomes.factories import KpiFactory, observations
from tests.registry.factories import RegisteredModelFactory

pytestmark = pytest.mark.django_db


def test_delivered_requests_compare_their_promise_with_the_realised_lift(
    client, browser_login, api_as, outsider
):
    rng = np.random.default_rng(8)
    model = RegisteredModelFactory()
    kpi = KpiFactory(stream=model.value_stream, name="Conversion")
    observations(kpi, rng.normal(10.1, 0.2, 90), segment="treatment", model=model)
    observations(kpi, rng.normal(10.0, 0.2, 90), segment="control", model=model)
    team = model.owning_team
    delivered = ModelRequestFactory(
        requesting_team=team, registered_model=model, expected_change=2.0, status=RequestStatus.IN_PRODUCTION
    )
    ModelRequestFactory(requesting_team=team, registered_model=model, status=RequestStatus.IN_PROGRESS)

    impacts = model_impacts(
        streams=[model.value_stream], period=Period(), models=RegisteredModel.objects.filter(pk=model.pk)
    )
    calibration = expected_vs_realised(impacts=impacts)
    (outcome,) = calibration.outcomes
    assert outcome.request == delivered
    realised = 100 * impacts[0].kpis[0].relative_lift
    assert outcome.realised_pct == pytest.approx(realised)
    assert outcome.ratio == pytest.approx(realised / 2.0)
    assert calibration.median_ratio == pytest.approx(outcome.ratio)

    browser_login(client, outsider)
    page = client.get(f"/outcomes/streams/{model.value_stream.slug}/").content.decode()
    assert "Expected vs realised impact" in page and delivered.title in page

    body = api_as(outsider).get(f"/api/v1/streams/{model.value_stream.slug}/impact/?period=all").json()
    (entry,) = body["requests"]
    assert entry["title"] == delivered.title and entry["ratio"] == pytest.approx(outcome.ratio)
    assert body["estimate_ratio"] == pytest.approx(outcome.ratio)
