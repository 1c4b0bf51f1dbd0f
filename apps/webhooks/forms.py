from django import forms

from apps.core.events import EVENT_TYPES
from apps.teams.models import Team
from apps.webhooks.models import Subscription
from apps.webhooks.selectors import managed_team_ids


class SubscriptionForm(forms.ModelForm):
    event_types = forms.MultipleChoiceField(
        choices=[(key, label) for key, label in EVENT_TYPES.items() if key != "ping"],
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text="Leave all unticked to receive every event.",
    )

    class Meta:
        model = Subscription
        fields = [
            "name",
            "team",
            "url",
            "event_types",
            "payload_format",
            "filter_team",
            "filter_stream",
            "filter_model",
        ]
        labels = {
            "url": "Receiver URL",
            "filter_team": "Only events about team",
            "filter_stream": "Only events about value stream",
            "filter_model": "Only events about model",
        }

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        managed = managed_team_ids(user)
        if managed is not None:
            self.fields["team"].queryset = Team.objects.filter(pk__in=managed)
        for name, label in (
            ("filter_team", "Any team"),
            ("filter_stream", "Any stream"),
            ("filter_model", "Any model"),
        ):
            self.fields[name].empty_label = label
