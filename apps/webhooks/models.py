import secrets

from django.conf import settings
from django.db import models
from django.urls import reverse

from apps.core.events import EVENT_TYPES
from apps.registry.models import RegisteredModel
from apps.teams.models import Team, ValueStream


def new_secret() -> str:
    return secrets.token_hex(24)


class PayloadFormat(models.TextChoices):
    JSON = "json", "Portal JSON (signed)"
    SLACK = "slack", "Slack incoming webhook"


class Subscription(models.Model):
    """A team's endpoint that receives the portal's events, signed with the subscription's secret."""

    name = models.CharField(max_length=120)
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="webhook_subscriptions")
    url = models.URLField(max_length=500, help_text="Where the portal POSTs each event (http or https).")
    secret = models.CharField(max_length=64, default=new_secret, editable=False)
    event_types = models.JSONField(default=list, blank=True, help_text="Empty: every event.")
    payload_format = models.CharField(max_length=8, choices=PayloadFormat.choices, default=PayloadFormat.JSON)
    # Optional filters: only events that concern this team, stream or model.
    filter_team = models.ForeignKey(Team, null=True, blank=True, on_delete=models.CASCADE, related_name="+")
    filter_stream = models.ForeignKey(
        ValueStream, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    filter_model = models.ForeignKey(
        RegisteredModel, null=True, blank=True, on_delete=models.CASCADE, related_name="+"
    )
    is_active = models.BooleanField(default=True)
    disabled_reason = models.CharField(max_length=300, blank=True)
    consecutive_failures = models.PositiveIntegerField(default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.SET_NULL,
        related_name="webhook_subscriptions",
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["team__name", "name"]
        constraints = [models.UniqueConstraint(fields=["team", "name"], name="webhook_name_unique_per_team")]

    def __str__(self) -> str:
        return f"{self.team}: {self.name}"

    def get_absolute_url(self) -> str:
        return reverse("webhooks:subscription-detail", args=[self.pk])

    def event_labels(self) -> list[str]:
        return [EVENT_TYPES.get(t, t) for t in self.event_types] or ["Every event"]


class DeliveryStatus(models.TextChoices):
    PENDING = "pending", "Pending"
    RETRYING = "retrying", "Retrying"
    SUCCEEDED = "succeeded", "Delivered"
    FAILED = "failed", "Failed"


class Delivery(models.Model):
    """One event sent (or being sent) to one subscription: the delivery log."""

    subscription = models.ForeignKey(Subscription, on_delete=models.CASCADE, related_name="deliveries")
    event_id = models.CharField(max_length=36)
    event_type = models.CharField(max_length=40)
    body = models.JSONField(help_text="The JSON sent, exactly as signed.")
    status = models.CharField(max_length=12, choices=DeliveryStatus.choices, default=DeliveryStatus.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    response_code = models.PositiveIntegerField(null=True, blank=True)
    duration_ms = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    last_attempt_at = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    redelivery_of = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created_at", "-pk"]
        verbose_name_plural = "deliveries"
        indexes = [models.Index(fields=["subscription", "-created_at"])]

    def __str__(self) -> str:
        return f"{self.event_type} to {self.subscription} ({self.get_status_display()})"
