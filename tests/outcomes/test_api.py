import numpy as np
import pytest
from scipy import stats

from apps.outcomes.impact import Verdict
from apps.outcomes.models import Kpi, ModelCost
from tests.factories import UserFactory
from tests.outcomes.factories import KpiFactory, ModelCostFactory, observations
from tests.querycount import assert_queries_independent_of_rows
from tests.registry.factories import RegisteredModelFactory

pytestmark = pytest.mark.django_db


def test_kpi_crud_for_the_stream_pm_only(api_as, team, team_engineer, outsider):
    pm = UserFactory()
    team.value_stream.product_manager = pm
    team.value_stream.save()
    payload = {
        "stream": team.value_stream.slug,
        "name": "Conversion",
        "unit": "rate",
        "direction": "higher",
        "value_per_unit": 42.0,
        "target": 0.06,
    }
    assert api_as(outsider).post("/api/v1/kpis/", payload, format="json").status_code == 403
    refused = api_as(team_engineer).post("/api/v1/kpis/", payload, format="json")
    assert refused.status_code == 403 and "product manager of" in refused.json()["detail"]
    assert not Kpi.objects.exists()
    response = api_as(pm).post("/api/v1/kpis/", payload, format="json")
    assert response.status_code == 201, response.json()
    assert api_as(pm).post("/api/v1/kpis/", payload, format="json").status_code == 400
    kpi_id = response.json()["id"]
    for user in (outsider, team_engineer):
        assert api_as(user).patch(f"/api/v1/kpis/{kpi_id}/", {"target": 1}, format="json").status_code == 403
    assert api_as(outsider).get(f"/api/v1/kpis/{kpi_id}/").json()["target"] == 0.06
    bad = api_as(pm).patch(f"/api/v1/kpis/{kpi_id}/", {"direction": "sideways"}, format="json")
    assert bad.status_code == 400 and "direction" in bad.json()
    unknown = api_as(pm).patch(f"/api/v1/kpis/{kpi_id}/", {"colour": "red"}, format="json")
    assert unknown.status_code == 400 and "colour" in unknown.json()
    assert api_as(team_engineer).delete(f"/api/v1/kpis/{kpi_id}/").status_code == 403
    assert api_as(pm).delete(f"/api/v1/kpis/{kpi_id}/").status_code == 204
    assert not Kpi.objects.exists()


def test_model_costs_are_set_by_the_owning_team(api_as, team, team_lead, outsider):
    model = RegisteredModelFactory(owning_team=team, value_stream=team.value_stream)
    payload = {"model": model.slug, "monthly_running_cost": 300, "monthly_team_effort_cost": 2000}
    assert api_as(outsider).post("/api/v1/model-costs/", payload, format="json").status_code == 403
    assert api_as(team_lead).post("/api/v1/model-costs/", payload, format="json").status_code == 201
    response = api_as(team_lead).patch(
        f"/api/v1/model-costs/{model.slug}/", {"monthly_running_cost": -1}, format="json"
    )
    assert response.status_code == 400 and "monthly_running_cost" in response.json()
    assert ModelCost.objects.get().monthly_total == 2300


def test_impact_endpoint_returns_the_numbers_scipy_computes(api_as, outsider):
    rng = np.random.default_rng(3)
    model = RegisteredModelFactory(slug="search-ranker")
    kpi = KpiFactory(stream=model.value_stream, name="Click-through", value_per_unit=2.0)
    treatment, control = rng.normal(0.31, 0.02, 80), rng.normal(0.30, 0.02, 80)
    observations(kpi, treatment, segment="treatment", model=model, volume=500)
    observations(kpi, control, segment="control", model=model, volume=500)
    ModelCostFactory(model=model)

    response = api_as(outsider).get(f"/api/v1/streams/{model.value_stream.slug}/impact/?period=all")
    assert response.status_code == 200
    body = response.json()
    assert body["stream"] == model.value_stream.slug
    (entry,) = body["models"]
    row = entry["kpis"][0]
    reference = stats.ttest_ind(treatment, control, equal_var=False)
    ci = reference.confidence_interval()
    assert row["lift"] == pytest.approx(treatment.mean() - control.mean())
    assert (row["ci_low"], row["ci_high"]) == (pytest.approx(ci.low), pytest.approx(ci.high))
    assert row["p_value"] == pytest.approx(reference.pvalue)
    assert row["evidence"] == "controlled"
    assert entry["verdict"] in {Verdict.PAYS_OFF, Verdict.LIFT_UNCOSTED, Verdict.NOT_PROVEN, Verdict.SIMPLER}
    assert entry["roi"] == pytest.approx((entry["incremental_value"] - entry["cost"]) / entry["cost"])


def test_impact_endpoint_rejects_bad_dates_and_unknown_streams(api_as, outsider, team):
    client = api_as(outsider)
    bad = client.get(
        f"/api/v1/streams/{team.value_stream.slug}/impact/?period=custom&start=2026-05-01&end=2026-01-01"
    )
    assert bad.status_code == 400 and "end" in bad.json()
    assert client.get(f"/api/v1/streams/{team.value_stream.slug}/impact/?start=never").status_code == 400
    assert client.get("/api/v1/streams/nope/impact/").status_code == 404


def test_impact_route_does_not_shadow_the_stream_detail(api_as, outsider, team):
    response = api_as(outsider).get(f"/api/v1/streams/{team.value_stream.slug}/")
    assert response.status_code == 200 and response.json()["slug"] == team.value_stream.slug


@pytest.mark.parametrize(
    ("url", "queries"),
    [
        ("/api/v1/kpis/", 3),
        ("/api/v1/observations/", 3),
        ("/api/v1/model-costs/", 3),
        ("/api/v1/drift-results/", 2),
    ],
)
def test_lists_need_sign_in_and_keep_their_query_count(anon_api, api_as, url, queries):
    assert anon_api.get(url).status_code == 401
    client = api_as(UserFactory())

    def add_rows():
        model = RegisteredModelFactory()
        kpi = KpiFactory(stream=model.value_stream)
        observations(kpi, [1, 2], segment="treatment", model=model)
        ModelCostFactory(model=model)

    assert_queries_independent_of_rows(client, url, add_rows, expected=queries)


def test_impact_endpoint_query_count_is_independent_of_observations(api_as, outsider, team):
    model = RegisteredModelFactory(owning_team=team, value_stream=team.value_stream)
    kpi = KpiFactory(stream=team.value_stream)

    def add_rows():
        start = model.observations.count()
        observations(kpi, [1, 2, 3], segment="treatment", model=model, start=start)
        observations(kpi, [1, 2, 2], segment="control", model=model, start=start)

    assert_queries_independent_of_rows(
        api_as(outsider), f"/api/v1/streams/{team.value_stream.slug}/impact/", add_rows, expected=7
    )


def test_openapi_schema_documents_the_endpoints(api_as, outsider):
    schema = api_as(outsider).get("/api/schema/?format=json").json()
    for path in [
        "/api/v1/kpis/",
        "/api/v1/observations/",
        "/api/v1/streams/{slug}/impact/",
        "/api/v1/model-costs/",
        "/api/v1/drift-results/",
        "/api/v1/models/{slug}/monitoring/",
    ]:
        assert path in schema["paths"], path


def test_model_monitoring_endpoint(api_as, outsider, demo_org):
    body = api_as(outsider).get("/api/v1/models/fraud-scorer/monitoring/").json()
    assert body["model"] == "fraud-scorer"
    assert body["totals"]["requests"] == sum(day["requests"] for day in body["daily"])
    assert 0 < body["totals"]["p50_ms"] <= body["totals"]["p95_ms"] <= body["totals"]["p99_ms"]
    bands = {(d["feature"], d["band"]) for d in body["drift"]}
    assert ("amount", "significant") in bands
    assert api_as(outsider).get("/api/v1/models/nope/monitoring/").status_code == 404
