"""One filterset per list, shared by the browser pages and the API."""

import django_filters
from django.db.models import Q

from apps.core.filters import BoundedModelChoiceFilter, BoundedNumberFilter, PortalFilterSet
from apps.core.validation import DateTimeFilter
from apps.outcomes.models import Direction, DriftBand, DriftResult, Kpi, ModelCost, Observation, Segment
from apps.registry.models import RegisteredModel
from apps.teams.models import ValueStream


class KpiFilterSet(PortalFilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    stream = BoundedModelChoiceFilter(
        queryset=ValueStream.objects.all(), to_field_name="slug", label="Value stream"
    )
    direction = django_filters.ChoiceFilter(choices=Direction.choices)

    class Meta:
        model = Kpi
        fields = ["q", "stream", "direction"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(description__icontains=value))


class ObservationFilterSet(PortalFilterSet):
    kpi = BoundedNumberFilter(field_name="kpi_id", label="KPI id")
    stream = BoundedModelChoiceFilter(
        field_name="kpi__stream",
        queryset=ValueStream.objects.all(),
        to_field_name="slug",
        label="Value stream",
    )
    segment = django_filters.ChoiceFilter(choices=Segment.choices)
    model = BoundedModelChoiceFilter(
        queryset=RegisteredModel.objects.all(), to_field_name="slug", label="Model"
    )
    since = DateTimeFilter(field_name="time", lookup_expr="gte")
    until = DateTimeFilter(field_name="time", lookup_expr="lt")

    class Meta:
        model = Observation
        fields = ["kpi", "stream", "segment", "model", "since", "until"]


class ModelCostFilterSet(PortalFilterSet):
    stream = BoundedModelChoiceFilter(
        field_name="model__value_stream", queryset=ValueStream.objects.all(), to_field_name="slug"
    )

    class Meta:
        model = ModelCost
        fields = ["stream"]


class DriftResultFilterSet(PortalFilterSet):
    model = django_filters.CharFilter(field_name="version__model__slug", label="Model slug")
    version = BoundedNumberFilter(field_name="version__number")
    feature = django_filters.CharFilter()
    band = django_filters.ChoiceFilter(choices=DriftBand.choices)

    class Meta:
        model = DriftResult
        fields = ["model", "version", "feature", "band"]
