"""One filterset for model requests, shared by the list, backlog, kanban, flow and CSV pages and the API."""

import django_filters
from django.db.models import Q

from apps.core.filters import BoundedModelChoiceFilter, PortalFilterSet, YesNoFilter
from apps.modelrequests.models import ModelRequest, RequestStatus, SavedView, SavedViewPage
from apps.modelrequests.selectors import waiting_for
from apps.teams.models import Team, ValueStream


class ModelRequestFilterSet(PortalFilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    stream = BoundedModelChoiceFilter(
        field_name="value_stream",
        queryset=ValueStream.objects.all(),
        to_field_name="slug",
        label="Value stream",
    )
    requesting_team = BoundedModelChoiceFilter(
        queryset=Team.objects.all(), to_field_name="slug", label="Requesting team"
    )
    delivering_team = BoundedModelChoiceFilter(
        queryset=Team.objects.all(), to_field_name="slug", label="Delivering team"
    )
    status = django_filters.ChoiceFilter(choices=RequestStatus.choices)
    waiting = django_filters.ChoiceFilter(
        choices=[("me", "me")],
        method="filter_waiting",
        label="Waiting for",
        help_text="me: the requests with a decision waiting for you (triage, accept or reject, size, score).",
    )

    class Meta:
        model = ModelRequest
        fields = ["q", "stream", "requesting_team", "delivering_team", "status", "waiting"]

    def filter_waiting(self, queryset, name, value):
        return waiting_for(queryset, user=getattr(self.request, "user", None))

    def search(self, queryset, name, value):
        return queryset.filter(
            Q(title__icontains=value) | Q(problem_statement__icontains=value) | Q(kpi__icontains=value)
        )


def with_team_alias(params):
    """``?team=`` is the delivering team (the flow endpoint's short name)."""
    data = params.copy()
    if data.get("team") and not data.get("delivering_team"):
        data["delivering_team"] = data["team"]
    return data


class SavedViewFilterSet(PortalFilterSet):
    """The saved views list (page and API): by name, page, sharing and whose."""

    q = django_filters.CharFilter(field_name="name", lookup_expr="icontains", label="Name")
    kind = django_filters.ChoiceFilter(choices=SavedViewPage.choices, label="Page")
    shared = YesNoFilter()
    mine = YesNoFilter(method="filter_mine", label="Mine")

    class Meta:
        model = SavedView
        fields = ["q", "kind", "shared", "mine"]

    def filter_mine(self, queryset, name, value):
        if value is None:
            return queryset
        user = getattr(self.request, "user", None)
        return queryset.filter(owner=user) if value else queryset.exclude(owner=user)
