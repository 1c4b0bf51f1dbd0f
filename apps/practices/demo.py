"""Demo data: self-assessments for most teams (some expired), two survey rounds, enabling engagements
with their before/after, and scorecards recomputed at several back-dated moments so trends show.

Runs last, after the registry, training, requests and outcomes demos, and reads whatever they made."""

import datetime
import random

from django.utils import timezone

from apps.practices import services
from apps.practices.models import Engagement, SelfAssessment, SurveyResponse, SurveyRound
from apps.practices.survey import QUESTION_FIELDS
from apps.teams.models import Interaction, InteractionMode, Membership

# Moments (days ago) at which scorecards are recomputed; assessments of wave k exist from moment k.
WAVES = [150, 110, 70, 30, 0]
ALL_PRACTICES = ["version_control", "code_review", "ci", "automated_tests", "monitoring"]
# team slug -> [(practice, wave index it was first assessed at, expires in days (negative = expired))]
ASSESSMENTS = {
    "checkout-experience": [("version_control", 0, 200), ("code_review", 0, 200), ("ci", 1, 150),
                            ("automated_tests", 2, 120), ("monitoring", 3, 90)],
    "payments": [("version_control", 0, 180), ("code_review", 1, 160), ("ci", 2, -15)],
    "fraud-signals": [("version_control", 0, 200), ("code_review", 0, 200), ("ci", 4, 180)],
    "risk-operations": [("version_control", 1, 100)],
    "demand-planning": [("version_control", 1, 200), ("code_review", 2, 200), ("ci", 2, 200),
                        ("automated_tests", 3, 180), ("monitoring", 3, 180)],
    "fulfilment": [("version_control", 0, 90), ("code_review", 0, -5)],
    "personalisation": [("version_control", 0, 250), ("code_review", 0, 250), ("ci", 0, 250),
                        ("automated_tests", 1, 250)],
    "ml-platform": [(practice, 0, 300) for practice in ALL_PRACTICES],
    "data-platform": [("version_control", 0, 200), ("code_review", 0, 200), ("ci", 1, 200),
                      ("automated_tests", 2, 200)],
    "mlops-enablement": [(practice, 0, 300) for practice in ALL_PRACTICES],
    "forecasting-science": [("version_control", 2, 150), ("code_review", 3, 150)],
}  # fmt: skip
# Mean answer per team in the two rounds (before and after the engagements).
SURVEY_LOAD = {
    "demand-planning": (4.3, 3.1),
    "fraud-signals": (3.9, 3.7),
    "checkout-experience": (2.6, 2.4),
    "forecasting-science": (4.4, 4.2),
    "ml-platform": (3.2, 2.9),
    "payments": (2.9, 3.3),
    "personalisation": (2.7, 2.6),
    "risk-operations": (3.6, 3.4),
}


def load(org) -> None:
    if SelfAssessment.objects.exists():
        return
    now = timezone.now()
    staff = org.users["platform"]
    moments = [now - datetime.timedelta(days=days) for days in WAVES]
    for index, moment in enumerate(moments):
        add_assessments(org, staff, wave=index, today=timezone.localdate(now))
        if WAVES[index] == 0:
            complete_engagement(org, now - datetime.timedelta(days=10))
        services.scorecards_recompute(now=moment)
        if WAVES[index] == 70:  # both engagements have started by then; "before" is read from history
            start_engagements(org)
    load_survey(org, staff, now)


def add_assessments(org, actor, *, wave: int, today: datetime.date) -> None:
    for slug, rows in ASSESSMENTS.items():
        for practice, first_wave, expires_in in rows:
            if first_wave != wave:
                continue
            services.self_assessment_create(
                actor=actor,
                data={
                    "team": org.teams[slug],
                    "practice": practice,
                    "evidence_url": f"https://git.example.com/{slug}/{practice.replace('_', '-')}",
                    "notes": "Demo assessment.",
                    "expires_on": today + datetime.timedelta(days=expires_in),
                },
            )


def facilitating(org, to_slug: str):
    return Interaction.objects.filter(
        from_team=org.teams["mlops-enablement"], to_team=org.teams[to_slug], mode=InteractionMode.FACILITATING
    ).first()


ENGAGEMENTS = [
    (
        "demand-planning",
        ["practice_ci", "practice_automated_tests", "practice_monitoring", "training_reproducible"],
        "Pairing sessions twice a week; pipeline templates from the platform.",
    ),
    (
        "fraud-signals",
        ["practice_ci", "practice_automated_tests", "practice_monitoring"],
        "Start with CI on the feature code, then model tests in the training pipeline.",
    ),
]


def start_engagements(org) -> None:
    lead = org.users["arjun"]
    for slug, goals, notes in ENGAGEMENTS:
        interaction = facilitating(org, slug)
        if interaction and not hasattr(interaction, "engagement"):
            services.engagement_create(
                actor=lead, data={"interaction": interaction, "goals": goals, "notes": notes}
            )


def complete_engagement(org, when: datetime.datetime) -> None:
    interaction = facilitating(org, "demand-planning")
    engagement = Engagement.objects.filter(interaction=interaction).first() if interaction else None
    if engagement and not engagement.completed_at:
        services.engagement_complete(actor=org.users["arjun"], engagement=engagement, now=when)


def answers(rng: random.Random, mean: float) -> dict:
    return {name: min(5, max(1, round(rng.gauss(mean, 0.7)))) for name in QUESTION_FIELDS}


def load_survey(org, staff, now: datetime.datetime) -> None:
    today = timezone.localdate(now)
    earlier = services.survey_round_create(
        actor=staff,
        data={
            "name": "Cognitive load · spring",
            "opens_on": today - datetime.timedelta(days=100),
            "closes_on": today - datetime.timedelta(days=86),
        },
    )
    current = services.survey_round_create(
        actor=staff,
        data={
            "name": "Cognitive load · autumn",
            "opens_on": today - datetime.timedelta(days=7),
            "closes_on": today + datetime.timedelta(days=7),
        },
    )
    rng = random.Random(7)
    members = Membership.objects.select_related("team", "user").filter(team__slug__in=SURVEY_LOAD)
    for membership in members:
        before, after = SURVEY_LOAD[membership.team.slug]
        # The spring round closed long ago: its answers are history, stored as they were given.
        SurveyResponse.objects.create(
            round=earlier, team=membership.team, respondent=membership.user, **answers(rng, before)
        )
        services.survey_response_submit(
            actor=membership.user, data={"round": current, "team": membership.team} | answers(rng, after)
        )
    SurveyRound.objects.filter(pk=earlier.pk).update(created_at=now - datetime.timedelta(days=100))
