"""Scheduled and on-change scorecard recomputes. Tasks take ids, re-read, and are safe to run twice:
an unchanged outcome only confirms the latest snapshot."""

from celery import shared_task

from apps.practices import services
from apps.teams.models import Team


@shared_task
def recompute_all_scorecards() -> int:
    return len(services.scorecards_recompute())


@shared_task
def recompute_team_scorecard(team_id: int) -> int | None:
    team = Team.objects.filter(pk=team_id).first()
    if team is None:  # deleted since it was enqueued
        return None
    return services.team_scorecard_recompute(team=team).pk
