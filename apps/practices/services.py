"""Writes for the practices area: scorecard recomputes, self-assessments, survey answers and enabling
engagements. Each service checks who acts, validates, and saves atomically."""

import datetime

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from apps.core import dispatch
from apps.core.exceptions import Conflict
from apps.core.policy import ensure
from apps.core.services import apply_and_save, changed_fields, stored
from apps.practices.checks import CHECKS, TeamContext
from apps.practices.models import (
    Engagement,
    ScorecardSnapshot,
    SelfAssessment,
    SubjectType,
    SurveyResponse,
    SurveyRound,
)
from apps.practices.rubric import get_rubric
from apps.practices.scoring import Scorecard, evaluate_model, evaluate_team
from apps.practices.sources import load_facts, team_assessments
from apps.practices.survey import QUESTION_FIELDS
from apps.registry.models import RegisteredModel
from apps.teams.models import InteractionMode, Team, TeamType

ASSESSMENT_FIELDS = ("team", "practice", "evidence_url", "notes", "expires_on")
SURVEY_ROUND_FIELDS = ("name", "opens_on", "closes_on")
SURVEY_RESPONSE_FIELDS = ("round", "team", *QUESTION_FIELDS)
ENGAGEMENT_FIELDS = ("interaction", "goals", "notes")


# --- Scorecards ---------------------------------------------------------------------------------


def subject_key(subject_type: str, subject_id: int | None) -> tuple:
    return (subject_type, subject_id)


def record_snapshots(cards: list[Scorecard], *, now: datetime.datetime) -> list[ScorecardSnapshot]:
    """Keep a new history row for each subject whose outcome changed; for the others only confirm the
    latest row (so recomputing twice adds nothing). A fixed number of queries for any number of cards."""
    team_ids = [c.subject.pk for c in cards if c.subject_type == SubjectType.TEAM]
    model_ids = [c.subject.pk for c in cards if c.subject_type == SubjectType.MODEL]
    latest = {
        subject_key(s.subject_type, s.team_id or s.model_id): s
        for s in ScorecardSnapshot.objects.select_for_update().filter(
            Q(team_id__in=team_ids) | Q(model_id__in=model_ids), is_latest=True
        )
    }
    unchanged, superseded, new, result = [], [], [], []
    for card in cards:
        previous = latest.get(subject_key(card.subject_type, card.subject.pk))
        if previous and previous.fingerprint == card.fingerprint:
            previous.confirmed_at = now
            unchanged.append(previous.pk)
            result.append(previous)
            continue
        if previous:
            superseded.append(previous.pk)
        snapshot = new_snapshot(card, now)
        new.append(snapshot)
        result.append(snapshot)
    ScorecardSnapshot.objects.filter(pk__in=unchanged).update(confirmed_at=now)
    ScorecardSnapshot.objects.filter(pk__in=superseded).update(is_latest=False)
    ScorecardSnapshot.objects.bulk_create(new)
    return result


def new_snapshot(card: Scorecard, now: datetime.datetime) -> ScorecardSnapshot:
    subject_field = "team" if card.subject_type == SubjectType.TEAM else "model"
    return ScorecardSnapshot(
        subject_type=card.subject_type,
        **{subject_field: card.subject},
        computed_at=now,
        confirmed_at=now,
        level=card.level,
        mlops_level=card.mlops_level,
        category_levels=card.category_levels,
        results=card.results,
        fingerprint=card.fingerprint,
        passed=card.passed,
        failed=card.failed,
        is_latest=True,
    )


def evaluate(*, teams=None, models=None, now: datetime.datetime | None = None) -> list[Scorecard]:
    """Scorecards of the given teams and models (None = all), computed from one load of facts."""
    now = now or timezone.now()
    teams = list(Team.objects.all() if teams is None else teams)
    models = list(RegisteredModel.objects.all() if models is None else models)
    model_ids = {m.pk for m in models} | set(
        RegisteredModel.objects.filter(owning_team__in=teams).values_list("pk", flat=True)
    )
    facts = load_facts(model_ids, now=now)
    models = [m for m in models if m.pk in facts.models]  # those that existed at ``now``
    rubric = get_rubric()
    assessments = team_assessments(t.pk for t in teams)
    today = timezone.localdate(now)
    cards = [evaluate_model(facts.models[m.pk], facts, rubric) for m in models]
    for team in teams:
        owned = [mf for mf in facts.models.values() if mf.model.owning_team_id == team.pk]
        ctx = TeamContext(team=team, models=owned, assessments=assessments.get(team.pk, {}), today=today)
        cards.append(evaluate_team(ctx, facts, rubric))
    return cards


@transaction.atomic
def scorecards_recompute(*, teams=None, models=None, now: datetime.datetime | None = None) -> list:
    """Recompute and record scorecards; safe to run twice (an unchanged outcome adds no row)."""
    now = now or timezone.now()
    return record_snapshots(evaluate(teams=teams, models=models, now=now), now=now)


def team_scorecard_recompute(*, team: Team, now: datetime.datetime | None = None) -> ScorecardSnapshot:
    return scorecards_recompute(teams=[team], models=[], now=now)[0]


def scorecard_recompute_on_request(*, actor: User, team: Team | None = None, model=None) -> ScorecardSnapshot:
    """Recompute one team's or one model's scorecard now, for the team's (or owning team's) lead or
    product manager, or platform staff."""
    owner = team if team is not None else model.owning_team
    ensure(actor, "practices.record_practices", owner, action="recompute the scorecard of {obj}")
    if team is not None:
        return team_scorecard_recompute(team=team)
    return scorecards_recompute(teams=[], models=[model])[0]


def enqueue_team_recompute(team_id: int) -> None:
    dispatch.enqueue_on_commit("apps.practices.tasks.recompute_team_scorecard", args=[team_id])


# --- Self-assessments ---------------------------------------------------------------------------


@transaction.atomic
def self_assessment_create(*, actor: User, data: dict) -> SelfAssessment:
    ensure(actor, "practices.record_practices", data.get("team"), action="record practices of {obj}")
    assessment = apply_and_save(SelfAssessment(assessed_by=actor), data=data, fields=ASSESSMENT_FIELDS)
    enqueue_team_recompute(assessment.team_id)
    return assessment


@transaction.atomic
def self_assessment_update(*, actor: User, assessment: SelfAssessment, data: dict) -> SelfAssessment:
    ensure(actor, "practices.record_practices", assessment.team, action="change practices of {obj}")
    if "team" in data and data["team"] != assessment.team:
        raise ValidationError({"team": "An assessment stays with its team; record a new one instead."})
    assessment.assessed_by = actor
    assessment = apply_and_save(assessment, data=data, fields=ASSESSMENT_FIELDS)
    enqueue_team_recompute(assessment.team_id)
    return assessment


@transaction.atomic
def self_assessment_delete(*, actor: User, assessment: SelfAssessment) -> None:
    ensure(actor, "practices.record_practices", assessment.team, action="remove practices of {obj}")
    team_id = assessment.team_id
    assessment.delete()
    enqueue_team_recompute(team_id)


# --- Survey -------------------------------------------------------------------------------------


def survey_round_create(*, actor: User, data: dict) -> SurveyRound:
    ensure(actor, "practices.open_survey_round", action="open survey rounds")
    return apply_and_save(SurveyRound(), data=data, fields=SURVEY_ROUND_FIELDS)


def survey_round_update(*, actor: User, survey_round: SurveyRound, data: dict) -> SurveyRound:
    ensure(actor, "practices.open_survey_round", action="change survey rounds")
    return apply_and_save(survey_round, data=data, fields=SURVEY_ROUND_FIELDS)


def survey_round_delete(*, actor: User, survey_round: SurveyRound) -> None:
    ensure(actor, "practices.open_survey_round", action="delete survey rounds")
    survey_round.delete()


@transaction.atomic
def survey_response_submit(*, actor: User, data: dict) -> SurveyResponse:
    """A member's answers for their own team in an open round (platform staff answer for any team);
    answering again replaces them."""
    if data.get("team") is None:
        raise ValidationError({"team": "This field is required."})
    ensure(actor, "practices.answer_survey", data["team"])
    survey_round = data.get("round")
    if survey_round is not None and not survey_round.is_open():
        window = f"{survey_round.opens_on} to {survey_round.closes_on}"
        raise ValidationError({"round": f"{survey_round.name} is open from {window} only."})
    response = (
        SurveyResponse.objects.select_for_update()
        .filter(round=survey_round, team=data.get("team"), respondent_id=actor.pk)
        .first()
    ) or SurveyResponse(respondent=actor)
    return apply_and_save(response, data=data, fields=SURVEY_RESPONSE_FIELDS)


@transaction.atomic
def survey_response_update(*, actor: User, response: SurveyResponse, data: dict) -> SurveyResponse:
    before = SurveyResponse.objects.select_for_update().get(pk=response.pk)
    ensure(actor, "practices.change_survey_answer", before)
    moved = {
        name: f"An answer stays with its {name}; answer the other {name} separately."
        for name in sorted({"round", "team"} & changed_fields(before, data, before=before))
    }
    if moved:
        raise ValidationError(moved)
    if before.respondent_id == actor.pk:
        return survey_response_submit(actor=actor, data={"round": before.round, "team": before.team} | data)
    # Platform staff fix another respondent's answers, also once the round has closed.
    return apply_and_save(before, data=data, fields=SURVEY_RESPONSE_FIELDS)


def survey_response_delete(*, actor: User, response: SurveyResponse) -> None:
    ensure(actor, "practices.change_survey_answer", stored(response))
    response.delete()


# --- Engagements --------------------------------------------------------------------------------


def ensure_can_run_engagement(actor, interaction) -> None:
    if interaction is None:
        raise ValidationError({"interaction": "Choose the facilitating interaction."})
    ensure(actor, "practices.run_engagement", interaction)


def validate_engagement(interaction, goals) -> None:
    errors = {}
    if interaction.mode != InteractionMode.FACILITATING:
        errors["interaction"] = "An enabling engagement is a facilitating interaction."
    elif interaction.from_team.team_type != TeamType.ENABLING:
        errors["interaction"] = f"{interaction.from_team} is not an enabling team."
    if not isinstance(goals, list) or not goals:
        errors["goals"] = "Name at least one check to improve."
    else:
        unknown = [code for code in goals if code not in get_rubric()]
        if unknown:
            errors["goals"] = f"Unknown checks: {', '.join(map(str, unknown))}. Allowed: {', '.join(CHECKS)}."
    if errors:
        raise ValidationError(errors)


def snapshot_at_start(team: Team, start: datetime.date, now: datetime.datetime) -> ScorecardSnapshot:
    """The team's scorecard as it stood when the engagement started (computed now if no earlier row)."""
    end_of_start_day = timezone.make_aware(datetime.datetime.combine(start, datetime.time.max))
    if start < timezone.localdate(now):
        earlier = (
            ScorecardSnapshot.objects.filter(team=team, computed_at__lte=end_of_start_day)
            .order_by("-computed_at", "-id")
            .first()
        )
        if earlier:
            return earlier
    return team_scorecard_recompute(team=team, now=now)


@transaction.atomic
def engagement_create(*, actor: User, data: dict) -> Engagement:
    interaction = data.get("interaction")
    ensure_can_run_engagement(actor, interaction)
    validate_engagement(interaction, data.get("goals"))
    engagement = apply_and_save(Engagement(created_by=actor), data=data, fields=ENGAGEMENT_FIELDS)
    assert interaction is not None  # ensure_can_run_engagement refused a missing one
    engagement.before_snapshot = snapshot_at_start(
        interaction.to_team, interaction.start_date, timezone.now()
    )
    engagement.save(update_fields=["before_snapshot"])
    return engagement


@transaction.atomic
def engagement_update(*, actor: User, engagement: Engagement, data: dict) -> Engagement:
    ensure_can_run_engagement(actor, engagement.interaction)
    if "interaction" in data and data["interaction"] != engagement.interaction:
        raise ValidationError({"interaction": "An engagement stays with its interaction."})
    validate_engagement(engagement.interaction, data.get("goals", engagement.goals))
    return apply_and_save(engagement, data=data, fields=ENGAGEMENT_FIELDS)


@transaction.atomic
def engagement_complete(
    *, actor: User, engagement: Engagement, now: datetime.datetime | None = None
) -> Engagement:
    """Close the time-box: record the team's scorecard after, and end the interaction."""
    engagement = Engagement.objects.select_for_update().select_related("interaction").get(pk=engagement.pk)
    ensure_can_run_engagement(actor, engagement.interaction)
    if engagement.completed_at:
        raise Conflict("This engagement is already completed.", allowed=[])
    now = now or timezone.now()
    engagement.after_snapshot = team_scorecard_recompute(team=engagement.interaction.to_team, now=now)
    engagement.completed_at = now
    engagement.save(update_fields=["after_snapshot", "completed_at"])
    interaction = engagement.interaction
    if not interaction.ended_on:
        interaction.ended_on = max(timezone.localdate(now), interaction.start_date)
        interaction.save(update_fields=["ended_on", "updated_at"])
    return engagement


def engagement_delete(*, actor: User, engagement: Engagement) -> None:
    ensure_can_run_engagement(actor, engagement.interaction)
    engagement.delete()
