"""The practices API: scorecards (latest, history, filters, next level), self-assessments, survey and
engagements; permissions and query counts."""

import datetime

import pytest
from django.utils import timezone

from apps.practices import services
from apps.practices.models import Engagement, ScorecardSnapshot, SelfAssessment, SurveyResponse
from apps.teams.models import InteractionMode, MemberRole, TeamType
from tests.conftest import member_of
from tests.factories import InteractionFactory, MembershipFactory, TeamFactory
from tests.practices.factories import SelfAssessmentFactory, SurveyResponseFactory, SurveyRoundFactory
from tests.querycount import assert_queries_independent_of_rows
from tests.registry.factories import ModelVersionFactory, RegisteredModelFactory, stage_change

pytestmark = pytest.mark.django_db
NEXT_YEAR = (timezone.localdate() + datetime.timedelta(days=365)).isoformat()
ANSWERS = {
    "owned_scope": 4,
    "extraneous_work": 3,
    "specialist_knowledge": 5,
    "waiting_on_others": 2,
    "onboarding": 3,
    "context_switching": 1,
}
LISTS = [
    "/api/v1/scorecards/",
    "/api/v1/self-assessments/",
    "/api/v1/survey-rounds/",
    "/api/v1/survey-responses/",
    "/api/v1/engagements/",
    "/api/v1/stream-delivery/",
]


@pytest.mark.parametrize("url", [*LISTS, "/api/v1/scorecards/rubric/"])
def test_anonymous_gets_401(anon_api, url):
    assert anon_api.get(url).status_code == 401


def test_scorecard_list_holds_latest_per_subject_and_filters(api_as, outsider):
    team = TeamFactory(slug="alpha")
    model = RegisteredModelFactory(owning_team=team, slug="churn")
    ModelVersionFactory(model=model)
    services.scorecards_recompute(now=timezone.now() - datetime.timedelta(days=10))
    SelfAssessmentFactory(team=team, practice="version_control")
    SelfAssessmentFactory(team=team, practice="code_review")
    services.scorecards_recompute()
    client = api_as(outsider)
    body = client.get("/api/v1/scorecards/").json()
    assert body["count"] == ScorecardSnapshot.objects.filter(is_latest=True).count()
    assert client.get("/api/v1/scorecards/?history=true").json()["count"] == ScorecardSnapshot.objects.count()
    teams = client.get("/api/v1/scorecards/?subject_type=team&team=alpha").json()["results"]
    assert [(r["team"], r["level_name"]) for r in teams] == [("alpha", "Bronze")]
    models = client.get("/api/v1/scorecards/?model=churn").json()["results"]
    assert [r["model"] for r in models] == ["churn"]
    assert client.get("/api/v1/scorecards/?level=1&subject_type=team").json()["count"] == 1
    bad = client.get("/api/v1/scorecards/?level=7")
    assert bad.status_code == 400 and "level" in bad.json()
    assert "team" in client.get("/api/v1/scorecards/?team=nope").json()


def test_team_scorecard_detail_has_latest_next_level_and_history(api_as, outsider):
    team = TeamFactory(slug="beta")
    services.team_scorecard_recompute(team=team, now=timezone.now() - datetime.timedelta(days=5))
    SelfAssessmentFactory(team=team, practice="version_control")
    services.team_scorecard_recompute(team=team)
    body = api_as(outsider).get("/api/v1/scorecards/team/beta/").json()
    assert body["latest"]["level"] == 0
    assert len(body["history"]) == 2
    assert [c["check"] for c in body["next_level_needs"]["checks"]] == ["practice_code_review"]
    assert body["next_level_needs"]["level_name"] == "Bronze"
    assert api_as(outsider).get("/api/v1/scorecards/team/nope/").status_code == 404


def test_model_scorecard_detail(api_as, outsider):
    model = RegisteredModelFactory(slug="fraud-score")
    version = ModelVersionFactory(model=model, stage="production")
    stage_change(version, is_override=True, days_ago=3)
    services.scorecards_recompute(teams=[], models=[model])
    body = api_as(outsider).get("/api/v1/scorecards/model/fraud-score/").json()
    results = {r["check"]: r for r in body["latest"]["results"]}
    assert results["no_gate_overrides"]["status"] == "fail"
    assert results["outcome_data_arriving"]["status"] == "no_data"
    assert "no_gate_overrides" in [c["check"] for c in body["next_level_needs"]["checks"]]


def test_recompute_endpoint_permissions(api_as, team, team_lead, team_engineer):
    assert api_as(team_engineer).post("/api/v1/scorecards/recompute/", {"team": team.slug}).status_code == 403
    response = api_as(team_lead).post("/api/v1/scorecards/recompute/", {"team": team.slug})
    assert response.status_code == 200 and response.json()["team"] == team.slug
    both = api_as(team_lead).post("/api/v1/scorecards/recompute/", {"team": team.slug, "model": "x"})
    assert both.status_code == 400


def test_rubric_endpoint(api_as, outsider):
    rows = api_as(outsider).get("/api/v1/scorecards/rubric/").json()
    by_check = {r["check"]: r for r in rows}
    assert by_check["training_reproducible"]["level_name"] == "Gold"
    assert by_check["practice_ci"]["subject"] == "team"


def test_self_assessment_crud_and_permissions(api_as, team, team_lead, team_engineer, outsider):
    payload = {
        "team": team.slug,
        "practice": "ci",
        "evidence_url": "https://ci.example.com/p",
        "expires_on": NEXT_YEAR,
    }
    assert api_as(team_engineer).post("/api/v1/self-assessments/", payload, format="json").status_code == 403
    assert api_as(outsider).post("/api/v1/self-assessments/", payload, format="json").status_code == 403
    created = api_as(team_lead).post("/api/v1/self-assessments/", payload, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["assessed_by"] == team_lead.username and created.json()["is_expired"] is False
    duplicate = api_as(team_lead).post("/api/v1/self-assessments/", payload, format="json")
    assert duplicate.status_code == 400
    pk = created.json()["id"]
    assert api_as(outsider).get(f"/api/v1/self-assessments/{pk}/").status_code == 200
    past = (timezone.localdate() - datetime.timedelta(days=1)).isoformat()
    patched = api_as(team_lead).patch(f"/api/v1/self-assessments/{pk}/", {"expires_on": past}, format="json")
    assert patched.json()["is_expired"] is True
    assert api_as(team_engineer).delete(f"/api/v1/self-assessments/{pk}/").status_code == 403
    assert api_as(team_lead).delete(f"/api/v1/self-assessments/{pk}/").status_code == 204


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"evidence_url": "ftp://x.example.com"}, "evidence_url"),
        ({"practice": "astrology"}, "practice"),
        ({"expires_on": "someday"}, "expires_on"),
        ({"colour": "red"}, "colour"),
    ],
)
def test_self_assessment_bad_input_is_400_naming_the_field(api_as, team, team_lead, change, field):
    payload = {
        "team": team.slug,
        "practice": "ci",
        "evidence_url": "https://ci.example.com",
        "expires_on": NEXT_YEAR,
    }
    response = api_as(team_lead).post("/api/v1/self-assessments/", payload | change, format="json")
    assert response.status_code == 400
    assert field in response.json()
    assert not SelfAssessment.objects.exists()


def test_survey_answers_by_members_for_their_own_team(api_as, team, team_engineer, outsider, staff_user):
    survey_round = SurveyRoundFactory()
    payload = {"round": survey_round.pk, "team": team.slug} | ANSWERS
    assert api_as(outsider).post("/api/v1/survey-responses/", payload, format="json").status_code == 403
    other = TeamFactory()
    assert (
        api_as(team_engineer)
        .post("/api/v1/survey-responses/", payload | {"team": other.slug}, format="json")
        .status_code
        == 403
    )
    created = api_as(team_engineer).post("/api/v1/survey-responses/", payload, format="json")
    assert created.status_code == 201, created.json()
    assert created.json()["respondent"] == team_engineer.username
    assert created.json()["load_score"] == pytest.approx(3.0)
    again = api_as(team_engineer).post(
        "/api/v1/survey-responses/", payload | {"owned_scope": 1}, format="json"
    )
    assert again.status_code == 201 and SurveyResponse.objects.count() == 1
    out_of_range = api_as(team_engineer).post(
        "/api/v1/survey-responses/", payload | {"onboarding": 9}, format="json"
    )
    assert out_of_range.status_code == 400 and "onboarding" in out_of_range.json()
    # Individual answers are private; results are shared in aggregate.
    assert api_as(outsider).get("/api/v1/survey-responses/").json()["count"] == 0
    assert api_as(staff_user).get("/api/v1/survey-responses/").json()["count"] == 1
    results = api_as(outsider).get(f"/api/v1/survey-rounds/results/?team={team.slug}").json()
    assert results[0]["respondents"] == 1 and results[0]["team"] == team.slug


def test_survey_rounds_are_opened_by_staff(api_as, team_lead, staff_user):
    payload = {"name": "Spring", "opens_on": "2026-03-01", "closes_on": "2026-03-14"}
    assert api_as(team_lead).post("/api/v1/survey-rounds/", payload).status_code == 403
    assert api_as(staff_user).post("/api/v1/survey-rounds/", payload).status_code == 201
    backwards = api_as(staff_user).post(
        "/api/v1/survey-rounds/", payload | {"name": "B", "closes_on": "2026-01-01"}
    )
    assert backwards.status_code == 400 and "closes_on" in backwards.json()


def test_engagement_lifecycle_through_api(api_as, team):
    enabling = TeamFactory(team_type=TeamType.ENABLING, value_stream=None)
    lead = member_of(enabling, MemberRole.LEAD)
    interaction = InteractionFactory(
        from_team=enabling,
        to_team=team,
        mode=InteractionMode.FACILITATING,
        start_date=timezone.localdate(),
        expected_end=timezone.localdate() + datetime.timedelta(days=30),
    )
    client = api_as(lead)
    bad = client.post(
        "/api/v1/engagements/", {"interaction": interaction.pk, "goals": ["nope"]}, format="json"
    )
    assert bad.status_code == 400 and "goals" in bad.json()
    created = client.post(
        "/api/v1/engagements/", {"interaction": interaction.pk, "goals": ["practice_ci"]}, format="json"
    )
    assert created.status_code == 201, created.json()
    body = created.json()
    assert body["team"] == team.slug and body["before"]["level"] == 0 and body["after"] is None
    SelfAssessmentFactory(team=team, practice="ci")
    completed = client.post(f"/api/v1/engagements/{body['id']}/complete/")
    assert completed.status_code == 200
    assert (
        completed.json()["goal_progress"][0] | {"check": "practice_ci"}
        == completed.json()["goal_progress"][0]
    )
    assert completed.json()["goal_progress"][0]["improved"] is True
    assert client.post(f"/api/v1/engagements/{body['id']}/complete/").status_code == 409
    assert Engagement.objects.get().completed_at is not None


def test_stream_delivery_endpoint(api_as, outsider):
    platform_model = RegisteredModelFactory()
    version = ModelVersionFactory(model=platform_model, stage="production")
    stage_change(version, days_ago=2)
    rows = api_as(outsider).get("/api/v1/stream-delivery/").json()
    row = next(r for r in rows if r["stream"] == platform_model.value_stream.slug)
    assert row["production_models"] == 1 and row["self_service_share"] == 1.0
    assert row["requests_available"] in (True, False)


def add_rows():
    team = TeamFactory()
    model = RegisteredModelFactory(owning_team=team)
    version = ModelVersionFactory(model=model, stage="production")
    stage_change(version, days_ago=3)
    SelfAssessmentFactory(team=team)
    SurveyRoundFactory()
    responder = member_of(team, MemberRole.ENGINEER)
    SurveyResponseFactory(team=team, respondent=responder)
    enabling = TeamFactory(team_type=TeamType.ENABLING, value_stream=None)
    interaction = InteractionFactory(
        from_team=enabling,
        to_team=team,
        mode=InteractionMode.FACILITATING,
        expected_end=timezone.localdate() + datetime.timedelta(days=9),
    )
    services.engagement_create(
        actor=member_of(enabling, MemberRole.LEAD),
        data={"interaction": interaction, "goals": ["practice_ci"]},
    )
    services.scorecards_recompute(teams=[team], models=[model])


@pytest.mark.parametrize(
    "url", LISTS + ["/api/v1/scorecards/?history=true", "/api/v1/survey-rounds/results/"]
)
def test_list_endpoints_query_count_is_independent_of_rows(api_as, staff_user, url):
    assert_queries_independent_of_rows(api_as(staff_user), url, add_rows)


def test_schema_documents_practices_endpoints(api_as, outsider):
    schema = api_as(outsider).get("/api/schema/?format=json").json()
    for path in (
        "/api/v1/scorecards/",
        "/api/v1/scorecards/team/{slug}/",
        "/api/v1/engagements/{id}/complete/",
    ):
        assert path in schema["paths"], path


def test_engagement_goals_update_and_outsiders_are_refused(api_as, team, outsider):
    enabling = TeamFactory(team_type=TeamType.ENABLING, value_stream=None)
    lead = member_of(enabling, MemberRole.LEAD)
    interaction = InteractionFactory(
        from_team=enabling,
        to_team=team,
        mode=InteractionMode.FACILITATING,
        expected_end=timezone.localdate() + datetime.timedelta(days=9),
    )
    engagement = services.engagement_create(
        actor=lead, data={"interaction": interaction, "goals": ["practice_ci"]}
    )
    url = f"/api/v1/engagements/{engagement.pk}/"
    assert api_as(outsider).patch(url, {"goals": ["practice_monitoring"]}, format="json").status_code == 403
    assert api_as(outsider).post(f"{url}complete/").status_code == 403
    response = api_as(lead).patch(url, {"goals": ["practice_monitoring", "beats_baseline"]}, format="json")
    assert response.status_code == 200 and response.json()["goals"] == [
        "practice_monitoring",
        "beats_baseline",
    ]
    assert api_as(lead).patch(url, {"goals": []}, format="json").status_code == 400


def test_a_member_cannot_change_someone_elses_answers(api_as, team, team_engineer):
    other = member_of(team, MemberRole.DATA_SCIENTIST)
    response = SurveyResponseFactory(team=team, respondent=other)
    url = f"/api/v1/survey-responses/{response.pk}/"
    assert api_as(team_engineer).patch(url, {"onboarding": 1}, format="json").status_code == 404
    assert api_as(other).patch(url, {"onboarding": 1}, format="json").status_code == 200
    response.refresh_from_db()
    assert response.onboarding == 1


def test_patching_an_answer_to_another_team_or_round_is_refused_not_duplicated(api_as, team):
    respondent = member_of(team, MemberRole.DATA_SCIENTIST)
    other_team = TeamFactory()
    MembershipFactory(team=other_team, user=respondent, role=MemberRole.DATA_SCIENTIST)
    response = SurveyResponseFactory(team=team, respondent=respondent)
    url = f"/api/v1/survey-responses/{response.pk}/"
    moved = api_as(respondent).patch(url, {"team": other_team.slug}, format="json")
    assert moved.status_code == 400 and "team" in moved.json()
    moved = api_as(respondent).patch(url, {"round": SurveyRoundFactory().pk}, format="json")
    assert moved.status_code == 400 and "round" in moved.json()
    assert list(SurveyResponse.objects.values_list("pk", flat=True)) == [response.pk]
    same = api_as(respondent).patch(url, {"team": team.slug, "onboarding": 2}, format="json")
    assert same.status_code == 200 and same.json()["id"] == response.pk
