"""Model requests: a team's ask for an ML capability, its workflow history, comments and the
per-team prioritisation board settings."""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.validators import URLValidator
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from apps.core.models import AppendOnly
from apps.modelrequests import scoring
from apps.teams.models import Team, TeamType, ValueStream

# Who may deliver a request besides the requesting team itself (self-service).
DELIVERING_TEAM_TYPES = (TeamType.PLATFORM, TeamType.COMPLICATED_SUBSYSTEM)


class RequestStatus(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    TRIAGED = "triaged", "Triaged"
    ACCEPTED = "accepted", "Accepted"
    REJECTED = "rejected", "Rejected"
    SELF_SERVICE = "self_service", "Self-service"
    IN_PROGRESS = "in_progress", "In progress"
    DELIVERED = "delivered", "Delivered"
    IN_PRODUCTION = "in_production", "In production"
    RETIRED = "retired", "Retired"


# Waiting to be started: the prioritised backlog of the delivering team.
BACKLOG_STATUSES = (RequestStatus.SUBMITTED, RequestStatus.TRIAGED, RequestStatus.ACCEPTED)
# A training job may answer a request once the delivering team took it on (and retrain it later).
TRAINABLE_STATUSES = (
    RequestStatus.ACCEPTED,
    RequestStatus.SELF_SERVICE,
    RequestStatus.IN_PROGRESS,
    RequestStatus.DELIVERED,
    RequestStatus.IN_PRODUCTION,
)


class LabelAvailability(models.TextChoices):
    AVAILABLE = "available", "Labels available"
    PARTIAL = "partial", "Some labels"
    NONE = "none", "No labels"
    UNKNOWN = "unknown", "Unknown"


class ScoringMethod(models.TextChoices):
    RICE = "rice", "RICE"
    WSJF = "wsjf", "WSJF"


def validate_links(value) -> None:
    """Attachments are a JSON list of http(s) URLs."""
    if not isinstance(value, list):
        raise ValidationError("Give a list of http(s) links.")
    check = URLValidator(schemes=["http", "https"])
    for link in value:
        if not isinstance(link, str):
            raise ValidationError(f"{link!r} is not a link; give http(s) URLs as text.")
        try:
            check(link)
        except ValidationError as error:
            raise ValidationError(f"{link} is not a valid http(s) URL.") from error


class ModelRequest(models.Model):
    title = models.CharField(max_length=200)
    problem_statement = models.TextField()
    requesting_team = models.ForeignKey(Team, on_delete=models.PROTECT, related_name="requests_made")
    delivering_team = models.ForeignKey(
        Team,
        on_delete=models.PROTECT,
        related_name="requests_to_deliver",
        help_text="A complicated-subsystem or platform team, or the requesting team itself (self-service).",
    )
    value_stream = models.ForeignKey(ValueStream, on_delete=models.PROTECT, related_name="model_requests")
    kpi = models.CharField("KPI", max_length=120, help_text="The KPI of the stream it should move.")
    expected_change = models.FloatField(help_text="Expected change of the KPI in percent, e.g. 2.0 for +2%.")
    affected_volume = models.PositiveBigIntegerField(
        help_text="How many decisions, orders or customers it touches per month."
    )
    decision_deadline = models.DateField(null=True, blank=True)
    data_available = models.TextField(blank=True, help_text="Which data exists, where, how much history.")
    label_availability = models.CharField(
        max_length=16, choices=LabelAvailability.choices, default=LabelAvailability.UNKNOWN
    )
    simplest_alternative = models.TextField(
        help_text="The simplest non-ML alternative considered (a rule, a heuristic, a manual step)."
    )
    alternative_effect = models.TextField(blank=True, help_text="What is known of that alternative's effect.")
    attachments = models.JSONField(
        default=list, blank=True, validators=[validate_links], help_text="Links (http or https)."
    )
    status = models.CharField(max_length=16, choices=RequestStatus.choices, default=RequestStatus.SUBMITTED)
    registered_model = models.ForeignKey(
        "registry.RegisteredModel",
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="requests",
        help_text="The registered model that answers this request.",
    )
    # RICE inputs (DESIGN.md 3): reach x impact x confidence / effort.
    reach = models.PositiveIntegerField(null=True, blank=True, help_text="People or events per quarter.")
    impact = models.FloatField(null=True, blank=True, help_text="One of the impact scale's values.")
    confidence = models.FloatField(null=True, blank=True, help_text="One of the confidence scale's values.")
    effort = models.FloatField(null=True, blank=True, help_text="Person-weeks (> 0).")
    # WSJF inputs: (business value + time criticality + risk reduction/opportunity) / job size.
    business_value = models.PositiveSmallIntegerField(null=True, blank=True)
    time_criticality = models.PositiveSmallIntegerField(null=True, blank=True)
    risk_reduction = models.PositiveSmallIntegerField(
        "risk reduction / opportunity enablement", null=True, blank=True
    )
    job_size = models.PositiveSmallIntegerField(null=True, blank=True)
    # Manual ranking on the delivering team's backlog; overrides the score when set.
    manual_rank = models.PositiveIntegerField(null=True, blank=True, db_index=True)
    rank_reason = models.CharField(max_length=300, blank=True)
    ranked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    ranked_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="model_requests",
    )
    submitted_at = models.DateTimeField(default=timezone.now, db_index=True)
    started_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-submitted_at", "-id"]
        indexes = [
            models.Index(fields=["delivering_team", "status"]),
            models.Index(fields=["value_stream", "status"]),
        ]
        constraints = [
            models.CheckConstraint(
                condition=Q(effort__isnull=True) | Q(effort__gt=0), name="effort_positive"
            ),
            models.CheckConstraint(
                condition=Q(job_size__isnull=True) | Q(job_size__gt=0), name="job_size_positive"
            ),
        ]

    def __str__(self) -> str:
        return self.title

    def get_absolute_url(self) -> str:
        return reverse("modelrequests:request-detail", args=[self.pk])

    def clean(self):
        scoring.validate_inputs(self)
        delivering = self.delivering_team if self.delivering_team_id else None
        if (
            delivering
            and delivering.team_type not in DELIVERING_TEAM_TYPES
            and self.delivering_team_id != self.requesting_team_id
        ):
            raise ValidationError(
                {
                    "delivering_team": f"{delivering} is a {delivering.get_team_type_display()} team: "
                    "choose a platform or complicated-subsystem team, or the requesting team itself "
                    "(self-service)."
                }
            )

    @property
    def rice_score(self) -> float | None:
        return scoring.rice(self.reach, self.impact, self.confidence, self.effort)

    @property
    def wsjf_score(self) -> float | None:
        return scoring.wsjf(self.business_value, self.time_criticality, self.risk_reduction, self.job_size)


class RequestTransition(AppendOnly):
    request = models.ForeignKey(ModelRequest, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=16, choices=RequestStatus.choices, blank=True)
    to_status = models.CharField(max_length=16, choices=RequestStatus.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    at = models.DateTimeField(default=timezone.now, db_index=True)
    note = models.TextField(blank=True)
    by_portal = models.BooleanField(
        default=False,
        help_text="Made by the portal on its own (e.g. a job for the request started); the note says why.",
    )

    class Meta:
        ordering = ["at", "id"]
        indexes = [models.Index(fields=["to_status", "at"])]

    def __str__(self) -> str:
        return f"{self.request_id}: {self.from_status or '—'} → {self.to_status}"


class RequestComment(models.Model):
    request = models.ForeignKey(ModelRequest, on_delete=models.CASCADE, related_name="comments")
    author = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="request_comments"
    )
    body = models.TextField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"Comment by {self.author} on #{self.request_id}"


class Board(models.Model):
    """A delivering team's prioritisation board: the scoring method its backlog is ranked by and
    optional per-column WIP limits for its kanban (``{"triaged": 6, ...}``; the in-progress column
    defaults to the team's ``wip_limit``)."""

    team = models.OneToOneField(Team, on_delete=models.CASCADE, related_name="request_board")
    scoring_method = models.CharField(max_length=8, choices=ScoringMethod.choices, default=ScoringMethod.RICE)
    column_wip_limits = models.JSONField(default=dict, blank=True)
    updated_at = models.DateTimeField(auto_now=True)

    def __str__(self) -> str:
        return f"{self.team} board ({self.get_scoring_method_display()})"

    def clean(self):
        limits = self.column_wip_limits
        valid = set(RequestStatus.values)
        if not isinstance(limits, dict):
            raise ValidationError({"column_wip_limits": "Give an object {status: limit}."})
        for status, limit in limits.items():
            if status not in valid:
                raise ValidationError(
                    {"column_wip_limits": f"Unknown column {status!r}; allowed: {', '.join(sorted(valid))}."}
                )
            if not isinstance(limit, int) or isinstance(limit, bool) or limit < 1:
                raise ValidationError(
                    {"column_wip_limits": f"The limit of {status} must be a whole number >= 1."}
                )


class SavedViewPage(models.TextChoices):
    LIST = "list", "All requests"
    BACKLOG = "backlog", "Ranked backlog"
    KANBAN = "kanban", "Kanban"


class SavedView(models.Model):
    """A named set of filters of the request list, a backlog or the kanban (``query``: the page's
    query string, checked and normalised by the service), kept by its owner and optionally shared
    with everyone signed in (who see it and open it; only the owner and platform staff change it)."""

    owner = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="saved_views")
    name = models.CharField(max_length=80)
    kind = models.CharField(
        "page", max_length=16, choices=SavedViewPage.choices, default=SavedViewPage.KANBAN
    )
    query = models.CharField(
        max_length=500,
        blank=True,
        help_text="The filters as a query string, e.g. stream=checkout&lanes=none.",
    )
    shared = models.BooleanField(
        default=False, help_text="Everyone signed in sees it in their saved views; only you change it."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name", "id"]
        constraints = [
            models.UniqueConstraint(fields=["owner", "kind", "name"], name="one_saved_view_name_per_page")
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_kind_display()})"

    def get_absolute_url(self) -> str:
        path = reverse(f"modelrequests:{SAVED_VIEW_URL_NAMES[self.kind]}")
        return f"{path}?{self.query}" if self.query else path


SAVED_VIEW_URL_NAMES = {
    SavedViewPage.LIST: "request-list",
    SavedViewPage.BACKLOG: "backlog",
    SavedViewPage.KANBAN: "kanban",
}


class ScoreInput(models.Model):
    """Who set one score input of a request (e.g. its reach) last, and when."""

    request = models.ForeignKey(ModelRequest, on_delete=models.CASCADE, related_name="score_inputs")
    field = models.CharField(max_length=32)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    set_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["request", "field"]
        constraints = [
            models.UniqueConstraint(fields=["request", "field"], name="one_setter_per_score_input")
        ]

    def __str__(self) -> str:
        return f"#{self.request_id} {self.field} set by {self.set_by} at {self.set_at:%Y-%m-%d %H:%M}"
