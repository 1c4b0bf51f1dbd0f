"""Snapshots and their history, self-assessments, survey answers and engagements, with permissions."""

import datetime

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from apps.core.exceptions import Conflict
from apps.practices import services
from apps.practices.models import Level, ScorecardSnapshot, SelfAssessment, SurveyResponse
from apps.teams.models import InteractionMode, MemberRole, TeamType
from tests.conftest import member_of
from tests.factories import InteractionFactory, TeamFactory, UserFactory
from tests.practices.factories import SelfAssessmentFactory, SurveyRoundFactory
from tests.registry.factories import ModelVersionFactory, RegisteredModelFactory

pytestmark = pytest.mark.django_db
NEXT_YEAR = timezone.localdate() + datetime.timedelta(days=365)


def test_recompute_is_idempotent_and_keeps_history_of_changes():
    team = TeamFactory()
    first = services.team_scorecard_recompute(team=team)
    again = services.team_scorecard_recompute(team=team)
    assert first.pk == again.pk
    assert again.confirmed_at >= first.computed_at
    assert ScorecardSnapshot.objects.filter(team=team).count() == 1
    SelfAssessmentFactory(team=team, practice="version_control")
    SelfAssessmentFactory(team=team, practice="code_review")
    changed = services.team_scorecard_recompute(team=team)
    assert changed.pk != first.pk and changed.level == Level.BRONZE
    history = list(ScorecardSnapshot.objects.filter(team=team).order_by("computed_at"))
    assert [s.level for s in history] == [Level.NONE, Level.BRONZE]
    assert [s.is_latest for s in history] == [False, True]


def test_recompute_all_covers_teams_and_models():
    model = RegisteredModelFactory()
    ModelVersionFactory(model=model)
    snapshots = services.scorecards_recompute()
    subjects = {(s.subject_type, s.team_id or s.model_id) for s in snapshots}
    assert ("model", model.pk) in subjects and ("team", model.owning_team_id) in subjects
    assert len(services.scorecards_recompute()) == len(snapshots)
    assert ScorecardSnapshot.objects.count() == len(snapshots)


def test_self_assessment_by_lead_enqueues_a_recompute(team_lead, team, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        assessment = services.self_assessment_create(
            actor=team_lead,
            data={
                "team": team,
                "practice": "ci",
                "evidence_url": "https://ci.example.com/x",
                "expires_on": NEXT_YEAR,
            },
        )
    assert assessment.assessed_by == team_lead
    assert len(callbacks) == 1


def test_pm_and_staff_may_assess_engineer_and_outsider_may_not(
    team, team_pm, team_engineer, outsider, staff_user
):
    data = {"team": team, "evidence_url": "https://git.example.com", "expires_on": NEXT_YEAR}
    services.self_assessment_create(actor=team_pm, data=data | {"practice": "version_control"})
    services.self_assessment_create(actor=staff_user, data=data | {"practice": "code_review"})
    for actor in (team_engineer, outsider):
        with pytest.raises(PermissionDenied):
            services.self_assessment_create(actor=actor, data=data | {"practice": "ci"})
    assert SelfAssessment.objects.filter(team=team).count() == 2


@pytest.mark.parametrize("url", ["ftp://files.example.com/x", "javascript:alert(1)", "not a url"])
def test_evidence_must_be_an_http_url(team_lead, team, url):
    with pytest.raises(ValidationError) as error:
        services.self_assessment_create(
            actor=team_lead,
            data={"team": team, "practice": "ci", "evidence_url": url, "expires_on": NEXT_YEAR},
        )
    assert "evidence_url" in error.value.error_dict
    assert not SelfAssessment.objects.exists()


def test_members_answer_for_their_own_team_and_staff_for_any(team, team_engineer):
    survey_round = SurveyRoundFactory()
    answers = {name: 4 for name in ["owned_scope", "extraneous_work", "specialist_knowledge",
                                    "waiting_on_others", "onboarding", "context_switching"]}  # fmt: skip
    response = services.survey_response_submit(
        actor=team_engineer, data={"round": survey_round, "team": team} | answers
    )
    assert response.load_score == 4
    again = services.survey_response_submit(
        actor=team_engineer, data={"round": survey_round, "team": team} | answers | {"onboarding": 1}
    )
    assert again.pk == response.pk and SurveyResponse.objects.count() == 1
    with pytest.raises(PermissionDenied):
        services.survey_response_submit(
            actor=team_engineer, data={"round": survey_round, "team": TeamFactory()} | answers
        )
    staff = UserFactory(is_staff=True)
    services.survey_response_submit(actor=staff, data={"round": survey_round, "team": team} | answers)
    assert SurveyResponse.objects.filter(team=team, respondent=staff).count() == 1


def test_closed_round_refuses_answers(team, team_engineer):
    closed = SurveyRoundFactory(
        opens_on=timezone.localdate() - datetime.timedelta(days=30),
        closes_on=timezone.localdate() - datetime.timedelta(days=1),
    )
    with pytest.raises(ValidationError) as error:
        services.survey_response_submit(
            actor=team_engineer, data={"round": closed, "team": team, "owned_scope": 3}
        )
    assert "round" in error.value.error_dict


def test_only_staff_open_survey_rounds(team_lead, staff_user):
    data = {"name": "Q1", "opens_on": timezone.localdate(), "closes_on": NEXT_YEAR}
    with pytest.raises(PermissionDenied):
        services.survey_round_create(actor=team_lead, data=data)
    assert services.survey_round_create(actor=staff_user, data=data).name == "Q1"


def facilitating(to_team, **kwargs):
    enabling = TeamFactory(team_type=TeamType.ENABLING, value_stream=None)
    return InteractionFactory(
        from_team=enabling,
        to_team=to_team,
        mode=InteractionMode.FACILITATING,
        start_date=kwargs.pop("start_date", timezone.localdate()),
        expected_end=timezone.localdate() + datetime.timedelta(days=42),
        **kwargs,
    )


def test_engagement_records_before_and_after(team):
    interaction = facilitating(team)
    lead = member_of(interaction.from_team, MemberRole.LEAD)
    engagement = services.engagement_create(
        actor=lead, data={"interaction": interaction, "goals": ["practice_version_control"], "notes": ""}
    )
    assert engagement.before_snapshot.level == Level.NONE
    SelfAssessmentFactory(team=team, practice="version_control")
    SelfAssessmentFactory(team=team, practice="code_review")
    done = services.engagement_complete(actor=lead, engagement=engagement)
    assert done.after_snapshot.level == Level.BRONZE
    assert done.interaction.ended_on == timezone.localdate()
    from apps.practices.engagements import goal_progress

    assert goal_progress(done)[0]["improved"] is True
    with pytest.raises(Conflict):
        services.engagement_complete(actor=lead, engagement=done)


def test_engagement_before_uses_the_snapshot_as_it_stood_at_the_start(team):
    old = services.team_scorecard_recompute(team=team, now=timezone.now() - datetime.timedelta(days=30))
    SelfAssessmentFactory(team=team, practice="version_control")
    SelfAssessmentFactory(team=team, practice="code_review")
    services.team_scorecard_recompute(team=team)
    interaction = facilitating(team, start_date=timezone.localdate() - datetime.timedelta(days=20))
    engagement = services.engagement_create(
        actor=UserFactory(is_staff=True),
        data={"interaction": interaction, "goals": ["practice_ci"], "notes": ""},
    )
    assert engagement.before_snapshot == old


def test_engagement_needs_a_facilitating_interaction_of_an_enabling_team_and_known_goals(team, staff_user):
    soon = timezone.localdate() + datetime.timedelta(days=5)
    collaboration = InteractionFactory(to_team=team, mode=InteractionMode.COLLABORATION, expected_end=soon)
    with pytest.raises(ValidationError) as error:
        services.engagement_create(
            actor=staff_user, data={"interaction": collaboration, "goals": ["practice_ci"]}
        )
    assert "interaction" in error.value.error_dict
    with pytest.raises(ValidationError) as error:
        services.engagement_create(
            actor=staff_user, data={"interaction": facilitating(team), "goals": ["galaxy"]}
        )
    assert "goals" in error.value.error_dict


def test_engagement_permissions(team, team_engineer):
    interaction = facilitating(team)
    with pytest.raises(PermissionDenied):
        services.engagement_create(
            actor=team_engineer, data={"interaction": interaction, "goals": ["practice_ci"]}
        )
    target_lead = member_of(team, MemberRole.LEAD)
    assert services.engagement_create(
        actor=target_lead, data={"interaction": interaction, "goals": ["practice_ci"]}
    )


def test_back_dated_recompute_sees_only_what_existed_then():
    model = RegisteredModelFactory()
    ModelVersionFactory(model=model)
    past = services.scorecards_recompute(now=timezone.now() - datetime.timedelta(days=5))
    assert not [s for s in past if s.model_id == model.pk]
    team_then = next(s for s in past if s.team_id == model.owning_team_id)
    assert {r["check"]: r["status"] for r in team_then.results}["owner_and_oncall"] == "not_applicable"
    now = services.scorecards_recompute()
    assert [s for s in now if s.model_id == model.pk]


def test_requested_recompute_is_for_lead_pm_or_staff(team, team_lead, team_engineer, staff_user):
    assert services.scorecard_recompute_on_request(actor=team_lead, team=team).team == team
    assert services.scorecard_recompute_on_request(actor=staff_user, team=team).team == team
    with pytest.raises(PermissionDenied):
        services.scorecard_recompute_on_request(actor=team_engineer, team=team)
