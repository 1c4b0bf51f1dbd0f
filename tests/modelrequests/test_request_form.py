"""The request form: the user's team preselected, the stream taken from it, the KPI one of that
stream's KPIs (provided by outcomes through a hook), delivering teams limited to platform and
complicated-subsystem teams; the row is checked afterwards."""

import pytest

from apps.modelrequests.models import ModelRequest
from apps.teams.models import MemberRole
from tests.conftest import member_of
from tests.factories import TeamFactory
from tests.outcomes.factories import KpiFactory

pytestmark = pytest.mark.django_db


def _post(cast, **changes):
    data = {
        "title": "Basket recommender",
        "problem_statement": "Baskets are small.",
        "requesting_team": cast.requesting.pk,
        "delivering_team": cast.delivering.pk,
        "kpi": "Conversion",
        "expected_change": "2",
        "affected_volume": "1000",
        "label_availability": "unknown",
        "simplest_alternative": "Top sellers.",
        "attachments": "",
    }
    data.update(changes)
    return data


def test_the_form_preselects_the_team_offers_its_kpis_and_delivering_teams(client, browser_login, cast):
    KpiFactory(stream=cast.requesting.value_stream, name="Conversion", unit="rate")
    KpiFactory(stream=cast.requesting.value_stream, name="Basket size", unit="EUR")
    other_stream_aligned = TeamFactory(name="Search")
    engineer = cast["request_engineer"]
    browser_login(client, engineer)
    form = client.get("/requests/new/").context["form"]
    assert form.initial["requesting_team"] == cast.requesting.pk
    assert form.initial["value_stream"] == cast.requesting.value_stream_id
    delivering = set(form.fields["delivering_team"].queryset)
    assert cast.delivering in delivering and other_stream_aligned not in delivering
    kpi_choices = dict(form.fields["kpi"].choices)
    assert dict(kpi_choices[cast.requesting.value_stream.name]) == {
        "Basket size": "Basket size",
        "Conversion": "Conversion",
    }

    response = client.post("/requests/new/", _post(cast))
    assert response.status_code == 302, response.context["form"].errors
    row = ModelRequest.objects.get(title="Basket recommender")
    assert (row.value_stream, row.kpi, row.created_by) == (
        cast.requesting.value_stream,
        "Conversion",
        engineer,
    )


def test_a_kpi_of_another_stream_or_a_non_delivering_team_is_refused(client, browser_login, cast):
    KpiFactory(stream=cast.requesting.value_stream, name="Conversion", unit="rate")
    elsewhere = TeamFactory()
    KpiFactory(stream=elsewhere.value_stream, name="Fraud loss", unit="EUR")
    browser_login(client, member_of(cast.requesting, MemberRole.ENGINEER))
    response = client.post("/requests/new/", _post(cast, kpi="Fraud loss", delivering_team=elsewhere.pk))
    assert response.status_code == 200
    errors = response.context["form"].errors
    assert "is not a KPI of" in errors["kpi"][0]
    assert "delivering_team" in errors
    assert not ModelRequest.objects.filter(title="Basket recommender").exists()
