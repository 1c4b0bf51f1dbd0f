"""The escalation chains of issue 13, tried as a security reviewer would, through the API (and the
browser forms, which copy posted values onto the instance before the service sees it). Each refused
step leaves the row as it was; each allowed step changes it."""

import datetime

import pytest
from django.forms.models import model_to_dict

from apps.outcomes.models import Kpi, Observation
from apps.practices.models import SurveyResponse
from apps.registry.models import RegisteredModel
from apps.teams.models import MemberRole, Team, ValueStream
from apps.teams.services import TEAM_FIELDS
from tests.factories import MembershipFactory, StaffFactory, TeamFactory, UserFactory, ValueStreamFactory
from tests.outcomes.factories import KpiFactory, observations
from tests.practices.factories import SurveyResponseFactory, SurveyRoundFactory
from tests.registry.factories import RegisteredModelFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    """Checkout (with its PM and a KPI) and Fraud (with the team Fraud Signals and its lead)."""
    checkout_pm, fraud_pm = UserFactory(username="checkout-pm"), UserFactory(username="fraud-pm")
    checkout = ValueStreamFactory(name="Checkout", slug="checkout", product_manager=checkout_pm)
    fraud = ValueStreamFactory(name="Fraud", slug="fraud", product_manager=fraud_pm)
    signals = TeamFactory(name="Fraud Signals", slug="fraud-signals", value_stream=fraud)
    payments = TeamFactory(name="Payments", slug="payments", value_stream=checkout)
    lead = MembershipFactory(team=signals, role=MemberRole.LEAD).user
    member = MembershipFactory(team=payments, role=MemberRole.ENGINEER).user
    kpi = KpiFactory(stream=checkout, name="Conversion")
    return {
        "checkout": checkout,
        "fraud": fraud,
        "checkout_pm": checkout_pm,
        "fraud_pm": fraud_pm,
        "signals": signals,
        "payments": payments,
        "lead": lead,
        "member": member,
        "kpi": kpi,
        "staff": StaffFactory(),
    }


def stream_of(team) -> str:
    return Team.objects.get(pk=team.pk).value_stream.slug


def test_a_lead_cannot_move_their_team_into_another_stream_and_write_its_kpis(org, api_as):
    lead = api_as(org["lead"])
    moved = lead.patch("/api/v1/teams/fraud-signals/", {"value_stream": "checkout"}, format="json")
    assert moved.status_code == 403
    assert moved.json()["detail"] == (
        "Only the product manager of Checkout, or platform staff, can move a team into Checkout."
    )
    assert stream_of(org["signals"]) == "fraud"

    kpi = org["kpi"]
    edited = lead.patch(f"/api/v1/kpis/{kpi.pk}/", {"target": 0.9}, format="json")
    assert edited.status_code == 403
    assert Kpi.objects.get(pk=kpi.pk).target is None
    posted = lead.post(
        "/api/v1/observations/", [{"kpi": kpi.pk, "time": "2026-01-01", "value": 1}], format="json"
    )
    assert posted.status_code == 403
    assert not Observation.objects.filter(kpi=kpi).exists()


def test_the_receiving_stream_pm_alone_does_not_change_someone_elses_team(org, api_as):
    response = api_as(org["checkout_pm"]).patch(
        "/api/v1/teams/fraud-signals/", {"value_stream": "checkout"}, format="json"
    )
    assert response.status_code == 403
    assert stream_of(org["signals"]) == "fraud"


def test_a_team_moves_with_the_receiving_pm_or_platform_staff(org, api_as):
    # The lead is also the accountable PM of the receiving stream: allowed.
    MembershipFactory(team=org["signals"], user=org["checkout_pm"], role=MemberRole.PRODUCT_MANAGER)
    response = api_as(org["checkout_pm"]).patch(
        "/api/v1/teams/fraud-signals/", {"value_stream": "checkout"}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert stream_of(org["signals"]) == "checkout"
    response = api_as(org["staff"]).patch(
        "/api/v1/teams/fraud-signals/", {"value_stream": "fraud"}, format="json"
    )
    assert response.status_code == 200
    assert stream_of(org["signals"]) == "fraud"


def test_the_team_form_checks_the_stored_stream_not_the_posted_one(org, client, browser_login):
    team = org["signals"]
    data = {k: v for k, v in model_to_dict(team, fields=TEAM_FIELDS).items() if v is not None}
    data |= {"value_stream": org["checkout"].pk, "focus": "Now in checkout"}
    browser_login(client, org["lead"])
    response = client.post(f"/teams/{team.slug}/edit/", data)
    assert response.status_code == 403
    team.refresh_from_db()
    assert (team.value_stream.slug, team.focus) == ("fraud", "Own an outcome.")


def test_stream_members_do_not_change_the_streams_kpis(org, api_as):
    kpi = org["kpi"]
    member = api_as(org["member"])
    assert member.patch(f"/api/v1/kpis/{kpi.pk}/", {"target": 0.9}, format="json").status_code == 403
    assert member.delete(f"/api/v1/kpis/{kpi.pk}/").status_code == 403
    assert Kpi.objects.get(pk=kpi.pk).target is None
    # Another stream's PM neither.
    other = api_as(org["fraud_pm"])
    assert other.patch(f"/api/v1/kpis/{kpi.pk}/", {"target": 0.9}, format="json").status_code == 403
    assert Kpi.objects.get(pk=kpi.pk).target is None
    # The stream's teams post observations.
    posted = member.post(
        "/api/v1/observations/", [{"kpi": kpi.pk, "time": "2026-01-01", "value": 1}], format="json"
    )
    assert posted.status_code == 201
    assert Observation.objects.filter(kpi=kpi).count() == 1
    # The stream's PM changes the KPI.
    pm = api_as(org["checkout_pm"])
    assert pm.patch(f"/api/v1/kpis/{kpi.pk}/", {"target": 0.9}, format="json").status_code == 200
    assert Kpi.objects.get(pk=kpi.pk).target == 0.9


def test_a_pm_cannot_pull_another_streams_kpi_into_their_own(org, api_as, client, browser_login):
    kpi = org["kpi"]
    api = api_as(org["fraud_pm"])
    assert api.patch(f"/api/v1/kpis/{kpi.pk}/", {"stream": "fraud"}, format="json").status_code == 403
    data = {k: v for k, v in model_to_dict(kpi).items() if v is not None and k != "id"}
    data["stream"] = org["fraud"].pk
    browser_login(client, org["fraud_pm"])
    assert client.post(f"/outcomes/kpis/{kpi.pk}/edit/", data).status_code == 403
    assert Kpi.objects.get(pk=kpi.pk).stream.slug == "checkout"


def test_a_measured_kpi_is_retired_not_deleted(org, api_as):
    kpi = org["kpi"]
    observations(kpi, [1, 2, 3])
    pm = api_as(org["checkout_pm"])
    refused = pm.delete(f"/api/v1/kpis/{kpi.pk}/")
    assert refused.status_code == 409
    assert "3 observations" in refused.json()["detail"] and refused.json()["allowed"] == ["retire"]
    assert pm.delete(f"/api/v1/kpis/{kpi.pk}/?confirm=true").status_code == 403  # staff only
    assert Observation.objects.filter(kpi=kpi).count() == 3

    assert api_as(org["member"]).post(f"/api/v1/kpis/{kpi.pk}/retire/").status_code == 403
    assert Kpi.objects.get(pk=kpi.pk).retired_at is None
    retired = pm.post(f"/api/v1/kpis/{kpi.pk}/retire/")
    assert retired.status_code == 200 and retired.json()["retired_at"]
    assert Kpi.objects.get(pk=kpi.pk).retired_at is not None
    late = api_as(org["member"]).post(
        "/api/v1/observations/", [{"kpi": kpi.pk, "time": "2026-02-01", "value": 1}], format="json"
    )
    assert late.status_code == 400 and "retired" in late.json()["errors"][0]["message"]
    assert Observation.objects.filter(kpi=kpi).count() == 3

    staff = api_as(org["staff"])
    assert staff.delete(f"/api/v1/kpis/{kpi.pk}/").status_code == 409
    refused = staff.delete(f"/api/v1/kpis/{kpi.pk}/?confirm=maybe")
    # A 400 is an object naming the parameter, as the schema documents every 400 (it was a bare list).
    assert refused.status_code == 400 and refused.json() == {"confirm": ["Must be a valid boolean."]}
    assert Kpi.objects.filter(pk=kpi.pk).exists()
    assert staff.delete(f"/api/v1/kpis/{kpi.pk}/?confirm=true").status_code == 204
    assert not Kpi.objects.filter(pk=kpi.pk).exists()
    assert not Observation.objects.filter(kpi_id=kpi.pk).exists()


def test_an_unmeasured_kpi_is_deleted_by_its_pm(org, api_as):
    kpi = org["kpi"]
    assert api_as(org["checkout_pm"]).delete(f"/api/v1/kpis/{kpi.pk}/").status_code == 204
    assert not Kpi.objects.filter(pk=kpi.pk).exists()


def test_a_model_changes_hands_only_with_the_receiving_team(org, api_as):
    model = RegisteredModelFactory(slug="fraud-score", owning_team=org["signals"])
    lead = api_as(org["lead"])
    refused = lead.patch("/api/v1/models/fraud-score/", {"owning_team": "payments"}, format="json")
    assert refused.status_code == 403
    assert "Payments" in refused.json()["detail"]
    assert RegisteredModel.objects.get(pk=model.pk).owning_team == org["signals"]
    # Attributing the model to another stream (whose KPIs its observations then move) neither.
    refused = lead.patch("/api/v1/models/fraud-score/", {"value_stream": "checkout"}, format="json")
    assert refused.status_code == 403
    assert RegisteredModel.objects.get(pk=model.pk).value_stream == org["fraud"]
    # The receiving team's lead (here also the giving team's) hands it over.
    MembershipFactory(team=org["payments"], user=org["lead"], role=MemberRole.LEAD)
    moved = lead.patch(
        "/api/v1/models/fraud-score/", {"owning_team": "payments", "value_stream": "checkout"}, format="json"
    )
    assert moved.status_code == 200, moved.json()
    model.refresh_from_db()
    assert (model.owning_team, model.value_stream) == (org["payments"], org["checkout"])
    moved = api_as(org["staff"]).patch(
        "/api/v1/models/fraud-score/", {"owning_team": "fraud-signals"}, format="json"
    )
    assert moved.status_code == 200
    assert RegisteredModel.objects.get(pk=model.pk).owning_team == org["signals"]


def test_a_streams_slug_and_pm_are_changed_by_staff_only(org, api_as):
    pm = api_as(org["checkout_pm"])
    assert pm.patch("/api/v1/streams/checkout/", {"slug": "mine"}, format="json").status_code == 403
    handed = pm.patch("/api/v1/streams/checkout/", {"product_manager": org["lead"].username}, format="json")
    assert handed.status_code == 403, handed.json()
    stream = ValueStream.objects.get(pk=org["checkout"].pk)
    assert (stream.slug, stream.product_manager) == ("checkout", org["checkout_pm"])
    assert pm.patch("/api/v1/streams/checkout/", {"description": "Ours"}, format="json").status_code == 200
    assert ValueStream.objects.get(pk=stream.pk).description == "Ours"
    staff = api_as(org["staff"])
    assert staff.patch("/api/v1/streams/checkout/", {"slug": "checkout-eu"}, format="json").status_code == 200
    assert ValueStream.objects.get(pk=stream.pk).slug == "checkout-eu"


def test_platform_staff_answer_and_fix_any_teams_survey(org, api_as):
    survey_round = SurveyRoundFactory()
    answer = SurveyResponseFactory(round=survey_round, team=org["payments"], respondent=org["member"])
    staff = api_as(org["staff"])
    fixed = staff.patch(f"/api/v1/survey-responses/{answer.pk}/", {"onboarding": 5}, format="json")
    assert fixed.status_code == 200, fixed.json()
    answer.refresh_from_db()
    assert (answer.onboarding, answer.respondent) == (5, org["member"])
    answers = {"owned_scope": 2, "extraneous_work": 2, "specialist_knowledge": 2, "waiting_on_others": 2}
    answers |= {"onboarding": 2, "context_switching": 2}
    created = staff.post(
        "/api/v1/survey-responses/",
        {"round": survey_round.pk, "team": "fraud-signals"} | answers,
        format="json",
    )
    assert created.status_code == 201, created.json()
    assert SurveyResponse.objects.filter(team=org["signals"], respondent=org["staff"]).exists()
    # Staff also fix answers once the round has closed.
    survey_round.closes_on = survey_round.opens_on = datetime.date(2020, 1, 1)
    survey_round.save()
    assert (
        staff.patch(f"/api/v1/survey-responses/{answer.pk}/", {"onboarding": 1}, format="json").status_code
        == 200
    )
    assert SurveyResponse.objects.get(pk=answer.pk).onboarding == 1
    # Someone else's answers stay theirs.
    other = api_as(org["lead"]).patch(
        f"/api/v1/survey-responses/{answer.pk}/", {"onboarding": 3}, format="json"
    )
    assert other.status_code in (403, 404)
    assert SurveyResponse.objects.get(pk=answer.pk).onboarding == 1
