"""Value streams, teams (with their Team API), members and interactions (Team Topologies)."""

import datetime

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import F, Q
from django.urls import reverse
from django.utils import timezone


class TeamType(models.TextChoices):
    STREAM_ALIGNED = "stream_aligned", "Stream-aligned"
    PLATFORM = "platform", "Platform"
    ENABLING = "enabling", "Enabling"
    COMPLICATED_SUBSYSTEM = "complicated_subsystem", "Complicated-subsystem"
    UNDEFINED = "undefined", "Undefined"


class MemberRole(models.TextChoices):
    PRODUCT_MANAGER = "product_manager", "Product manager"
    ENGINEER = "engineer", "Engineer"
    DATA_SCIENTIST = "data_scientist", "Data scientist"
    ML_ENGINEER = "ml_engineer", "ML engineer"
    LEAD = "lead", "Lead"


class MembershipSource(models.TextChoices):
    LOCAL = "local", "Local"
    # Synced from the identity provider's groups at each sign-in (apps.sso); not editable by hand.
    IDP = "idp", "Identity provider"


class InteractionMode(models.TextChoices):
    COLLABORATION = "collaboration", "Collaboration"
    X_AS_A_SERVICE = "x_as_a_service", "X-as-a-service"
    FACILITATING = "facilitating", "Facilitating"


# Collaboration and facilitating are meant to end; X-as-a-service may run indefinitely.
TIME_BOXED_MODES = (InteractionMode.COLLABORATION, InteractionMode.FACILITATING)


class ValueStream(models.Model):
    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    description = models.TextField(blank=True)
    product_manager = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="accountable_streams",
        help_text="The product manager accountable for the stream's outcomes.",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("teams:stream-detail", args=[self.slug])


class Team(models.Model):
    name = models.CharField(max_length=120, unique=True)
    slug = models.SlugField(max_length=120, unique=True)
    team_type = models.CharField(max_length=32, choices=TeamType.choices, default=TeamType.UNDEFINED)
    value_stream = models.ForeignKey(
        ValueStream,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="teams",
        help_text="Required for stream-aligned teams.",
    )
    # The Team API (Team Topologies' template).
    focus = models.TextField(blank=True, help_text="The team's mission and the outcome it owns.")
    provides_services = models.BooleanField(default=False)
    services_offered = models.TextField(blank=True, help_text="Services the team offers to other teams.")
    service_level_expectations = models.TextField(blank=True)
    software_owned = models.TextField(blank=True, help_text="Systems, libraries and models the team owns.")
    chat_channels = models.CharField(max_length=300, blank=True)
    ways_of_working = models.TextField(blank=True)
    current_work = models.TextField(blank=True, help_text="What the team is working on now.")
    # Used by the prioritisation boards.
    capacity_points = models.PositiveIntegerField(
        default=10, help_text="Delivery capacity, effort points per cycle."
    )
    wip_limit = models.PositiveIntegerField(default=3, help_text="Work items in progress at most.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["name"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(team_type="stream_aligned") | Q(value_stream__isnull=False),
                name="stream_aligned_team_has_stream",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    def get_absolute_url(self) -> str:
        return reverse("teams:team-detail", args=[self.slug])

    def clean(self):
        if self.team_type == TeamType.STREAM_ALIGNED and not self.value_stream_id:
            raise ValidationError({"value_stream": "A stream-aligned team needs the value stream it serves."})


class Membership(models.Model):
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships")
    role = models.CharField(max_length=32, choices=MemberRole.choices)
    source = models.CharField(
        max_length=8,
        choices=MembershipSource.choices,
        default=MembershipSource.LOCAL,
        help_text="Identity-provider memberships are synced at each sign-in and changed only there.",
    )
    joined_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["team__name", "user__username"]
        constraints = [models.UniqueConstraint(fields=["team", "user"], name="one_membership_per_team")]

    def __str__(self) -> str:
        return f"{self.user} in {self.team} ({self.get_role_display()})"


class InteractionQuerySet(models.QuerySet):
    def active(self):
        return self.filter(ended_on__isnull=True)

    def current(self, today: datetime.date | None = None):
        return self.active().filter(start_date__lte=today or timezone.localdate())

    def planned(self, today: datetime.date | None = None):
        return self.active().filter(start_date__gt=today or timezone.localdate())

    def overdue(self, today: datetime.date | None = None):
        return self.current(today).filter(
            mode__in=TIME_BOXED_MODES, expected_end__lt=today or timezone.localdate()
        )

    def involving(self, team):
        return self.filter(Q(from_team=team) | Q(to_team=team))


class Interaction(models.Model):
    from_team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="interactions_out")
    to_team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="interactions_in")
    mode = models.CharField(max_length=32, choices=InteractionMode.choices)
    purpose = models.TextField()
    start_date = models.DateField()
    expected_end = models.DateField(
        null=True, blank=True, help_text="Required for time-boxed modes (collaboration, facilitating)."
    )
    ended_on = models.DateField(null=True, blank=True, help_text="Set when the interaction has finished.")
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    objects = InteractionQuerySet.as_manager()

    class Meta:
        ordering = ["start_date", "id"]
        constraints = [
            models.CheckConstraint(
                condition=~Q(from_team=F("to_team")), name="interaction_between_two_teams"
            ),
            models.CheckConstraint(
                condition=Q(expected_end__isnull=True) | Q(expected_end__gte=F("start_date")),
                name="interaction_ends_after_start",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.from_team} → {self.to_team} ({self.get_mode_display()})"

    def clean(self):
        errors = {}
        if self.from_team_id and self.from_team_id == self.to_team_id:
            errors["to_team"] = "A team cannot interact with itself; choose another team."
        if self.mode in TIME_BOXED_MODES and not self.expected_end:
            errors["expected_end"] = f"{self.get_mode_display()} is time-boxed: give its expected end."
        if self.start_date and self.expected_end and self.expected_end < self.start_date:
            errors["expected_end"] = "The expected end must not be before the start date."
        if self.start_date and self.ended_on and self.ended_on < self.start_date:
            errors["ended_on"] = "The end must not be before the start date."
        if errors:
            raise ValidationError(errors)

    @property
    def is_time_boxed(self) -> bool:
        return self.mode in TIME_BOXED_MODES

    @property
    def status(self) -> str:
        today = timezone.localdate()
        if self.ended_on:
            return "ended"
        if self.start_date > today:
            return "planned"
        if self.is_time_boxed and self.expected_end and self.expected_end < today:
            return "overdue"
        return "current"

    @property
    def is_overdue(self) -> bool:
        return self.status == "overdue"
