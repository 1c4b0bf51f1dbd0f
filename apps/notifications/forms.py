from django import forms

from apps.notifications.models import EmailChoice


class PreferenceForm(forms.Form):
    email = forms.ChoiceField(choices=EmailChoice.choices, widget=forms.RadioSelect, label="E-mail me")


class WatchForm(forms.Form):
    watching = forms.TypedChoiceField(
        choices=[("true", "Watch"), ("false", "Mute")], coerce=lambda value: value == "true"
    )
