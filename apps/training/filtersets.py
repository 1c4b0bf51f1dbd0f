"""One filterset per list, shared by the browser pages and the API."""

import django_filters
from django.db.models import Q

from apps.core.filters import BoundedModelChoiceFilter, BoundedNumberFilter, PortalFilterSet, YesNoFilter
from apps.registry.models import Task
from apps.teams.models import Team
from apps.training.estimators import estimator_choices
from apps.training.models import (
    DatasetStatus,
    DatasetVersion,
    JobKind,
    JobStatus,
    RetrainingSchedule,
    TrainingJob,
)
from apps.training.selectors import only_newest_versions


class DatasetVersionFilterSet(PortalFilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    team = BoundedModelChoiceFilter(queryset=Team.objects.all(), to_field_name="slug")
    name = django_filters.CharFilter(field_name="name", label="Exact name")
    latest = YesNoFilter(method="only_latest", label="Latest versions only")
    status = django_filters.ChoiceFilter(choices=DatasetStatus.choices)

    class Meta:
        model = DatasetVersion
        fields = ["q", "team", "name", "latest", "status"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(description__icontains=value))

    def only_latest(self, queryset, name, value):
        return only_newest_versions(queryset) if value else queryset


class TrainingJobFilterSet(PortalFilterSet):
    status = django_filters.ChoiceFilter(choices=JobStatus.choices)
    kind = django_filters.ChoiceFilter(choices=JobKind.choices)
    team = BoundedModelChoiceFilter(queryset=Team.objects.all(), to_field_name="slug")
    task = django_filters.ChoiceFilter(choices=Task.choices)
    estimator = django_filters.ChoiceFilter(choices=estimator_choices())
    dataset_version = BoundedNumberFilter(field_name="dataset_version_id", label="Dataset version id")
    registered_model = django_filters.CharFilter(field_name="registered_model__slug", label="Model slug")
    # the link to the request lives in apps.outcomes (training does not know requests)
    model_request = BoundedNumberFilter(field_name="for_request__request_id", label="Model request id")

    class Meta:
        model = TrainingJob
        fields = [
            "status",
            "kind",
            "team",
            "task",
            "estimator",
            "dataset_version",
            "registered_model",
            "model_request",
        ]


class RetrainingScheduleFilterSet(PortalFilterSet):
    enabled = YesNoFilter()

    class Meta:
        model = RetrainingSchedule
        fields = ["enabled"]
