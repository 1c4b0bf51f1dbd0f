from django import forms
from django.contrib.auth import get_user_model

from apps.core.forms import DateInput
from apps.teams.models import Interaction, MemberRole, Membership, Team, ValueStream
from apps.teams.services import INTERACTION_FIELDS, MEMBERSHIP_FIELDS, STREAM_FIELDS, TEAM_FIELDS


class ValueStreamForm(forms.ModelForm):
    class Meta:
        model = ValueStream
        fields = STREAM_FIELDS


class TeamForm(forms.ModelForm):
    class Meta:
        model = Team
        fields = TEAM_FIELDS
        widgets = {
            name: forms.Textarea(attrs={"rows": 3})
            for name in (
                "focus",
                "services_offered",
                "service_level_expectations",
                "software_owned",
                "ways_of_working",
                "current_work",
            )
        }


class MembershipForm(forms.ModelForm):
    # Shown inline on the team page without labels: the empty choices say what to pick.
    user = forms.ModelChoiceField(
        queryset=get_user_model().objects.order_by("username"),
        empty_label="Person…",
        widget=forms.Select(attrs={"aria-label": "Person"}),
    )

    class Meta:
        model = Membership
        fields = MEMBERSHIP_FIELDS
        widgets = {"team": forms.HiddenInput, "role": forms.Select(attrs={"aria-label": "Role"})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = [("", "Role…"), *MemberRole.choices]


class InteractionForm(forms.ModelForm):
    class Meta:
        model = Interaction
        fields = INTERACTION_FIELDS
        widgets = {
            "start_date": DateInput,
            "expected_end": DateInput,
            "ended_on": DateInput,
            "purpose": forms.Textarea(attrs={"rows": 2}),
        }
