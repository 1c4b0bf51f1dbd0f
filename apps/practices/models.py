"""Engineering-practice scorecards: self-assessed practices, scorecard snapshots (history), enabling
engagements and the team cognitive-load survey."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import MaxValueValidator, MinValueValidator, URLValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from apps.registry.models import RegisteredModel
from apps.teams.models import Interaction, Team


class Level(models.IntegerChoices):
    NONE = 0, "None"
    BRONZE = 1, "Bronze"
    SILVER = 2, "Silver"
    GOLD = 3, "Gold"


class Practice(models.TextChoices):
    """Practices the portal cannot see for itself; teams assess them, with evidence."""

    VERSION_CONTROL = "version_control", "Version control"
    CI = "ci", "Continuous integration"
    AUTOMATED_TESTS = "automated_tests", "Automated tests"
    CODE_REVIEW = "code_review", "Code review"
    MONITORING = "monitoring", "Monitoring"


class SubjectType(models.TextChoices):
    TEAM = "team", "Team"
    MODEL = "model", "Model"


http_url_validator = URLValidator(
    schemes=["http", "https"], message="Give an http(s) URL to the evidence.", code="not_http_url"
)


class SelfAssessment(models.Model):
    """A team's statement that it follows a practice, with a link to evidence; counted until it expires."""

    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="self_assessments")
    practice = models.CharField(max_length=32, choices=Practice.choices)
    evidence_url = models.URLField(
        max_length=500, validators=[http_url_validator], help_text="Link to the pipeline, repo, dashboard…"
    )
    notes = models.TextField(blank=True)
    expires_on = models.DateField(help_text="After this date the practice no longer counts until renewed.")
    assessed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL
    )
    assessed_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["team__name", "practice"]
        constraints = [
            models.UniqueConstraint(fields=["team", "practice"], name="one_assessment_per_team_practice")
        ]

    def __str__(self) -> str:
        return f"{self.team}: {self.get_practice_display()}"

    @property
    def is_expired(self) -> bool:
        return self.expires_on < timezone.localdate()


class ScorecardSnapshot(models.Model):
    """One computed scorecard of a team or a model. A new row is written only when the outcome (level,
    category levels, check statuses) changes; an unchanged recompute only moves ``confirmed_at``. The
    rows are the history that trend charts draw."""

    subject_type = models.CharField(max_length=8, choices=SubjectType.choices)
    team = models.ForeignKey(
        Team, null=True, blank=True, on_delete=models.CASCADE, related_name="scorecard_snapshots"
    )
    model = models.ForeignKey(
        RegisteredModel, null=True, blank=True, on_delete=models.CASCADE, related_name="scorecard_snapshots"
    )
    computed_at = models.DateTimeField(default=timezone.now, db_index=True)
    confirmed_at = models.DateTimeField(default=timezone.now, help_text="Last recompute with this outcome.")
    level = models.PositiveSmallIntegerField(choices=Level.choices, default=Level.NONE)
    mlops_level = models.PositiveSmallIntegerField(
        null=True, blank=True, help_text="Google's MLOps maturity 0-2 (teams only)."
    )
    category_levels = models.JSONField(default=dict)
    results = models.JSONField(default=list, help_text="[{check, status, explanation, evidence}]")
    fingerprint = models.CharField(max_length=64)
    passed = models.PositiveIntegerField(default=0)
    failed = models.PositiveIntegerField(default=0)
    is_latest = models.BooleanField(default=True, db_index=True)

    class Meta:
        ordering = ["-computed_at", "-id"]
        indexes = [
            models.Index(fields=["team", "-computed_at"]),
            models.Index(fields=["model", "-computed_at"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=(Q(subject_type="team", team__isnull=False, model__isnull=True))
                | Q(subject_type="model", model__isnull=False, team__isnull=True),
                name="snapshot_has_exactly_its_subject",
            ),
            models.UniqueConstraint(
                fields=["team"], condition=Q(is_latest=True), name="one_latest_team_snapshot"
            ),
            models.UniqueConstraint(
                fields=["model"], condition=Q(is_latest=True), name="one_latest_model_snapshot"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.subject}: {self.get_level_display()} at {self.computed_at:%Y-%m-%d %H:%M}"

    def get_absolute_url(self) -> str:
        if self.subject_type == SubjectType.TEAM:
            return reverse("practices:team-scorecard", args=[self.team.slug])
        return reverse("practices:model-scorecard", args=[self.model.slug])

    @property
    def subject(self):
        return self.team if self.subject_type == SubjectType.TEAM else self.model


class Engagement(models.Model):
    """An enabling team's time-boxed facilitating interaction with a team, aimed at named checks."""

    interaction = models.OneToOneField(Interaction, on_delete=models.CASCADE, related_name="engagement")
    goals = models.JSONField(default=list, help_text="Check codes the engagement should move to pass.")
    notes = models.TextField(blank=True)
    before_snapshot = models.ForeignKey(
        ScorecardSnapshot, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    after_snapshot = models.ForeignKey(
        ScorecardSnapshot, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL)
    created_at = models.DateTimeField(auto_now_add=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-interaction__start_date", "-id"]

    def __str__(self) -> str:
        return f"{self.interaction.from_team} enabling {self.interaction.to_team}"

    def get_absolute_url(self) -> str:
        return reverse("practices:engagement-detail", args=[self.pk])

    @property
    def team(self) -> Team:
        return self.interaction.to_team

    @property
    def enabling_team(self) -> Team:
        return self.interaction.from_team

    @property
    def status(self) -> str:
        return "completed" if self.completed_at else self.interaction.status


class SurveyRound(models.Model):
    """A round of the team cognitive-load survey, open between two dates."""

    name = models.CharField(max_length=120, unique=True)
    opens_on = models.DateField()
    closes_on = models.DateField()
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-opens_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(closes_on__gte=models.F("opens_on")), name="survey_round_closes_after_opening"
            )
        ]

    def __str__(self) -> str:
        return self.name

    def clean(self):
        if self.opens_on and self.closes_on and self.closes_on < self.opens_on:
            raise ValidationError({"closes_on": "A round must close on or after the day it opens."})

    def is_open(self, today: datetime.date | None = None) -> bool:
        today = today or timezone.localdate()
        return self.opens_on <= today <= self.closes_on


likert = [MinValueValidator(1), MaxValueValidator(5)]


class SurveyResponse(models.Model):
    """One member's answers for their team in one round (1 = strongly disagree … 5 = strongly agree).
    Every statement describes load, so a higher score means a heavier cognitive load."""

    round = models.ForeignKey(SurveyRound, on_delete=models.CASCADE, related_name="responses")
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="survey_responses")
    respondent = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="survey_responses"
    )
    owned_scope = models.PositiveSmallIntegerField(validators=likert)
    extraneous_work = models.PositiveSmallIntegerField(validators=likert)
    specialist_knowledge = models.PositiveSmallIntegerField(validators=likert)
    waiting_on_others = models.PositiveSmallIntegerField(validators=likert)
    onboarding = models.PositiveSmallIntegerField(validators=likert)
    context_switching = models.PositiveSmallIntegerField(validators=likert)
    answered_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-round__opens_on", "team__name", "respondent__username"]
        constraints = [
            models.UniqueConstraint(
                fields=["round", "team", "respondent"], name="one_survey_response_per_member_round"
            )
        ]

    def __str__(self) -> str:
        return f"{self.respondent} for {self.team} in {self.round}"

    @property
    def load_score(self) -> float:
        from apps.practices.survey import QUESTION_FIELDS

        return sum(getattr(self, name) for name in QUESTION_FIELDS) / len(QUESTION_FIELDS)
