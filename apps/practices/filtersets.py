"""One filterset per list, shared by the browser pages and the API."""

import django_filters

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


class ScorecardFilterSet(django_filters.FilterSet):
    subject_type = django_filters.ChoiceFilter(choices=SubjectType.choices)
    team = TeamSlugFilter(queryset=Team.objects.all(), to_field_name="slug", label="Team")
    model = TeamSlugFilter(queryset=RegisteredModel.objects.all(), to_field_name="slug", label="Model")
    level = django_filters.TypedChoiceFilter(choices=Level.choices, coerce=int)
    min_level = django_filters.TypedChoiceFilter(
        choices=Level.choices, coerce=int, field_name="level", lookup_expr="gte", label="At least"
    )

    class Meta:
        model = ScorecardSnapshot
        fields = ["subject_type", "team", "model", "level", "min_level"]


class SelfAssessmentFilterSet(django_filters.FilterSet):
    team = TeamSlugFilter(queryset=Team.objects.all(), to_field_name="slug")
    practice = django_filters.ChoiceFilter(choices=Practice.choices)

    class Meta:
        model = SelfAssessment
        fields = ["team", "practice"]


class EngagementFilterSet(django_filters.FilterSet):
    team = TeamSlugFilter(
        queryset=Team.objects.all(), to_field_name="slug", field_name="interaction__to_team", label="Team"
    )
    enabling_team = TeamSlugFilter(
        queryset=Team.objects.all(), to_field_name="slug", field_name="interaction__from_team"
    )
    completed = django_filters.BooleanFilter(field_name="completed_at", lookup_expr="isnull", exclude=True)

    class Meta:
        model = Engagement
        fields = ["team", "enabling_team", "completed"]


class SurveyResponseFilterSet(django_filters.FilterSet):
    team = TeamSlugFilter(queryset=Team.objects.all(), to_field_name="slug")
    round = django_filters.NumberFilter(field_name="round_id")

    class Meta:
        model = SurveyResponse
        fields = ["team", "round"]
