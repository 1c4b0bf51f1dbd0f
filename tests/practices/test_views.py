"""The practices pages: they render, forms write through the services with their permissions, and
list pages keep a fixed number of queries."""

import datetime

import pytest
from django.utils import timezone

from apps.practices import services
from apps.practices.models import Engagement, SelfAssessment, SurveyResponse
from apps.teams.models import InteractionMode, MemberRole, TeamType
from tests.conftest import member_of
from tests.factories import InteractionFactory, TeamFactory
from tests.practices.factories import SurveyRoundFactory
from tests.practices.test_api import ANSWERS, add_rows
from tests.querycount import assert_queries_independent_of_rows
from tests.registry.factories import ModelVersionFactory, RegisteredModelFactory

pytestmark = pytest.mark.django_db
NEXT_YEAR = (timezone.localdate() + datetime.timedelta(days=365)).isoformat()


@pytest.mark.parametrize(
    ("url", "queries"),
    [
        ("/practices/", 7),
        ("/practices/self-assessments/", 5),
        ("/practices/engagements/", 6),
        ("/practices/survey/", 4),
        ("/practices/delivery/", 8),
    ],
)
def test_list_pages_query_count_is_independent_of_rows(client, browser_login, staff_user, url, queries):
    browser_login(client, staff_user)
    assert_queries_independent_of_rows(client, url, add_rows, expected=queries)


def test_pages_need_login(client):
    response = client.get("/practices/")
    assert response.status_code == 302 and "/login/" in response["Location"]


def test_team_and_model_scorecard_pages(client, browser_login, outsider):
    team = TeamFactory(name="Basket")
    model = RegisteredModelFactory(owning_team=team, name="Basket churn")
    ModelVersionFactory(model=model, stage="production")
    services.scorecards_recompute(now=timezone.now() - datetime.timedelta(days=7))
    services.scorecards_recompute()
    browser_login(client, outsider)
    page = client.get(f"/practices/teams/{team.slug}/").content.decode()
    assert "Next level: Bronze needs" in page and "Version control (self-assessed)" in page
    assert "Basket churn" in page and 'data-chart="history-figure"' in page
    assert "Assess a practice" not in page  # an outsider may read, not write
    model_page = client.get(f"/practices/models/{model.slug}/").content.decode()
    assert "Production version beats its baseline" in model_page and "no data yet" in model_page
    assert client.get("/practices/teams/nope/").status_code == 404


def test_overview_heatmap_lists_every_team(client, browser_login, outsider):
    computed, never = TeamFactory(name="Computed"), TeamFactory(name="Never computed")
    services.team_scorecard_recompute(team=computed)
    browser_login(client, outsider)
    page = client.get("/practices/").content.decode()
    assert 'data-chart="heatmap-figure"' in page and "Computed" in page and never.name in page
    assert "vendor/plotly/plotly-cartesian.min.js" in page and "cdn" not in page.lower()


def test_lead_records_a_self_assessment_in_the_browser(client, browser_login, team, team_lead):
    browser_login(client, team_lead)
    form = {
        "team": team.pk,
        "practice": "ci",
        "evidence_url": "https://ci.example.com",
        "expires_on": NEXT_YEAR,
    }
    response = client.post(
        "/practices/self-assessments/new/", form | {"evidence_url": "ftp://files.example.com/x"}
    )
    assert response.status_code == 200 and "http(s)" in response.content.decode()
    response = client.post("/practices/self-assessments/new/", form)
    assert response.status_code == 302
    assert SelfAssessment.objects.get().assessed_by == team_lead


def test_engineer_cannot_record_a_self_assessment(client, browser_login, team, team_engineer):
    browser_login(client, team_engineer)
    form = {
        "team": team.pk,
        "practice": "ci",
        "evidence_url": "https://ci.example.com",
        "expires_on": NEXT_YEAR,
    }
    response = client.post("/practices/self-assessments/new/", form)
    assert response.status_code == 403
    assert not SelfAssessment.objects.exists()


def test_member_answers_the_survey_in_the_browser(client, browser_login, team, team_engineer):
    survey_round = SurveyRoundFactory()
    browser_login(client, team_engineer)
    form_page = client.get(f"/practices/survey/{survey_round.pk}/answer/").content.decode()
    assert "strongly agree" in form_page
    response = client.post(f"/practices/survey/{survey_round.pk}/answer/", {"team": team.pk} | ANSWERS)
    assert response.status_code == 302
    assert SurveyResponse.objects.get().respondent == team_engineer
    other = TeamFactory()
    response = client.post(f"/practices/survey/{survey_round.pk}/answer/", {"team": other.pk} | ANSWERS)
    assert response.status_code == 200 and "team" in response.context["form"].errors
    page = client.get("/practices/survey/").content.decode()
    assert team.name in page and 'data-chart="trend-figure"' in page


def test_engagement_page_shows_before_and_after(client, browser_login, team):
    enabling = TeamFactory(team_type=TeamType.ENABLING, value_stream=None, name="Enablers")
    lead = member_of(enabling, MemberRole.LEAD)
    interaction = InteractionFactory(
        from_team=enabling,
        to_team=team,
        mode=InteractionMode.FACILITATING,
        expected_end=timezone.localdate() + datetime.timedelta(days=20),
    )
    browser_login(client, lead)
    response = client.post(
        "/practices/engagements/new/",
        {"interaction": interaction.pk, "goals": ["practice_ci"], "notes": "CI"},
    )
    assert response.status_code == 302
    engagement = Engagement.objects.get()
    page = client.get(engagement.get_absolute_url()).content.decode()
    assert "Enablers enabling" in page and "Continuous integration (self-assessed)" in page
    assert client.post(f"/practices/engagements/{engagement.pk}/complete/").status_code == 302
    engagement.refresh_from_db()
    assert engagement.after_snapshot is not None


def test_rubric_page(client, browser_login, outsider):
    browser_login(client, outsider)
    page = client.get("/practices/rubric/").content.decode()
    assert "Training reproducible" in page and "Level 2: CI/CD pipeline automation" in page


def test_team_page_shows_the_practices_summary(client, browser_login, outsider, team):
    browser_login(client, outsider)
    assert "Not computed yet" in client.get(f"/teams/{team.slug}/").content.decode()
    services.team_scorecard_recompute(team=team)
    page = client.get(f"/teams/{team.slug}/").content.decode()
    assert "Engineering practice" in page and "Level 0: manual process" in page
