"""Degenerate data (one observation per segment, zero variance, NaN, infinity) never crashes a page."""

import datetime
import json
import math
from types import SimpleNamespace

import pytest
from django.db import transaction
from django.utils import timezone
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from apps.modelrequests.models import RequestStatus
from apps.outcomes import stats
from apps.outcomes.impact import Verdict, model_impacts
from apps.outcomes.models import Observation
from apps.outcomes.rollup import days_of, rollup_refresh
from apps.outcomes.templatetags.outcomes import register
from tests.modelrequests.factories import ModelRequestFactory
from tests.outcomes.factories import KpiFactory, ModelCostFactory, observations
from tests.registry.factories import RegisteredModelFactory as OutcomeModelFactory

pytestmark = pytest.mark.django_db

# The dashboards' number filters as templates see them (registered under these names).
filters = SimpleNamespace(**register.filters)


def pages_of(model):
    return [
        "/outcomes/",
        f"/outcomes/streams/{model.value_stream.slug}/",
        f"/outcomes/models/{model.slug}/",
        f"/api/v1/streams/{model.value_stream.slug}/impact/",
        f"/api/v1/models/{model.slug}/monitoring/",
    ]


def test_one_treatment_and_one_control_observation_render_everywhere(client, browser_login, api_as, outsider):
    model = OutcomeModelFactory()
    kpi = KpiFactory(stream=model.value_stream)
    observations(kpi, [1.0], segment="treatment", model=model)
    observations(kpi, [0.5], segment="control", model=model)
    browser_login(client, outsider)
    for path in pages_of(model):
        response = (api_as(outsider) if path.startswith("/api/") else client).get(path)
        assert response.status_code == 200, (path, response.content[:500])


@pytest.mark.parametrize("value", [None, "", "n/a", math.nan, True, [], object()])
@pytest.mark.parametrize("name", ["num", "pct", "rate", "count", "money"])
def test_number_filters_show_a_dash_for_missing_values(name, value):
    assert getattr(filters, name)(value) == "—"


@pytest.mark.parametrize("name", ["num", "pct", "rate", "count", "money"])
def test_number_filters_show_infinities_as_such(name):
    assert getattr(filters, name)(math.inf) == "∞"
    assert getattr(filters, name)(-math.inf) == "−∞"


def test_number_filters_still_format_numbers():
    assert filters.num(0.012345) == "0.01235" and filters.num(1234.5) == "1,234"
    assert filters.pct(0.0123) == "+1.2%" and filters.rate(0.004) == "0.4%"
    assert filters.count(1234.4) == "1,234" and filters.money(1234.6) == "1,235"
    assert filters.num(0.5, "bad") == "0.5"


# --- property-based: degenerate data on every page that shows it and on its API twin -------------

SPECIAL = [0.0, -0.0, 1.0, 1e-300, 1e300, -1e300, math.nan, math.inf, -math.inf]
values = st.one_of(
    st.lists(st.sampled_from(SPECIAL) | st.floats(-1e6, 1e6, allow_nan=False), max_size=3),
    st.tuples(st.sampled_from(SPECIAL), st.integers(2, 4)).map(lambda pair: [pair[0]] * pair[1]),  # all equal
)
request_histories = st.lists(
    st.sampled_from(
        [
            [],
            [(RequestStatus.ACCEPTED, 0), (RequestStatus.IN_PROGRESS, 0), (RequestStatus.DELIVERED, 0)],
            [(RequestStatus.ACCEPTED, 0), (RequestStatus.IN_PROGRESS, 0)],
        ]
    ),
    max_size=2,
)


def _raw_observations(kpi, numbers, *, segment, model, volume):
    """Observations written straight to the table (the ingest refuses non-finite values; older rows,
    the admin or another writer may not have), then rolled up as the ingest does."""
    start = timezone.now() - datetime.timedelta(days=10)
    rows = Observation.objects.bulk_create(
        Observation(
            kpi=kpi,
            time=start + datetime.timedelta(hours=i),
            value=value,
            volume=volume,
            segment=segment,
            model=model,
            model_key=model.pk,
        )
        for i, value in enumerate(numbers)
    )
    rollup_refresh(days_by_kpi=days_of(rows))


@pytest.fixture
def signed_in(client, browser_login, api_as, outsider):
    browser_login(client, outsider)
    return client, api_as(outsider)


@settings(max_examples=12, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(
    treatment=values,
    control=values,
    volume=st.sampled_from([0.0, 1.0, 1e300, math.nan]),
    monthly_cost=st.sampled_from([None, 0.0, 100.0]),
    histories=request_histories,
)
def test_degenerate_data_never_crashes_a_page(signed_in, treatment, control, volume, monthly_cost, histories):
    client, api = signed_in
    with transaction.atomic():
        model = OutcomeModelFactory()
        kpi = KpiFactory(stream=model.value_stream)
        _raw_observations(kpi, treatment, segment="treatment", model=model, volume=volume)
        _raw_observations(kpi, control, segment="control", model=model, volume=volume)
        if monthly_cost is not None:
            ModelCostFactory(model=model, monthly_running_cost=monthly_cost, monthly_team_effort_cost=0)
        now = timezone.now()
        for history in histories:
            ModelRequestFactory(
                value_stream=model.value_stream, submitted_at=now, history=[(s, now) for s, _ in history]
            )
        stream = model.value_stream.slug
        pages = [
            *pages_of(model),
            "/outcomes/charts/portfolio.csv",
            f"/outcomes/streams/{stream}/charts/impact.csv",
            f"/models/{model.slug}/",
            f"/api/v1/models/{model.slug}/",
            "/requests/flow/",
            f"/requests/flow/?value_stream={stream}",
            "/api/v1/model-requests/flow/",
            f"/api/v1/model-requests/flow/?value_stream={stream}",
        ]
        for path in pages:
            response = (api if path.startswith("/api/") else client).get(path)
            assert response.status_code == 200, (path, response.content[:300])
            if path.startswith("/api/"):
                json.loads(response.content)  # strict JSON: no NaN or Infinity
        impact = model_impacts(streams=[model.value_stream], models=type(model).objects.filter(pk=model.pk))[
            0
        ]
        if impact.verdict == Verdict.PAYS_OFF:
            assert impact.cost > 0
        transaction.set_rollback(True)


@settings(max_examples=60, deadline=None)
@given(
    reference=st.lists(
        st.sampled_from(SPECIAL) | st.floats(allow_nan=True, allow_infinity=True), max_size=40
    ),
    sample=st.lists(st.sampled_from(SPECIAL) | st.floats(allow_nan=True, allow_infinity=True), max_size=40),
)
def test_drift_statistics_are_defined_for_any_values(reference, sample):
    edges = stats.quantile_edges(reference)
    assert all(math.isfinite(edge) for edge in edges)
    expected, actual = stats.numeric_proportions(reference, edges), stats.numeric_proportions(sample, edges)
    assert len(expected) == len(actual) == len(edges) + 1
    value = stats.psi(expected, actual)
    assert math.isfinite(value) and value >= 0


@settings(max_examples=60, deadline=None)
@given(
    a=st.builds(stats.GroupStats, st.integers(0, 5), st.sampled_from(SPECIAL), st.sampled_from(SPECIAL)),
    b=st.builds(stats.GroupStats, st.integers(0, 5), st.sampled_from(SPECIAL), st.sampled_from(SPECIAL)),
)
def test_welch_is_none_or_finite(a, b):
    result = stats.welch(a, b)
    if result is not None:
        assert all(math.isfinite(n) for n in (result.difference, result.low, result.high, result.p_value))
        assert result.low <= result.difference <= result.high
