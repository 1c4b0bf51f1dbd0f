"""Reads for the practices area; they own the query shape."""

from collections import defaultdict

from django.db.models import QuerySet
from django.shortcuts import get_object_or_404
from django.urls import reverse

from apps.practices import policy
from apps.practices.models import Engagement, ScorecardSnapshot, SelfAssessment, SurveyResponse, SurveyRound
from apps.practices.rubric import CATEGORIES
from apps.practices.survey import QUESTION_FIELDS
from apps.registry.models import RegisteredModel
from apps.teams.models import Team


def snapshot_list() -> QuerySet[ScorecardSnapshot]:
    return ScorecardSnapshot.objects.select_related("team", "model", "model__owning_team").order_by(
        "subject_type", "team__name", "model__name", "-computed_at"
    )


def latest_snapshots() -> QuerySet[ScorecardSnapshot]:
    return snapshot_list().filter(is_latest=True)


def snapshot_history(*, team: Team | None = None, model: RegisteredModel | None = None):
    subject = {"team": team} if team is not None else {"model": model}
    return ScorecardSnapshot.objects.filter(**subject).order_by("computed_at", "id")


def latest_snapshot(*, team: Team | None = None, model: RegisteredModel | None = None):
    subject = {"team": team} if team is not None else {"model": model}
    return ScorecardSnapshot.objects.filter(is_latest=True, **subject).first()


def team_by_slug(slug: str) -> Team:
    return get_object_or_404(Team.objects.select_related("value_stream"), slug=slug)


def model_by_slug(slug: str) -> RegisteredModel:
    return get_object_or_404(RegisteredModel.objects.select_related("owning_team", "value_stream"), slug=slug)


def team_models(team: Team) -> QuerySet[RegisteredModel]:
    return RegisteredModel.objects.filter(owning_team=team).order_by("name")


def model_snapshots_of_team(team: Team) -> QuerySet[ScorecardSnapshot]:
    return latest_snapshots().filter(model__owning_team=team)


def heatmap() -> dict:
    """Teams x categories of the latest team snapshots (teams never computed are listed empty)."""
    latest = {s.team_id: s for s in ScorecardSnapshot.objects.filter(is_latest=True, team__isnull=False)}
    rows = []
    for team in Team.objects.order_by("name"):
        snapshot = latest.get(team.pk)
        levels = snapshot.category_levels if snapshot else {}
        rows.append(
            {
                "team": team,
                "url": reverse("practices:team-scorecard", args=[team.slug]),
                "snapshot": snapshot,
                "cells": [levels.get(code) for code, _ in CATEGORIES],
            }
        )
    return {"categories": CATEGORIES, "rows": rows}


def self_assessment_list() -> QuerySet[SelfAssessment]:
    return SelfAssessment.objects.select_related("team", "assessed_by")


def engagement_list() -> QuerySet[Engagement]:
    return Engagement.objects.select_related(
        "interaction", "interaction__from_team", "interaction__to_team", "before_snapshot", "after_snapshot"
    )


def engagement_detail(*, pk: int) -> Engagement:
    return get_object_or_404(engagement_list(), pk=pk)


def survey_round_list() -> QuerySet[SurveyRound]:
    return SurveyRound.objects.all()


def survey_response_list() -> QuerySet[SurveyResponse]:
    return SurveyResponse.objects.select_related("round", "team", "respondent")


def survey_responses_visible_to(user) -> QuerySet[SurveyResponse]:
    """The individual answers ``user`` reads: their own (every one for platform staff)."""
    responses = survey_response_list()
    return responses if policy.sees_every_answer(user) else responses.filter(respondent=user)


def survey_results(*, teams=None) -> list[dict]:
    """Mean load per team and round: [{team, round, respondents, load, per_question}], oldest round first."""
    responses = SurveyResponse.objects.select_related("round", "team").order_by(
        "round__opens_on", "team__name"
    )
    if teams is not None:
        responses = responses.filter(team__in=teams)
    grouped = defaultdict(list)
    for response in responses:
        grouped[(response.round, response.team)].append(response)
    results = []
    for (survey_round, team), answers in grouped.items():
        per_question = {
            name: round(sum(getattr(a, name) for a in answers) / len(answers), 2) for name in QUESTION_FIELDS
        }
        results.append(
            {
                "round": survey_round,
                "team": team,
                "respondents": len(answers),
                "load": round(sum(per_question.values()) / len(per_question), 2),
                "per_question": per_question,
            }
        )
    return results


def scorecard_detail(*, team: Team | None = None, model: RegisteredModel | None = None) -> dict:
    from apps.practices.scoring import next_level_needs

    history = list(snapshot_history(team=team, model=model))
    latest = next((s for s in history if s.is_latest), None)
    return {
        "latest": latest,
        "next_level_needs": next_level_needs(latest.level, latest.results) if latest else None,
        "history": history,
    }


def rubric_rows() -> list[dict]:
    from apps.practices.checks import CHECKS
    from apps.practices.rubric import get_rubric

    return [
        {
            "check": code,
            "title": CHECKS[code].title,
            "subject": CHECKS[code].subject,
            "category": entry.category,
            "category_name": entry.category_name,
            "level": entry.level,
            "level_name": entry.level_name,
            "how_to_fix": CHECKS[code].how_to_fix,
        }
        for code, entry in get_rubric().items()
    ]


def teams_answering_for(user) -> QuerySet[Team]:
    """The teams whose survey ``user`` may answer: their own, every team for platform staff."""
    teams = Team.objects.order_by("name")
    return teams if policy.answers_for_every_team(user) else teams.filter(memberships__user=user).distinct()
