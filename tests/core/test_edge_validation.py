"""The validation layer at the edge: NUL characters in any body field, lookup, path or query parameter,
date-times PostgreSQL cannot store and unknown list parameters are 400s naming the field, and nothing
is written."""

import datetime
import inspect

import django_filters
import pytest
from django import forms
from rest_framework import serializers

from apps.core.validation import BoundedDateTimeField, BoundedDateTimeFormField, moment_problem
from apps.outcomes.models import Observation
from apps.teams.models import Interaction
from apps.training.models import RetrainingSchedule
from tests.core.api_lists import list_views
from tests.factories import PlatformTeamFactory, TeamFactory
from tests.modelrequests.factories import ModelRequestFactory
from tests.outcomes.factories import KpiFactory

pytestmark = pytest.mark.django_db

NUL_MESSAGE = "NUL characters (\\u0000) are not allowed."


@pytest.fixture
def staff_api(api_as, staff_user):
    return api_as(staff_user)


def interaction_body(**overrides):
    a, b = TeamFactory(), PlatformTeamFactory()
    return {
        "from_team": a.slug,
        "to_team": b.slug,
        "mode": "x_as_a_service",
        "purpose": "Scores as a service.",
        "start_date": "2026-01-05",
        **overrides,
    }


@pytest.mark.parametrize("field", ["from_team", "to_team", "purpose"])
def test_nul_in_an_interaction_field_is_a_400_naming_it(staff_api, field):
    response = staff_api.post("/api/v1/interactions/", interaction_body(**{field: "a\u0000b"}), format="json")
    assert response.status_code == 400, response.content
    assert response.json() == {field: [NUL_MESSAGE]}
    assert not Interaction.objects.exists()


def test_nul_in_a_retraining_schedule_lookup_is_a_400(staff_api):
    body = {"registered_model": "m\u0000", "dataset_team": "t\u0000", "dataset_name": "orders"}
    response = staff_api.post("/api/v1/retraining-schedules/", body, format="json")
    assert response.status_code == 400, response.content
    assert set(response.json()) == {"registered_model", "dataset_team", "dataset_name"} & set(response.json())
    assert response.json()["registered_model"] == [NUL_MESSAGE]
    assert not RetrainingSchedule.objects.exists()


def test_nul_in_a_patch_of_an_interaction_is_a_400(staff_api):
    created = staff_api.post("/api/v1/interactions/", interaction_body(), format="json")
    assert created.status_code == 201, created.content
    url = f"/api/v1/interactions/{created.json()['id']}/"
    response = staff_api.patch(url, {"to_team": "x\u0000"}, format="json")
    assert response.status_code == 400 and response.json() == {"to_team": [NUL_MESSAGE]}
    assert Interaction.objects.get().to_team.slug == created.json()["to_team"]


@pytest.mark.parametrize("field", ["delivering_team", "value_stream", "title"])
def test_nul_in_a_patch_of_a_model_request_is_a_400(staff_api, field):
    request = ModelRequestFactory()
    response = staff_api.patch(f"/api/v1/model-requests/{request.pk}/", {field: "n\u0000"}, format="json")
    assert response.status_code == 400, response.content
    assert response.json() == {field: [NUL_MESSAGE]}
    request.refresh_from_db()
    assert "\x00" not in request.title


def test_nul_nested_in_a_body_is_named_by_its_path(staff_api):
    kpi = KpiFactory()
    rows = [{"kpi": kpi.pk, "time": "2026-01-01", "value": 1.0, "segment": "treat\u0000ment"}]
    response = staff_api.post("/api/v1/observations/", rows, format="json")
    assert response.status_code == 400 and response.json() == {"0.segment": [NUL_MESSAGE]}
    assert not Observation.objects.exists()


def test_nul_in_a_form_body_is_a_400(staff_api):
    response = staff_api.post(
        "/api/v1/interactions/", interaction_body(purpose="a\u0000"), format="multipart"
    )
    assert response.status_code == 400 and response.json()["purpose"] == [NUL_MESSAGE]


@pytest.mark.parametrize(
    "path",
    [
        "/api/v1/teams/a%00b/",
        "/api/v1/models/a%00b/versions/",
        "/api/v1/teams/?stream=a%00b",
        "/api/v1/teams/?a%00=1",
        "/teams/interactions/new/?from=%00",
    ],
)
def test_nul_in_a_path_or_query_parameter_is_a_400(staff_api, path):
    response = staff_api.get(path)
    assert response.status_code == 400
    assert [NUL_MESSAGE] in response.json().values()


# --- date-times ------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "until",
    [
        "1487-07-23T18:36:33+22:28",  # the offset PostgreSQL refuses
        "2026-01-01T00:00:00-16:00",
        "0001-01-01T00:00:00+05:00",  # before year 1 in UTC
        "9999-12-31T23:59:59-05:00",  # after 9999 in UTC
    ],
)
def test_a_date_filter_postgresql_cannot_store_is_a_400_naming_it(api_as, outsider, until):
    response = api_as(outsider).get("/api/v1/observations/", {"until": until})
    assert response.status_code == 400, response.content
    [message] = response.json()["until"]
    assert "UTC" in message


def test_the_same_filter_on_the_browser_page_is_ignored_not_a_500(client, browser_login, outsider):
    browser_login(client, outsider)
    assert client.get("/outcomes/observations/?until=1487-07-23T18:36:33%2B22:28").status_code == 200


def test_dates_inside_the_range_still_filter(api_as, outsider):
    response = api_as(outsider).get("/api/v1/observations/", {"until": "1487-07-23T18:36:33+15:59"})
    assert response.status_code == 200 and response.json()["count"] == 0


@pytest.mark.parametrize(
    "time",
    ["2026-01-01T00:00:00+22:28", "0001-01-01T00:00:00+01:00", "9999-12-31T23:00:00-02:00"],
)
def test_an_observation_time_postgresql_cannot_store_is_refused_naming_the_field(staff_api, time):
    kpi = KpiFactory()
    response = staff_api.post(
        "/api/v1/observations/", [{"kpi": kpi.pk, "time": time, "value": 1}], format="json"
    )
    assert response.status_code == 400, response.content
    assert [(e["row"], e["field"]) for e in response.json()["errors"]] == [(1, "time")]
    assert not Observation.objects.exists()


def test_the_last_day_python_knows_is_a_valid_period_end(api_as, outsider):
    stream = KpiFactory().stream
    response = api_as(outsider).get(
        f"/api/v1/streams/{stream.slug}/impact/",
        {"period": "custom", "start": "9999-12-01", "end": "9999-12-31"},
    )
    assert response.status_code == 200, response.content


def test_moment_problem():
    utc = datetime.UTC
    assert moment_problem(datetime.datetime(2026, 1, 1, tzinfo=utc)) is None
    far = datetime.timezone(datetime.timedelta(hours=22, minutes=28))
    assert "offset" in moment_problem(datetime.datetime(1487, 7, 23, tzinfo=far))
    assert "9999" in moment_problem(
        datetime.datetime(1, 1, 1, tzinfo=datetime.timezone(datetime.timedelta(hours=1)))
    )


def _project_classes(base):
    seen, stack = set(), [base]
    while stack:
        for sub in stack.pop().__subclasses__():
            if sub not in seen:
                seen.add(sub)
                stack.append(sub)
    return [cls for cls in seen if cls.__module__.startswith("apps.")]


def test_every_date_time_filter_and_serializer_field_is_the_bounded_one():
    """The layer covers new code too: no filterset or serializer of the project takes a date-time
    through an unbounded field."""
    list_views()  # import every API module
    unbounded = []
    for filterset in _project_classes(django_filters.FilterSet):
        for name, flt in filterset.base_filters.items():
            if issubclass(flt.field_class, forms.DateTimeField) and not issubclass(
                flt.field_class, BoundedDateTimeFormField
            ):
                unbounded.append(f"{filterset.__name__}.{name}")
    for serializer in _project_classes(serializers.Serializer):
        if inspect.isabstract(serializer) or serializer.__name__.startswith("_"):
            continue
        try:
            fields = serializer().fields
        except Exception:  # noqa: BLE001 - serializers that need context are checked by their tests
            continue
        for name, field in fields.items():
            writable = isinstance(field, serializers.DateTimeField) and not field.read_only
            if writable and not isinstance(field, BoundedDateTimeField):
                unbounded.append(f"{serializer.__name__}.{name}")
    assert unbounded == []


# --- unknown query parameters ----------------------------------------------------------------------


def test_an_unknown_query_parameter_on_a_list_is_a_400_naming_the_allowed_ones(api_as, outsider):
    TeamFactory()
    response = api_as(outsider).get("/api/v1/teams/?value_stream=nonexistent")
    assert response.status_code == 400, response.content
    [message] = response.json()["value_stream"]
    for allowed in ("stream", "team_type", "q", "page", "page_size", "ordering", "format"):
        assert allowed in message


def test_an_unknown_slug_in_a_known_filter_is_a_400_too(api_as, outsider):
    TeamFactory()
    response = api_as(outsider).get("/api/v1/teams/?stream=nonexistent")
    assert response.status_code == 400 and "stream" in response.json()


@pytest.mark.parametrize("url", sorted(list_views()))
def test_every_list_refuses_an_unknown_parameter_and_keeps_the_common_ones(api_as, staff_user, url):
    client = api_as(staff_user)
    response = client.get(url, {"no_such_filter": "1"})
    assert response.status_code == 400, (url, response.content)
    assert "no_such_filter" in response.json()
    common = {"format": "json"}
    if list_views()[url].pagination_class is not None:
        common |= {"page": "1", "page_size": "5"}
    ok = client.get(url, common)
    assert ok.status_code == 200, (url, ok.content)


def test_a_list_keeps_its_own_declared_parameters(api_as, outsider):
    assert api_as(outsider).get("/api/v1/scorecards/?history=true").status_code == 200
    assert api_as(outsider).get("/api/v1/teams/?ordering=name").status_code == 200


@pytest.mark.parametrize("url", ["/api/v1/observations/", "/api/v1/saved-views/", "/api/v1/watches/"])
def test_json_nested_thousands_deep_is_a_400_not_a_500(staff_api, url):
    """``[[[...]]]`` 5,000 deep hit Python's recursion limit inside the JSON parser: a 500."""
    body = "[" * 5000 + "]" * 5000
    response = staff_api.post(url, body, content_type="application/json")
    assert response.status_code == 400, response.content
    assert response.json() == {"detail": "JSON parse error - nested too deeply."}
    assert not Observation.objects.exists()
