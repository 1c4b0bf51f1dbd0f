"""Filters: an invalid value is a 400 naming the filter and what it allows on every API list; the
browser pages ignore it (and never fail)."""

import django_filters
import pytest

from apps.core.filters import YesNoFilter
from apps.modelrequests.models import RequestStatus
from apps.registry.models import Severity
from apps.teams.models import TeamType
from tests.core.api_lists import list_views
from tests.factories import TeamFactory

pytestmark = pytest.mark.django_db

YES_NO_FILTERS = sorted(
    (url, name)
    for url, view in list_views().items()
    for name, field in getattr(getattr(view, "filterset_class", None), "base_filters", {}).items()
    if isinstance(field, django_filters.BooleanFilter)
)
ALLOWED = "Allowed: true, false (or empty for any)."
STAFF_ONLY_LISTS = {"/api/v1/users/"}


def test_the_yes_no_filters_are_found():
    assert len(YES_NO_FILTERS) >= 5, YES_NO_FILTERS


@pytest.mark.parametrize("url,name", YES_NO_FILTERS)
def test_every_yes_no_filter_refuses_junk_with_a_400_naming_it(api_as, outsider, staff_user, url, name):
    client = api_as(staff_user if url in STAFF_ONLY_LISTS else outsider)
    response = client.get(url, {name: "maybe"})
    assert response.status_code == 400, response.content
    assert response.json() == {name: [f"“maybe” is not a yes/no value. {ALLOWED}"]}
    for value in ("true", "FALSE", "1", "0", ""):
        assert client.get(url, {name: value}).status_code == 200, value


@pytest.mark.parametrize("url,name", YES_NO_FILTERS)
def test_yes_no_filters_are_the_shared_strict_one(url, name):
    # a bare django_filters.BooleanFilter turns junk into "no filter"
    assert isinstance(list_views()[url].filterset_class.base_filters[name], YesNoFilter)


def test_yes_no_filter_still_filters(api_as, outsider):
    TeamFactory(name="Platform", provides_services=True)
    TeamFactory(name="Stream", provides_services=False)
    client = api_as(outsider)
    for value, names in [("true", ["Platform"]), ("0", ["Stream"]), ("", ["Platform", "Stream"])]:
        results = client.get("/api/v1/teams/", {"provides_services": value, "ordering": "name"}).json()
        assert [team["name"] for team in results["results"]] == names, value


@pytest.mark.parametrize(
    "url,params,field,message",
    [
        ("/api/v1/teams/", {"team_type": "bogus"}, "team_type", "Select a valid choice"),
        ("/api/v1/interactions/", {"status": "someday"}, "status", "Select a valid choice"),
        ("/api/v1/model-requests/", {"status": "nope"}, "status", "Select a valid choice"),
        ("/api/v1/feedback/", {"severity": "huge"}, "severity", "Select a valid choice"),
        ("/api/v1/training-jobs/", {"dataset_version": "x"}, "dataset_version", "Enter a number"),
        ("/api/v1/observations/", {"since": "yesterday"}, "since", "Enter a valid date/time"),
        ("/api/v1/teams/", {"stream": "no-such-stream"}, "stream", "Select a valid choice"),
        # beyond 64 bits: PostgreSQL found nothing, the quick start's SQLite raised OverflowError (a 500)
        ("/api/v1/observations/", {"kpi": "9" * 26}, "kpi", "Enter a whole number"),
        ("/api/v1/training-jobs/", {"dataset_version": "9" * 26}, "dataset_version", "Enter a whole number"),
        ("/api/v1/training-jobs/", {"model_request": "-" + "9" * 30}, "model_request", "Enter a whole"),
    ],
)
def test_invalid_choices_numbers_and_dates_are_400_naming_the_filter(
    api_as, outsider, url, params, field, message
):
    response = api_as(outsider).get(url, params)
    assert response.status_code == 400, response.content
    assert message in response.json()[field][0]


@pytest.mark.parametrize(
    "url,field,allowed",
    [
        ("/api/v1/teams/?team_type=bogus", "team_type", TeamType.values),
        ("/api/v1/interactions/?status=someday", "status", ["current", "planned", "overdue", "ended"]),
        ("/api/v1/model-requests/?status=nope", "status", RequestStatus.values),
        ("/api/v1/model-requests/flow/?status=nope", "status", RequestStatus.values),
        ("/api/v1/feedback/?severity=huge", "severity", Severity.values),
    ],
)
def test_an_invalid_choice_names_the_allowed_values(api_as, outsider, url, field, allowed):
    response = api_as(outsider).get(url)
    assert response.status_code == 400
    assert response.json()[field][-1] == f"Allowed: {', '.join(allowed)}."


def test_an_unknown_slug_does_not_list_every_row(api_as, outsider):
    TeamFactory()
    [message] = api_as(outsider).get("/api/v1/model-requests/?delivering_team=nope").json()["delivering_team"]
    assert message.startswith("Select a valid choice.")


@pytest.mark.parametrize(
    "url",
    [
        "/teams/?provides_services=maybe",
        "/models/feedback/?overdue=maybe",
        "/training/?latest=maybe",
        "/practices/engagements/?completed=maybe",
        "/teams/?team_type=bogus",
    ],
)
def test_browser_pages_ignore_junk_filter_values(client, browser_login, outsider, url):
    TeamFactory()
    response = browser_login(client, outsider).get(url)
    assert response.status_code == 200
    assert response.context["page"].paginator.count >= (1 if url.startswith("/teams/") else 0)


@pytest.mark.django_db
def test_every_list_filters_empty_choice_reads_any_and_its_label():
    import re

    from apps.modelrequests.filtersets import ModelRequestFilterSet
    from apps.modelrequests.models import ModelRequest
    from apps.registry.filtersets import RegisteredModelFilterSet
    from apps.registry.models import RegisteredModel

    for filterset_class, model in (
        (RegisteredModelFilterSet, RegisteredModel),
        (ModelRequestFilterSet, ModelRequest),
    ):
        html = str(filterset_class({}, queryset=model.objects.none()).form)
        empty = re.findall(r'<option value=""[^>]*>([^<]*)</option>', html)
        assert empty and all(label.startswith("Any") for label in empty), empty
        assert "---------" not in html


def _portal_filtersets():
    import importlib
    from importlib.util import find_spec

    from django.apps import apps as django_apps

    from apps.core.filters import PortalFilterSet

    for config in django_apps.get_app_configs():
        if config.name.startswith("apps.") and find_spec(f"{config.name}.filtersets"):
            importlib.import_module(f"{config.name}.filtersets")
    found, todo = [], [PortalFilterSet]
    while todo:
        for subclass in todo.pop().__subclasses__():
            found.append(subclass)
            todo.append(subclass)
    return found


def test_every_number_and_single_model_choice_filter_is_the_bounded_one():
    # a bare NumberFilter or ModelChoiceFilter lets a value beyond 64 bits reach SQLite (a 500)
    from django import forms

    from apps.core.filters import BoundedModelChoiceField, BoundedNumberField

    filtersets = _portal_filtersets()
    assert len(filtersets) >= 20, filtersets
    checked = []
    for filterset in filtersets:
        for name, declared in filterset.base_filters.items():
            field_class = declared.field_class
            single_choice = issubclass(field_class, forms.ModelChoiceField) and not issubclass(
                field_class, forms.ModelMultipleChoiceField
            )
            if single_choice:
                assert issubclass(field_class, BoundedModelChoiceField), (filterset, name)
            elif issubclass(field_class, forms.DecimalField | forms.IntegerField):
                assert issubclass(field_class, BoundedNumberField), (filterset, name)
            else:
                continue
            checked.append((filterset.__name__, name))
    assert ("ObservationFilterSet", "kpi") in checked, checked
    assert len(checked) >= 20, checked
