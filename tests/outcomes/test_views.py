import csv
import io
import re

import pytest

from apps.outcomes.models import Kpi, ModelCost
from tests.factories import UserFactory
from tests.outcomes.factories import KpiFactory, ModelCostFactory, observations
from tests.querycount import assert_queries_independent_of_rows
from tests.registry.factories import RegisteredModelFactory

pytestmark = pytest.mark.django_db


def test_pages_need_sign_in(client):
    response = client.get("/outcomes/")
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.usefixtures("shared_demo_org")
class TestOnTheOutcomesDemo:
    """The outcomes demo is loaded once for these read-only checks."""

    def test_stream_dashboard_shows_verdicts_and_charts(self, client, browser_login, outsider):
        browser_login(client, outsider)
        page = client.get("/outcomes/streams/supply/").content.decode()
        assert "delivery-eta" in page and "consider the simpler alternative" in page
        assert "before/after (weaker evidence)" in page
        assert 'id="figure-impact"' in page and 'id="figure-ml-vs-alternative"' in page
        assert "vendor/plotly/plotly-cartesian.min.js" in page
        sources = re.findall(r'<(?:script|link)[^>]+(?:src|href)="([^"]+)"', page)
        # no CDN, nothing remote
        assert sources and all(source.startswith("/") for source in sources), sources

    def test_every_chart_has_a_csv_with_the_numbers_the_api_returns(
        self, client, browser_login, api_as, outsider
    ):
        browser_login(client, outsider)
        response = client.get("/outcomes/streams/checkout/charts/impact.csv?period=all")
        assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
        rows = list(csv.DictReader(io.StringIO(response.getvalue().decode())))
        api = api_as(outsider).get("/api/v1/streams/checkout/impact/?period=all").json()
        api_rows = {
            (m["model"], k["kpi_name"]): k for m in api["models"] for k in m["kpis"] if k["lift"] is not None
        }
        assert rows and len(rows) == len(api_rows)
        for row in rows:
            expected = api_rows[(row["model"], row["kpi"])]
            assert float(row["lift"]) == pytest.approx(expected["lift"], rel=1e-5)
            assert float(row["lift_ci_low"]) == pytest.approx(expected["ci_low"], rel=1e-5)
        kpi = Kpi.objects.filter(stream__slug="checkout").first()
        trend = client.get(f"/outcomes/streams/checkout/charts/kpi-{kpi.pk}.csv")
        assert trend.status_code == 200 and trend.getvalue().decode().startswith(
            "day,segment,model,value,volume"
        )
        assert client.get("/outcomes/streams/checkout/charts/nope.csv").status_code == 404
        assert client.get("/outcomes/charts/portfolio.csv").status_code == 200

    def test_model_page_shows_monitoring_next_to_kpis(self, client, browser_login, outsider):
        browser_login(client, outsider)
        page = client.get("/outcomes/models/fraud-scorer/").content.decode()
        for name in ("traffic", "latency", "errors", "drift"):
            assert f'id="figure-{name}"' in page
        assert "p95 latency" in page
        for name in ("traffic", "latency", "errors", "drift"):
            assert client.get(f"/outcomes/models/fraud-scorer/charts/{name}.csv").status_code == 200

    def test_registry_include_renders_a_summary_card(self, rf, outsider):
        from django.template import Context, Template

        from apps.registry.models import RegisteredModel

        request = rf.get("/")
        request.user = outsider
        html = Template("{% load outcomes %}{% model_outcomes model %}").render(
            Context({"model": RegisteredModel.objects.get(slug="fraud-scorer"), "request": request})
        )
        assert "pays off" in html and "/outcomes/models/fraud-scorer/" in html

    @pytest.mark.parametrize(
        "model",
        [
            "kpi",
            "observation",
            "dailyaggregate",
            "modelcost",
            "predictionstats",
            "inputsample",
            "driftreference",
            "driftresult",
        ],
    )
    def test_admin_lists_every_outcomes_model(self, client, model):
        from tests.factories import UserFactory

        client.force_login(UserFactory(is_staff=True, is_superuser=True))
        response = client.get(f"/admin/outcomes/{model}/")
        assert response.status_code == 200
        assert client.get(f"/admin/outcomes/{model}/?q=fraud").status_code == 200


def test_kpi_form_for_the_stream_pm(client, browser_login, team, team_engineer, outsider):
    pm = UserFactory()
    team.value_stream.product_manager = pm
    team.value_stream.save()
    browser_login(client, outsider)
    data = {
        "stream": team.value_stream.pk,
        "name": "Basket size",
        "unit": "items",
        "direction": "higher",
        "value_per_unit": "3",
        "target": "",
    }
    response = client.post("/outcomes/kpis/new/", data)
    assert response.status_code == 403
    browser_login(client, team_engineer)
    assert client.post("/outcomes/kpis/new/", data).status_code == 403
    assert not Kpi.objects.exists()
    browser_login(client, pm)
    assert client.post("/outcomes/kpis/new/", data).status_code == 302
    assert Kpi.objects.get().name == "Basket size"


def test_cost_form_for_the_owning_team(client, browser_login, team, team_lead, outsider):
    model = RegisteredModelFactory(owning_team=team, value_stream=team.value_stream)
    browser_login(client, outsider)
    assert client.get(f"/outcomes/models/{model.slug}/cost/").status_code == 403
    browser_login(client, team_lead)
    data = {"monthly_running_cost": "-5", "monthly_team_effort_cost": "10", "notes": ""}
    response = client.post(f"/outcomes/models/{model.slug}/cost/", data)
    assert response.status_code == 200 and "Must not be negative" in response.content.decode()
    assert not ModelCost.objects.filter(model=model).exists()
    data["monthly_running_cost"] = "5"
    assert client.post(f"/outcomes/models/{model.slug}/cost/", data).status_code == 302
    assert model.cost.monthly_total == 15


def test_filters_show_errors_instead_of_failing(client, browser_login, outsider, team):
    browser_login(client, outsider)
    response = client.get(
        f"/outcomes/streams/{team.value_stream.slug}/?period=custom&start=2026-05-01&end=2026-01-01"
    )
    assert response.status_code == 200
    assert "must not be before" in response.content.decode()


def add_stream_rows(stream):
    def add():
        model = RegisteredModelFactory(value_stream=stream, owning_team__value_stream=stream)
        kpi = KpiFactory(stream=stream)
        observations(kpi, [1, 2, 3, 4], segment="treatment", model=model)
        observations(kpi, [1, 2, 3, 3], segment="control", model=model)
        ModelCostFactory(model=model)

    return add


@pytest.mark.parametrize(("path", "queries"), [("/outcomes/kpis/", 5), ("/outcomes/observations/", 6)])
def test_list_pages_keep_their_query_count(client, browser_login, outsider, team, path, queries):
    browser_login(client, outsider)
    assert_queries_independent_of_rows(client, path, add_stream_rows(team.value_stream), expected=queries)


def test_dashboards_keep_their_query_count_as_observations_grow(client, browser_login, outsider, team):
    browser_login(client, outsider)
    stream = team.value_stream
    model = RegisteredModelFactory(value_stream=stream, owning_team=team)
    kpi = KpiFactory(stream=stream)

    def add():
        start = model.observations.count()
        observations(kpi, [1, 2, 3], segment="treatment", model=model, start=start)
        observations(kpi, [1, 2, 2], segment="control", model=model, start=start)

    for url, queries in (
        (f"/outcomes/streams/{stream.slug}/", 13),
        ("/outcomes/", 8),
        (f"/outcomes/models/{model.slug}/", 15),
    ):
        assert_queries_independent_of_rows(client, url, add, expected=queries)


def test_segment_and_period_filters_reach_the_chart_data(client, browser_login, outsider, team):
    browser_login(client, outsider)
    model = RegisteredModelFactory(value_stream=team.value_stream, owning_team=team)
    kpi = KpiFactory(stream=team.value_stream)
    observations(kpi, [1, 2, 3, 4], segment="treatment", model=model)
    observations(kpi, [1, 1, 1, 1], segment="control", model=model)
    url = f"/outcomes/streams/{team.value_stream.slug}/charts/kpi-{kpi.pk}.csv"
    control = client.get(f"{url}?period=all&segment=control").getvalue().decode()
    rows = list(csv.DictReader(io.StringIO(control)))
    assert {row["segment"] for row in rows} == {"control"} and len(rows) == 4
    custom = f"{url}?period=custom&start=2026-01-02&end=2026-01-03"
    rows = list(csv.DictReader(io.StringIO(client.get(custom).getvalue().decode())))
    assert sorted({row["day"] for row in rows}) == ["2026-01-02", "2026-01-03"]


def test_chart_csv_cells_that_a_spreadsheet_would_run_are_quoted(client, browser_login, outsider, team):
    browser_login(client, outsider)
    kpi = KpiFactory(stream=team.value_stream)
    observations(kpi, [1, 2], segment="=1+2")
    response = client.get(f"/outcomes/streams/{team.value_stream.slug}/charts/kpi-{kpi.pk}.csv?period=all")
    rows = list(csv.DictReader(io.StringIO(response.getvalue().decode())))
    assert rows and {row["segment"] for row in rows} == {"'=1+2"}


def test_the_stream_pm_retires_a_kpi_from_the_list(client, browser_login, team, team_engineer):
    pm = UserFactory()
    team.value_stream.product_manager = pm
    team.value_stream.save()
    kpi = KpiFactory(stream=team.value_stream, name="Basket size")
    browser_login(client, team_engineer)
    page = client.get("/outcomes/kpis/").content.decode()
    assert "Retire" not in page and "Only the product manager of" in page
    assert client.post(f"/outcomes/kpis/{kpi.pk}/retire/").status_code == 403
    assert Kpi.objects.get(pk=kpi.pk).retired_at is None
    browser_login(client, pm)
    assert "Retire" in client.get("/outcomes/kpis/").content.decode()
    assert client.post(f"/outcomes/kpis/{kpi.pk}/retire/").status_code == 302
    assert Kpi.objects.get(pk=kpi.pk).retired_at is not None
    assert "retired" in client.get("/outcomes/kpis/").content.decode()
