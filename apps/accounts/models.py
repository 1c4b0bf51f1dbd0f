"""API tokens (django-rest-knox stores only their SHA-512 digest), service accounts (non-human users
of one team) and the sessions each user is signed in with (so they can all be ended at once)."""

from django.conf import settings
from django.db import models
from django.utils import timezone
from knox.models import AbstractAuthToken
from knox.settings import CONSTANTS

from apps.teams.models import MemberRole, Team


class ApiToken(AbstractAuthToken):
    """A named personal or service-account token. ``digest`` is the hash knox compares; the token
    itself is shown once, when it is made. ``token_key`` is its first characters, to recognise it."""

    id = models.BigAutoField(primary_key=True)
    digest = models.CharField(max_length=CONSTANTS.DIGEST_LENGTH, unique=True)
    name = models.CharField(max_length=100)
    read_only = models.BooleanField(default=False, help_text="May only read: GET, HEAD and OPTIONS requests.")
    last_used_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    class Meta:
        ordering = ["-created"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.name} ({self.token_key}…) of {self.user}"

    @property
    def is_expired(self) -> bool:
        return self.expiry is not None and self.expiry <= timezone.now()


# A service account never leads: a lead manages service accounts and their tokens, so a lead robot
# could mint credentials for itself and its siblings.
SERVICE_ACCOUNT_ROLES = tuple(role for role in MemberRole if role != MemberRole.LEAD)
SERVICE_ACCOUNT_ROLE_CHOICES = [(role.value, role.label) for role in SERVICE_ACCOUNT_ROLES]


class ServiceAccount(models.Model):
    """A non-human user that belongs to one team with a role; it signs in with tokens only."""

    user = models.OneToOneField(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="service_account"
    )
    team = models.ForeignKey(Team, on_delete=models.CASCADE, related_name="service_accounts")
    role = models.CharField(max_length=32, choices=MemberRole.choices, default=MemberRole.ENGINEER)
    description = models.CharField(max_length=300, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["team__name", "user__username"]

    def __str__(self) -> str:
        return f"{self.user.username} (service account of {self.team})"


class UserSession(models.Model):
    """One browser session a user signed in with; "sign out everywhere" ends each of them."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="signed_in_sessions"
    )
    session_key = models.CharField(max_length=40, unique=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"session of {self.user} since {self.created_at:%Y-%m-%d %H:%M}"
