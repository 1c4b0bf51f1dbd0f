from django import forms

from apps.core.forms import DateInput
from apps.core.permissions import is_platform_staff
from apps.modelrequests import scoring
from apps.modelrequests.models import Board, ModelRequest, RequestStatus
from apps.modelrequests.services import REQUEST_FIELDS
from apps.teams.selectors import teams_of_user


class LinksField(forms.CharField):
    """Attachments typed one link per line; validated as http(s) URLs by the model."""

    widget = forms.Textarea(attrs={"rows": 2, "placeholder": "https://wiki.example.com/analysis"})

    def prepare_value(self, value):
        return "\n".join(value) if isinstance(value, list) else value

    def to_python(self, value):
        return [line.strip() for line in (value or "").splitlines() if line.strip()]


class ModelRequestForm(forms.ModelForm):
    attachments = LinksField(required=False, help_text="Links, one per line (http or https).")

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if user is not None and not is_platform_staff(user) and not self.instance.pk:
            # people file requests for their own teams
            self.fields["requesting_team"].queryset = teams_of_user(user=user).order_by("name")
        # name the allowed values of each scored input (the scales are configurable)
        scale = scoring.scales()
        for name, key in [("impact", "impact"), ("confidence", "confidence")] + [
            (name, "wsjf") for name in scoring.WSJF_INPUTS
        ]:
            self.fields[name].help_text = "One of " + ", ".join(f"{value:g}" for value in scale[key]) + "."

    class Meta:
        model = ModelRequest
        fields = REQUEST_FIELDS
        widgets = {
            "decision_deadline": DateInput,
            **{
                name: forms.Textarea(attrs={"rows": 3})
                for name in (
                    "problem_statement",
                    "data_available",
                    "simplest_alternative",
                    "alternative_effect",
                )
            },
        }


class TransitionForm(forms.Form):
    to = forms.ChoiceField(choices=RequestStatus.choices, label="Move to")
    note = forms.CharField(required=False, max_length=2000)
    next = forms.CharField(required=False, widget=forms.HiddenInput)


class CommentForm(forms.Form):
    body = forms.CharField(widget=forms.Textarea(attrs={"rows": 3}), label="Comment")


class RankForm(forms.Form):
    """The backlog's form: the pressed button (or the drag-and-drop script) sends
    ``move=<id>:after|before:<other id>`` plus the reason."""

    move = forms.RegexField(regex=r"^\d+:(after|before):\d+$")
    reason = forms.CharField(max_length=300, required=False)

    def parsed(self) -> tuple[int, str, int]:
        request_id, where, other = self.cleaned_data["move"].split(":")
        return int(request_id), where, int(other)


class BoardForm(forms.ModelForm):
    """The backlog page switches the team's default method; per-column WIP limits are set in the admin."""

    class Meta:
        model = Board
        fields = ["scoring_method"]
