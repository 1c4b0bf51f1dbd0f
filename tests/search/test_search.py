"""The header search box and /api/v1/search/: partial words, no "tech" -> "team" false hits, typos on
PostgreSQL, grouped by kind, one query per kind."""

import pytest
from django.db import connection

from apps.search.kinds import KINDS
from tests.factories import TeamFactory, ValueStreamFactory
from tests.modelrequests.factories import ModelRequestFactory
from tests.outcomes.factories import KpiFactory
from tests.querycount import assert_queries_independent_of_rows
from tests.registry.factories import ModelVersionFactory, RegisteredModelFactory
from tests.training.factories import DatasetVersionFactory

pytestmark = pytest.mark.django_db

postgres_only = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="typo tolerance needs PostgreSQL's pg_trgm"
)


@pytest.fixture
def catalogue(db):
    stream = ValueStreamFactory(
        name="Supply Chain", slug="supply-chain", description="Getting goods to people."
    )
    forecasting = TeamFactory(
        name="Forecasting Science",
        slug="forecasting-science",
        value_stream=stream,
        focus="A team that owns the demand models.",
    )
    tech = TeamFactory(name="Tech Enablement", slug="tech-enablement", focus="Helps every team adopt CI.")
    fraud = TeamFactory(name="Fraud Signals", slug="fraud-signals", focus="The team that stops chargebacks.")
    model = RegisteredModelFactory(
        name="Demand forecast", slug="demand-forecast", owning_team=forecasting, value_stream=stream
    )
    ModelVersionFactory(model=model)
    ModelRequestFactory(title="Forecast returns per warehouse", requesting_team=fraud)
    DatasetVersionFactory(name="warehouse-orders", team=forecasting)
    KpiFactory(name="Forecast error", stream=stream)
    return {"forecasting": forecasting, "tech": tech, "fraud": fraud, "model": model}


def titles(body, kind=None):
    return [
        hit["title"] for group in body["groups"] for hit in group["results"] if kind in (None, group["kind"])
    ]


def test_a_partial_word_finds_every_kind_that_contains_it(api_as, outsider, catalogue):
    body = api_as(outsider).get("/api/v1/search/", {"q": "forec"}).json()
    assert body["query"] == "forec"
    kinds = [group["kind"] for group in body["groups"]]
    # Grouped in the portal's order of kinds, each group only once.
    assert kinds == [kind.key for kind in KINDS if kind.key in kinds]
    assert {"team", "model", "version", "request", "kpi"} <= set(kinds)
    assert titles(body, "team") == ["Forecasting Science"]
    assert titles(body, "model") == ["Demand forecast"]
    assert "Forecast returns per warehouse" in titles(body, "request")
    assert body["count"] == len(titles(body))


def test_tech_finds_tech_not_team(api_as, outsider, catalogue):
    """Backstage's users complain that "tech" finds every "team": here it finds only what says tech."""
    body = api_as(outsider).get("/api/v1/search/", {"q": "tech"}).json()
    assert titles(body) == ["Tech Enablement"]


def test_every_word_must_match_somewhere(api_as, outsider, catalogue):
    body = api_as(outsider).get("/api/v1/search/", {"q": "fraud sig"}).json()
    assert titles(body, "team") == ["Fraud Signals"]
    assert api_as(outsider).get("/api/v1/search/", {"q": "fraud forecasting"}).json()["count"] == 0


def test_a_title_starting_with_the_query_ranks_first(api_as, outsider, catalogue):
    TeamFactory(name="Platform Forecasting Tools", slug="pft")
    body = api_as(outsider).get("/api/v1/search/", {"q": "forecasting", "kind": "team"}).json()
    assert [group["kind"] for group in body["groups"]] == ["team"]
    assert titles(body)[0] == "Forecasting Science"
    assert "Platform Forecasting Tools" in titles(body)


@postgres_only
def test_a_typo_still_finds_the_word_on_postgresql(api_as, outsider, catalogue):
    body = api_as(outsider).get("/api/v1/search/", {"q": "forcast"}).json()
    assert "Demand forecast" in titles(body, "model")
    assert "Tech Enablement" not in titles(body)


@pytest.mark.parametrize(
    ("params", "field"),
    [({}, "q"), ({"q": "   "}, "q"), ({"q": "x" * 101}, "q"), ({"q": "a", "kind": "x"}, "kind")],
)
def test_a_missing_blank_long_query_or_unknown_kind_is_a_400_naming_it(api_as, outsider, params, field):
    response = api_as(outsider).get("/api/v1/search/", params)
    assert response.status_code == 400
    assert field in response.json()


def test_search_needs_a_signed_in_user(anon_api, client):
    assert anon_api.get("/api/v1/search/", {"q": "forecast"}).status_code == 401
    response = client.get("/search/", {"q": "forecast"})
    assert response.status_code == 302 and response["Location"].startswith("/login/")


def test_one_query_per_kind_however_many_hits(api_as, outsider, catalogue):
    client = api_as(outsider)
    client.get("/api/v1/search/", {"q": "warm up the token cache"})
    counter = iter(range(1000))

    def add_rows():
        n = next(counter)
        team = TeamFactory(name=f"Forecast crew {n}", slug=f"forecast-crew-{n}")
        model = RegisteredModelFactory(
            name=f"Forecast model {n}", slug=f"forecast-model-{n}", owning_team=team
        )
        ModelVersionFactory(model=model)
        ModelRequestFactory(title=f"Forecast request {n}", requesting_team=team)

    # The token lookup, then one query per kind.
    assert_queries_independent_of_rows(
        client, "/api/v1/search/?q=forecast", add_rows, expected=1 + len(KINDS)
    )


def test_the_results_page_groups_hits_with_links(client, browser_login, outsider, catalogue):
    browser_login(client, outsider)
    response = client.get("/search/", {"q": "forec"})
    html = response.content.decode()
    assert response.status_code == 200
    assert html.index(">Teams <") < html.index(">Models <") < html.index(">KPIs <")
    assert f'href="{catalogue["model"].get_absolute_url()}"' in html
    empty = client.get("/search/", {"q": "zzzqqq"}).content.decode()
    assert "Nothing matches" in empty


def test_the_suggestions_fragment_lists_options_and_a_link_to_all_results(
    client, browser_login, outsider, catalogue
):
    browser_login(client, outsider)
    html = client.get("/search/suggestions/", {"q": "fraud"}).content.decode()
    assert "<html" not in html  # a fragment, inserted as it is
    assert 'role="option"' in html and "Fraud Signals" in html
    assert "/search/?q=fraud" in html
