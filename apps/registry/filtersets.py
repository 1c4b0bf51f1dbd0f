"""One filterset per list, shared by the browser pages and the API."""

import django_filters
from django.db.models import Q

from apps.core.filters import BoundedModelChoiceFilter, PortalFilterSet, YesNoFilter
from apps.registry.feedback_loop import overdue_q
from apps.registry.models import (
    Feedback,
    FeedbackKind,
    FeedbackStatus,
    Lifecycle,
    ModelVersion,
    RegisteredModel,
    Severity,
    Stage,
    SupportTier,
    Task,
)
from apps.registry.selectors import has_version_in_stage
from apps.teams.models import Team, ValueStream


class RegisteredModelFilterSet(PortalFilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    team = BoundedModelChoiceFilter(
        field_name="owning_team", queryset=Team.objects.all(), to_field_name="slug", label="Owning team"
    )
    stream = BoundedModelChoiceFilter(
        field_name="value_stream", queryset=ValueStream.objects.all(), to_field_name="slug", label="Stream"
    )
    lifecycle = django_filters.ChoiceFilter(choices=Lifecycle.choices)
    stage = django_filters.ChoiceFilter(choices=Stage.choices, method="with_stage", label="Has a version in")
    task = django_filters.ChoiceFilter(choices=Task.choices)
    support_tier = django_filters.ChoiceFilter(choices=SupportTier.choices, label="Support tier")
    consumer = BoundedModelChoiceFilter(
        field_name="consuming_teams", queryset=Team.objects.all(), to_field_name="slug", label="Consumed by"
    )

    class Meta:
        model = RegisteredModel
        fields = ["q", "team", "stream", "lifecycle", "stage", "task", "support_tier", "consumer"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(purpose__icontains=value))

    def with_stage(self, queryset, name, value):
        return queryset.filter(has_version_in_stage(value))


class ModelVersionFilterSet(PortalFilterSet):
    stage = django_filters.ChoiceFilter(choices=Stage.choices)

    class Meta:
        model = ModelVersion
        fields = ["stage"]


class FeedbackFilterSet(PortalFilterSet):
    model = BoundedModelChoiceFilter(
        queryset=RegisteredModel.objects.all(), to_field_name="slug", label="Model"
    )
    team = BoundedModelChoiceFilter(
        field_name="model__owning_team", queryset=Team.objects.all(), to_field_name="slug", label="Owner"
    )
    from_team = BoundedModelChoiceFilter(
        queryset=Team.objects.all(), to_field_name="slug", label="Filed by team"
    )
    status = django_filters.ChoiceFilter(choices=FeedbackStatus.choices)
    kind = django_filters.ChoiceFilter(choices=FeedbackKind.choices)
    severity = django_filters.ChoiceFilter(choices=Severity.choices)
    overdue = YesNoFilter(method="by_overdue", label="Overdue")

    class Meta:
        model = Feedback
        fields = ["model", "team", "from_team", "status", "kind", "severity", "overdue"]

    def by_overdue(self, queryset, name, value):
        return queryset.filter(overdue_q()) if value else queryset.exclude(overdue_q())
