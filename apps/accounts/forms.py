from datetime import datetime, time

from django import forms
from django.conf import settings
from django.contrib.auth.forms import PasswordResetForm, SetPasswordForm
from django.core.exceptions import ValidationError
from django.template import loader
from django.utils import timezone

from apps.accounts import tasks, tokens
from apps.accounts.models import SERVICE_ACCOUNT_ROLE_CHOICES
from apps.core import acting, dispatch
from apps.core.forms import DateInput
from apps.teams.models import MemberRole, Team


class TokenForm(forms.Form):
    name = forms.CharField(max_length=100, help_text="Where it is used, e.g. “nightly scoring job”.")
    expires_on = forms.DateField(
        widget=DateInput(),
        required=False,
        help_text=(
            f"Default: in {settings.PORTAL_TOKEN_DEFAULT_DAYS} days; "
            f"at most {settings.PORTAL_TOKEN_MAX_DAYS} days ahead."
        ),
    )
    read_only = forms.BooleanField(
        required=False, help_text="It may only read (GET requests), never change anything."
    )

    def __init__(self, *args, owners=None, **kwargs):
        super().__init__(*args, **kwargs)
        if owners is not None and len(owners) > 1:
            self.fields["owner"] = forms.ChoiceField(
                choices=[(user.pk, user.username) for user in owners],
                help_text="Yourself or a service account.",
            )
            self.order_fields(["name", "owner"])
        self.owners = {str(user.pk): user for user in owners or []}

    def clean_expires_on(self):
        day = self.cleaned_data.get("expires_on")
        try:
            return tokens.checked_expiry(
                timezone.make_aware(datetime.combine(day, time(23, 59))) if day else None
            )
        except ValidationError as error:
            raise ValidationError(error.message_dict["expiry"]) from None

    def owner(self, default):
        return self.owners.get(self.cleaned_data.get("owner"), default)


class UserCreateForm(forms.Form):
    """A person's account (platform staff); the service checks uniqueness and the team's rules."""

    username = forms.CharField(max_length=150)
    email = forms.EmailField(help_text="Password reset mails go here.")
    name = forms.CharField(max_length=300, required=False, help_text="Full name, e.g. “Ada Lovelace”.")
    team = forms.ModelChoiceField(
        queryset=Team.objects.order_by("name"), required=False, empty_label="No team", to_field_name="slug"
    )
    role = forms.ChoiceField(
        choices=[("", "—"), *MemberRole.choices], required=False, help_text="Role in the team."
    )


class ServiceAccountForm(forms.Form):
    username = forms.CharField(max_length=150, help_text="e.g. “fraud-nightly-scoring”; it never signs in.")
    role = forms.ChoiceField(
        choices=SERVICE_ACCOUNT_ROLE_CHOICES,
        initial=MemberRole.ENGINEER,
        help_text="It may do what a member of the team with this role may.",
    )
    description = forms.CharField(max_length=300, required=False, help_text="What runs with it.")


class PortalPasswordResetForm(PasswordResetForm):
    """Django's reset form (its token and templates); the mail is sent by a worker once the request
    commits, so a mail server that is down never fails the page, and is retried."""

    def send_mail(
        self,
        subject_template_name,
        email_template_name,
        context,
        from_email,
        to_email,
        html_email_template_name=None,
    ):
        subject = "".join(loader.render_to_string(subject_template_name, context).splitlines())
        body = loader.render_to_string(email_template_name, context)
        dispatch.enqueue_on_commit(
            tasks.send_password_reset_mail.name, kwargs={"subject": subject, "body": body, "to": to_email}
        )


class ResetPasswordForm(SetPasswordForm):
    """Django's form for the new password of a reset link. Nobody is signed in while it is used: the
    link identifies the user, so the change is recorded as theirs, not as an anonymous one."""

    def save(self, commit=True):
        acting.act_as(self.user)
        return super().save(commit=commit)
