"""One filterset per list, shared by the browser pages and the API."""

import django_filters
from django.db.models import Q
from django.utils import timezone
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field

from apps.core.filters import BoundedModelChoiceFilter, PortalFilterSet, YesNoFilter
from apps.teams.models import (
    TIME_BOXED_MODES,
    Interaction,
    InteractionMode,
    MemberRole,
    Membership,
    Team,
    TeamType,
    ValueStream,
)


@extend_schema_field(OpenApiTypes.STR)
class TeamSlugFilter(BoundedModelChoiceFilter):
    """A team given by its slug (an unknown slug is a 400 naming the parameter)."""


class ValueStreamFilterSet(PortalFilterSet):
    q = django_filters.CharFilter(method="search", label="Search")

    class Meta:
        model = ValueStream
        fields = ["q"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(description__icontains=value))


class TeamFilterSet(PortalFilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    team_type = django_filters.ChoiceFilter(choices=TeamType.choices, label="Type")
    stream = BoundedModelChoiceFilter(
        field_name="value_stream",
        queryset=ValueStream.objects.all(),
        to_field_name="slug",
        label="Value stream",
    )
    provides_services = YesNoFilter()

    class Meta:
        model = Team
        fields = ["q", "team_type", "stream", "provides_services"]

    def search(self, queryset, name, value):
        return queryset.filter(Q(name__icontains=value) | Q(focus__icontains=value))


class MembershipFilterSet(PortalFilterSet):
    team = BoundedModelChoiceFilter(queryset=Team.objects.all(), to_field_name="slug")
    role = django_filters.ChoiceFilter(choices=MemberRole.choices)
    user = django_filters.CharFilter(field_name="user__username")

    class Meta:
        model = Membership
        fields = ["team", "role", "user"]


class InteractionFilterSet(PortalFilterSet):
    STATUS_CHOICES = [
        ("current", "Current"),
        ("planned", "Planned"),
        ("overdue", "Overdue"),
        ("ended", "Ended"),
    ]

    team = TeamSlugFilter(
        queryset=Team.objects.all(), to_field_name="slug", method="involving", label="Team (either side)"
    )
    mode = django_filters.ChoiceFilter(choices=InteractionMode.choices)
    status = django_filters.ChoiceFilter(choices=STATUS_CHOICES, method="by_status", label="Status")

    class Meta:
        model = Interaction
        fields = ["team", "mode", "status"]

    def involving(self, queryset, name, value):
        return queryset.involving(value)

    def by_status(self, queryset, name, value):
        today = timezone.localdate()
        if value == "ended":
            return queryset.filter(ended_on__isnull=False)
        if value == "planned":
            return queryset.planned(today)
        if value == "overdue":
            return queryset.overdue(today)
        return queryset.current(today).exclude(mode__in=TIME_BOXED_MODES, expected_end__lt=today)
