from django import forms

from apps.core.policy import allowed
from apps.registry.models import Feedback, RegisteredModel, Stage
from apps.registry.services import CARD_FIELDS, MODEL_FIELDS

DETAIL_FIELDS = tuple(name for name in MODEL_FIELDS if name not in CARD_FIELDS)


class RegisteredModelForm(forms.ModelForm):
    class Meta:
        model = RegisteredModel
        fields = DETAIL_FIELDS
        widgets = {
            "purpose": forms.Textarea(attrs={"rows": 3}),
            "consuming_teams": forms.SelectMultiple(attrs={"size": 8}),
        }


class ModelCardForm(forms.ModelForm):
    """The card's sections as Markdown."""

    class Meta:
        model = RegisteredModel
        fields = CARD_FIELDS
        widgets = {name: forms.Textarea(attrs={"rows": 5}) for name in CARD_FIELDS}
        help_texts = {
            "card_metrics": "Optional notes: the production version's metrics are filled in automatically."
        }


class PromoteForm(forms.Form):
    to_stage = forms.ChoiceField(choices=Stage.choices, label="Move to")
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))
    override = forms.BooleanField(
        required=False, label="Override failed gates (platform staff only; recorded and shown)"
    )

    def __init__(self, *args, allowed: tuple[str, ...], can_override: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to_stage"].choices = [
            (value, label) for value, label in Stage.choices if value in allowed
        ]
        if not can_override:
            del self.fields["override"]


class RollbackForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs={"rows": 2}))


class FeedbackForm(forms.ModelForm):
    example_inputs = forms.JSONField(
        required=False, initial=list, help_text='Example inputs as JSON, e.g. [{"basket_value": 12.5}].'
    )

    class Meta:
        model = Feedback
        fields = ("version", "from_team", "kind", "severity", "title", "description", "example_inputs")
        widgets = {"description": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, registered_model: RegisteredModel, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["version"].queryset = registered_model.versions.order_by("-number")
        self.fields["version"].label_from_instance = lambda v: f"v{v.number} ({v.stage})"
        teams = registered_model.consuming_teams.all() | type(registered_model.owning_team).objects.filter(
            pk=registered_model.owning_team_id
        )
        # Platform staff file for any of these teams, or for none; everyone else for a team of theirs.
        for_any = allowed(user, "registry.file_feedback_for", None)
        if not for_any:
            teams = teams.filter(memberships__user=user)
        self.fields["from_team"].queryset = teams.distinct().order_by("name")
        self.fields["from_team"].required = not for_any


class FeedbackResponseForm(forms.Form):
    response = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))
