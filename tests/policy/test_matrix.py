"""Permission matrix of the write endpoints the escalations went through (API, and the team's
browser form): each action x each kind of caller, the expected answer written out, and the row
checked afterwards (changed only when allowed).

The world: value streams Checkout (PM ``stream_pm``) and Fraud (PM ``other_pm``); the team Payments
in Checkout (lead ``owning_lead``, engineer ``member``) owns the model ``basket-score`` and Checkout
has the KPI Conversion; the team Signals in Fraud has the engineer ``other_member``. ``read_only`` is
platform staff calling with a read-only token."""

import pytest
from rest_framework.test import APIClient

from apps.outcomes.models import Kpi, Observation
from apps.registry.models import RegisteredModel
from apps.teams.models import MemberRole, Team, ValueStream
from tests.factories import (
    MembershipFactory,
    StaffFactory,
    TeamFactory,
    UserFactory,
    ValueStreamFactory,
    api_token,
)
from tests.outcomes.factories import KpiFactory
from tests.registry.factories import RegisteredModelFactory

pytestmark = pytest.mark.django_db

ROLES = ["anonymous", "member", "other_member", "owning_lead", "stream_pm", "other_pm", "read_only", "staff"]


@pytest.fixture
def world():
    stream_pm, other_pm = UserFactory(), UserFactory()
    checkout = ValueStreamFactory(name="Checkout", slug="checkout", product_manager=stream_pm)
    fraud = ValueStreamFactory(name="Fraud", slug="fraud", product_manager=other_pm)
    payments = TeamFactory(name="Payments", slug="payments", value_stream=checkout)
    signals = TeamFactory(name="Signals", slug="signals", value_stream=fraud)
    users = {
        "member": MembershipFactory(team=payments, role=MemberRole.ENGINEER).user,
        "other_member": MembershipFactory(team=signals, role=MemberRole.ENGINEER).user,
        "owning_lead": MembershipFactory(team=payments, role=MemberRole.LEAD).user,
        "stream_pm": stream_pm,
        "other_pm": other_pm,
        "read_only": StaffFactory(),
        "staff": StaffFactory(),
    }
    model = RegisteredModelFactory(slug="basket-score", owning_team=payments, value_stream=checkout)
    kpi = KpiFactory(stream=checkout, name="Conversion")
    return {"users": users, "kpi": kpi, "model": model, "checkout": checkout, "payments": payments}


def client_for(role, world):
    client = APIClient()
    if role != "anonymous":
        read_only = role == "read_only"
        token = api_token(world["users"][role], read_only=read_only)
        client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def team_stream(w):
    return Team.objects.get(pk=w["payments"].pk).value_stream.slug


def team_focus(w):
    return Team.objects.get(pk=w["payments"].pk).focus


def kpi_target(w):
    return Kpi.objects.get(pk=w["kpi"].pk).target


def kpi_exists(w):
    return Kpi.objects.filter(pk=w["kpi"].pk).exists()


def kpi_retired(w):
    return Kpi.objects.get(pk=w["kpi"].pk).retired_at is not None


def observation_count(w):
    return Observation.objects.filter(kpi=w["kpi"]).count()


def model_owner(w):
    return RegisteredModel.objects.get(pk=w["model"].pk).owning_team.slug


def model_purpose(w):
    return RegisteredModel.objects.get(pk=w["model"].pk).purpose


def stream_description(w):
    return ValueStream.objects.get(pk=w["checkout"].pk).description


def stream_slug(w):
    return ValueStream.objects.get(pk=w["checkout"].pk).slug


# action: (method, url, body, allowed roles, success status, read the row, value once changed)
ACTIONS = {
    "move the team into another stream": (
        "patch",
        "/api/v1/teams/payments/",
        {"value_stream": "fraud"},
        {"staff"},
        200,
        team_stream,
        "fraud",
    ),
    "edit the team": (
        "patch",
        "/api/v1/teams/payments/",
        {"focus": "New focus"},
        {"owning_lead", "staff"},
        200,
        team_focus,
        "New focus",
    ),
    "change the stream's KPI": (
        "patch",
        "/api/v1/kpis/{kpi}/",
        {"target": 0.5},
        {"stream_pm", "staff"},
        200,
        kpi_target,
        0.5,
    ),
    "delete the stream's KPI": (
        "delete",
        "/api/v1/kpis/{kpi}/",
        None,
        {"stream_pm", "staff"},
        204,
        kpi_exists,
        False,
    ),
    "retire the stream's KPI": (
        "post",
        "/api/v1/kpis/{kpi}/retire/",
        None,
        {"stream_pm", "staff"},
        200,
        kpi_retired,
        True,
    ),
    "post an observation": (
        "post",
        "/api/v1/observations/",
        [{"kpi": "{kpi}", "time": "2026-01-01", "value": 1}],
        {"member", "owning_lead", "stream_pm", "staff"},
        201,
        observation_count,
        1,
    ),
    "hand the model to another team": (
        "patch",
        "/api/v1/models/basket-score/",
        {"owning_team": "signals"},
        {"staff"},
        200,
        model_owner,
        "signals",
    ),
    "edit the model": (
        "patch",
        "/api/v1/models/basket-score/",
        {"purpose": "Rank baskets."},
        {"owning_lead", "staff"},
        200,
        model_purpose,
        "Rank baskets.",
    ),
    "describe the stream": (
        "patch",
        "/api/v1/streams/checkout/",
        {"description": "Ours."},
        {"stream_pm", "staff"},
        200,
        stream_description,
        "Ours.",
    ),
    "change the stream's slug": (
        "patch",
        "/api/v1/streams/checkout/",
        {"slug": "checkout-eu"},
        {"staff"},
        200,
        stream_slug,
        "checkout-eu",
    ),
}


def fill(value, w):
    if isinstance(value, str):
        return value.replace("{kpi}", str(w["kpi"].pk))
    if isinstance(value, list):
        return [fill(item, w) for item in value]
    if isinstance(value, dict):
        return {key: int(fill(v, w)) if v == "{kpi}" else fill(v, w) for key, v in value.items()}
    return value


@pytest.mark.parametrize("role", ROLES)
@pytest.mark.parametrize("action", list(ACTIONS))
def test_matrix(world, role, action):
    method, url, body, allowed, success, read, changed = ACTIONS[action]
    before = read(world)
    client = client_for(role, world)
    kwargs = {"format": "json"} if body is not None else {}
    response = getattr(client, method)(fill(url, world), fill(body, world), **kwargs)
    expected = success if role in allowed else (401 if role == "anonymous" else 403)
    assert response.status_code == expected, response.content
    assert read(world) == (changed if expected == success else before)


def team_form(team, **changes):
    return {
        "name": team.name,
        "slug": team.slug,
        "team_type": team.team_type,
        "value_stream": team.value_stream_id,
        "capacity_points": team.capacity_points,
        "wip_limit": team.wip_limit,
        "focus": team.focus,
    } | changes


# browser form: (url, form data, allowed roles, read the row, value once changed)
FORMS = {
    "edit the team in its form": (
        "/teams/payments/edit/",
        lambda w: team_form(w["payments"], focus="From the form"),
        {"owning_lead", "staff"},
        team_focus,
        "From the form",
    ),
    "move the team through its form": (
        "/teams/payments/edit/",
        lambda w: team_form(w["payments"], value_stream=ValueStream.objects.get(slug="fraud").pk),
        {"staff"},
        team_stream,
        "fraud",
    ),
}


@pytest.mark.parametrize("role", [role for role in ROLES if role != "read_only"])
@pytest.mark.parametrize("action", list(FORMS))
def test_browser_form_matrix(world, client, browser_login, role, action):
    url, data, allowed, read, changed = FORMS[action]
    before = read(world)
    if role != "anonymous":
        browser_login(client, world["users"][role])
    response = client.post(url, data(world))
    if role == "anonymous":
        assert response.status_code == 302 and "/login/" in response["Location"]
    elif role in allowed:
        assert response.status_code == 302, response.content.decode()[:500]
    else:
        assert response.status_code in (200, 403)  # refused, or the form shown again naming who can
        assert "Only " in response.content.decode()
    assert read(world) == (changed if role in allowed else before)
