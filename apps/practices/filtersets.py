"""One filterset per list, shared by the browser pages and the API."""

import django_filters
from django.db.models import Q

from apps.core.filters import BoundedNumberFilter, PortalFilterSet, YesNoFilter
from apps.practices.models import (
    Engagement,
    Level,
    Practice,
    ScorecardSnapshot,
    SelfAssessment,
    SubjectType,
    SurveyResponse,
)
from apps.registry.models import RegisteredModel
from apps.teams.filtersets import TeamSlugFilter
from apps.teams.models import Team

LEVEL_CHOICES = [(str(value), label) for value, label in Level.choices]


class ModelScorecardFilterSet(PortalFilterSet):
    """Model scorecards (the overview page's list)."""

    team = TeamSlugFilter(
        queryset=Team.objects.all(), to_field_name="slug", method="of_team", label="Team (owner)"
    )
    level = django_filters.ChoiceFilter(choices=LEVEL_CHOICES, empty_label="Any")
    min_level = django_filters.ChoiceFilter(
        choices=LEVEL_CHOICES, field_name="level", lookup_expr="gte", label="At least", empty_label="Any"
    )

    class Meta:
        model = ScorecardSnapshot
        fields = ["team", "level", "min_level"]

    def of_team(self, queryset, name, value):
        """A team's own scorecard and those of the models it owns."""
        return queryset.filter(Q(team=value) | Q(model__owning_team=value))


class ScorecardFilterSet(ModelScorecardFilterSet):
    subject_type = django_filters.ChoiceFilter(choices=SubjectType.choices)
    model = TeamSlugFilter(queryset=RegisteredModel.objects.all(), to_field_name="slug", label="Model")

    class Meta:
        model = ScorecardSnapshot
        fields = ["subject_type", "team", "model", "level", "min_level"]


class SelfAssessmentFilterSet(PortalFilterSet):
    team = TeamSlugFilter(queryset=Team.objects.all(), to_field_name="slug")
    practice = django_filters.ChoiceFilter(choices=Practice.choices)

    class Meta:
        model = SelfAssessment
        fields = ["team", "practice"]


class EngagementFilterSet(PortalFilterSet):
    team = TeamSlugFilter(
        queryset=Team.objects.all(), to_field_name="slug", field_name="interaction__to_team", label="Team"
    )
    enabling_team = TeamSlugFilter(
        queryset=Team.objects.all(), to_field_name="slug", field_name="interaction__from_team"
    )
    completed = YesNoFilter(field_name="completed_at", lookup_expr="isnull", exclude=True)

    class Meta:
        model = Engagement
        fields = ["team", "enabling_team", "completed"]


class SurveyResponseFilterSet(PortalFilterSet):
    team = TeamSlugFilter(queryset=Team.objects.all(), to_field_name="slug")
    round = BoundedNumberFilter(field_name="round_id")

    class Meta:
        model = SurveyResponse
        fields = ["team", "round"]
