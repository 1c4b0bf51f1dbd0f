"""Which portal user an identity-provider account signs in as."""

from django.conf import settings
from django.db import models


class IdentityLink(models.Model):
    """One identity-provider account (issuer + subject, the ``sub`` claim) and the portal user it is.
    Users are matched by this link only, never by e-mail, so an address reused at the provider
    cannot take over a local account."""

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="identity_links"
    )
    issuer = models.CharField(max_length=300)
    subject = models.CharField(max_length=255)
    groups = models.JSONField(
        default=list, blank=True, help_text="The groups the provider sent at the last sign-in."
    )
    created_at = models.DateTimeField(auto_now_add=True)
    last_sign_in_at = models.DateTimeField()

    class Meta:
        ordering = ["-last_sign_in_at"]
        constraints = [models.UniqueConstraint(fields=["issuer", "subject"], name="one_link_per_identity")]

    def __str__(self) -> str:
        return f"{self.user} ← {self.subject} at {self.issuer}"
