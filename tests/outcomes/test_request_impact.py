"""The request page's "The work" shows the realised impact of the model answering the request, read
from outcomes (modelrequests never imports outcomes: the page loads outcomes' template tag): the
verdict, the realised value and the measured change of the KPI the request named next to the change
it expected; "none yet" without a model, "not measured yet" without observations."""

import pytest

from tests.modelrequests.factories import ModelRequestFactory
from tests.outcomes.factories import KpiFactory, ModelCostFactory, observations
from tests.querycount import assert_queries_independent_of_rows
from tests.registry.factories import RegisteredModelFactory

pytestmark = pytest.mark.django_db


def _impact(client, request):
    html = client.get(request.get_absolute_url()).content.decode()
    start = html.index("data-realised-impact")
    return html[start : html.index("</dd>", start)]


def test_the_request_page_shows_the_realised_impact_of_its_model(client, browser_login, outsider):
    browser_login(client, outsider)
    request = ModelRequestFactory(kpi="Conversion", expected_change=2.0)
    assert "none yet: no model answers it" in _impact(client, request)

    model = RegisteredModelFactory(value_stream=request.value_stream, name="Basket model")
    request.registered_model = model
    request.save()
    assert "not measured yet: no observations attributed to Basket model" in _impact(client, request)

    kpi = KpiFactory(stream=request.value_stream, name="Conversion", value_per_unit=1000.0)
    observations(
        kpi, [0.11, 0.12, 0.13, 0.12, 0.11, 0.13, 0.12], segment="treatment", model=model, volume=1000
    )
    observations(kpi, [0.10, 0.10, 0.11, 0.10, 0.09, 0.10, 0.11], segment="control", model=model, volume=1000)
    ModelCostFactory(model=model, monthly_running_cost=1.0, monthly_team_effort_cost=1.0)
    shown = _impact(client, request)
    assert "Conversion: <strong>+" in shown and "expected +2.0%" in shown
    assert "realised value <strong>" in shown and "Controlled comparison" in shown
    assert f'href="/outcomes/models/{model.slug}/"' in shown


def test_a_kpi_the_model_is_not_measured_on_is_said(client, browser_login, outsider):
    browser_login(client, outsider)
    request = ModelRequestFactory(kpi="Basket size")
    model = RegisteredModelFactory(value_stream=request.value_stream, name="Basket model")
    request.registered_model = model
    request.save()
    kpi = KpiFactory(stream=request.value_stream, name="Conversion")
    observations(kpi, [0.11, 0.12, 0.13], segment="treatment", model=model)
    observations(kpi, [0.10, 0.10, 0.11], segment="control", model=model)
    assert "Basket size: not measured for this model" in _impact(client, request)


def test_the_impact_keeps_the_request_page_query_count(client, browser_login, outsider):
    browser_login(client, outsider)
    request = ModelRequestFactory(kpi="Conversion")
    model = RegisteredModelFactory(value_stream=request.value_stream)
    request.registered_model = model
    request.save()
    kpi = KpiFactory(stream=request.value_stream, name="Conversion")
    start = iter(range(0, 1000, 5))

    def add_rows():
        offset = next(start)
        observations(kpi, [0.11, 0.12, 0.13], segment="treatment", model=model, start=offset)
        observations(kpi, [0.10, 0.10, 0.11], segment="control", model=model, start=offset)

    # the page's 14 without a model, the production version, and the impact's four (the model with
    # its cost, the stream's KPIs, the aggregates, the first promotion)
    assert_queries_independent_of_rows(client, request.get_absolute_url(), add_rows, expected=19)
