from django import forms

from apps.core.policy import denial
from apps.practices.checks import CHECKS
from apps.practices.models import Engagement, SelfAssessment, SurveyResponse, http_url_validator
from apps.practices.rubric import get_rubric
from apps.practices.selectors import teams_answering_for
from apps.practices.services import ASSESSMENT_FIELDS
from apps.practices.survey import LIKERT_CHOICES, QUESTION_FIELDS, QUESTIONS
from apps.teams.models import Interaction, InteractionMode, Team


class DateInput(forms.DateInput):
    input_type = "date"


class SelfAssessmentForm(forms.ModelForm):
    evidence_url = forms.URLField(
        max_length=500,
        assume_scheme="https",
        validators=[http_url_validator],
        help_text=SelfAssessment.evidence_url.field.help_text,
    )

    class Meta:
        model = SelfAssessment
        fields = ASSESSMENT_FIELDS
        widgets = {"expires_on": DateInput, "notes": forms.Textarea(attrs={"rows": 2})}


class EngagementForm(forms.ModelForm):
    interaction = forms.ModelChoiceField(
        queryset=Interaction.objects.filter(mode=InteractionMode.FACILITATING, engagement__isnull=True)
        .select_related("from_team", "to_team")
        .order_by("-start_date"),
        help_text="A facilitating interaction of an enabling team (record it on the team's page first).",
    )
    goals = forms.MultipleChoiceField(
        choices=[],
        widget=forms.CheckboxSelectMultiple,
        help_text="The checks the engagement should make pass.",
    )

    class Meta:
        model = Engagement
        fields = ("interaction", "goals", "notes")
        widgets = {"notes": forms.Textarea(attrs={"rows": 3})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["goals"].choices = [(code, CHECKS[code].title) for code in get_rubric()]
        if self.instance.pk:
            self.fields["interaction"].queryset = Interaction.objects.filter(pk=self.instance.interaction_id)


class SurveyResponseForm(forms.ModelForm):
    team = forms.ModelChoiceField(
        queryset=Team.objects.none(), help_text="You answer for your own team (platform staff for any team)."
    )

    class Meta:
        model = SurveyResponse
        fields = ("team", *QUESTION_FIELDS)

    def __init__(self, *args, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["team"].queryset = teams_answering_for(user)
        # A team the user does not answer for is refused naming who does (also said upfront when
        # the user answers for no team at all).
        who = denial("practices.answer_survey")
        self.fields["team"].error_messages["invalid_choice"] = who
        if not self.fields["team"].queryset.exists():
            self.fields["team"].help_text = who
        for name, statement in QUESTIONS:
            self.fields[name] = forms.TypedChoiceField(
                label=statement, choices=LIKERT_CHOICES, coerce=int, widget=forms.RadioSelect
            )
