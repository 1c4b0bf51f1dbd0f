import datetime

from django import forms
from django.utils import timezone

from apps.outcomes.impact import Period
from apps.outcomes.models import Kpi, ModelCost, Segment
from apps.outcomes.services import KPI_FIELDS, MODEL_COST_FIELDS

PERIOD_CHOICES = [
    ("90", "Last 90 days"),
    ("180", "Last 180 days"),
    ("365", "Last 12 months"),
    ("730", "Last 2 years"),
    ("all", "All time"),
    ("custom", "Custom (from/to)"),
]
DEFAULT_PERIOD = "365"


class DashboardFilterForm(forms.Form):
    """Period and segment filters shared by the dashboards, their CSV downloads and the impact API."""

    period = forms.ChoiceField(choices=PERIOD_CHOICES, required=False, initial=DEFAULT_PERIOD)
    start = forms.DateField(required=False, label="From", widget=forms.DateInput(attrs={"type": "date"}))
    end = forms.DateField(required=False, label="To", widget=forms.DateInput(attrs={"type": "date"}))
    segment = forms.ChoiceField(
        choices=[("", "All segments"), *Segment.choices], required=False, label="Segment (KPI trends)"
    )

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["start"] > data["end"]:
            self.add_error("end", "The end date must not be before the start date.")
        return data

    def period_value(self) -> Period:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        start, end = data.get("start"), data.get("end")
        preset = data.get("period") or ("custom" if start or end else DEFAULT_PERIOD)
        if preset == "custom":
            return Period(start=start, end=end)
        if preset == "all":
            return Period()
        return Period(start=timezone.localdate() - datetime.timedelta(days=int(preset)))

    def segment_value(self) -> str:
        return self.cleaned_data.get("segment", "") if self.is_bound and self.is_valid() else ""


class KpiForm(forms.ModelForm):
    class Meta:
        model = Kpi
        fields = KPI_FIELDS


class ModelCostForm(forms.ModelForm):
    class Meta:
        model = ModelCost
        fields = [name for name in MODEL_COST_FIELDS if name != "model"]


class ObservationUploadForm(forms.Form):
    file = forms.FileField(
        label="CSV file",
        help_text="Columns: kpi (id), time (ISO date or date-time), value, and optionally volume, "
        "segment (treatment|control|all), model (slug), version (number). At most 10,000 rows; "
        "all-or-nothing; re-sent rows update.",
    )
