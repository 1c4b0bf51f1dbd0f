"""In-portal notifications: who watches what, what each person was told, and how they want e-mail."""

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Watch(models.Model):
    """An explicit choice to follow (``watching``) or mute a request or a model. Without a row, the
    default applies: a request's filer and requesting team, and a model's owning team, are watchers."""

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="watches")
    request = models.ForeignKey(
        "modelrequests.ModelRequest", null=True, blank=True, on_delete=models.CASCADE, related_name="watches"
    )
    model = models.ForeignKey(
        "registry.RegisteredModel", null=True, blank=True, on_delete=models.CASCADE, related_name="watches"
    )
    watching = models.BooleanField(
        default=True, help_text="False: muted, even where watching is the default."
    )
    updated_at = models.DateTimeField(default=timezone.now)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(request__isnull=False, model__isnull=True)
                | Q(request__isnull=True, model__isnull=False),
                name="watch_one_target",
            ),
            models.UniqueConstraint(fields=["user", "request"], name="one_watch_per_request"),
            models.UniqueConstraint(fields=["user", "model"], name="one_watch_per_model"),
        ]

    def __str__(self) -> str:
        verb = "watches" if self.watching else "muted"
        return f"{self.user} {verb} {self.request or self.model}"


class Notification(models.Model):
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications")
    event_type = models.CharField(max_length=40)
    event_id = models.CharField(max_length=36, help_text="The domain event, shared by everyone told of it.")
    summary = models.CharField(max_length=300)
    detail = models.TextField(blank=True, help_text="The note of a move, the text of a comment.")
    actor = models.CharField(max_length=150, blank=True, help_text="Who did it (username), if a person.")
    url = models.CharField(max_length=300, blank=True)
    reason = models.CharField(max_length=80, help_text="Why this person was told, e.g. “you were mentioned”.")
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at", "-created_at"], name="notification_inbox")]
        constraints = [
            models.UniqueConstraint(fields=["user", "event_id"], name="one_notification_per_event")
        ]

    def __str__(self) -> str:
        return f"{self.user}: {self.summary}"


class EmailChoice(models.TextChoices):
    IMMEDIATE = "immediate", "At once, one e-mail per notification"
    DAILY = "daily", "Once a day, a digest of what is unread"
    NONE = "none", "No e-mail (the bell only)"


class Preference(models.Model):
    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notification_preference"
    )
    email = models.CharField(max_length=16, choices=EmailChoice.choices, default=EmailChoice.IMMEDIATE)
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"{self.user}: {self.get_email_display()}"
