from rest_framework import viewsets

from apps.core.api.views import ServiceViewSetMixin
from apps.teams import selectors, services
from apps.teams.api.serializers import (
    InteractionSerializer,
    MembershipSerializer,
    TeamSerializer,
    ValueStreamSerializer,
)
from apps.teams.filtersets import (
    InteractionFilterSet,
    MembershipFilterSet,
    TeamFilterSet,
    ValueStreamFilterSet,
)


class ValueStreamViewSet(ServiceViewSetMixin, viewsets.ModelViewSet):
    """Value streams: lines of business with their own KPIs, looked up by slug."""

    serializer_class = ValueStreamSerializer
    filterset_class = ValueStreamFilterSet
    lookup_field = "slug"
    ordering_fields = ["name"]
    create_service = services.stream_create
    update_service = services.stream_update
    delete_service = services.stream_delete
    instance_kwarg = "stream"

    def get_queryset(self):
        return selectors.stream_list()


class TeamViewSet(ServiceViewSetMixin, viewsets.ModelViewSet):
    """Teams and their Team API, looked up by slug."""

    serializer_class = TeamSerializer
    filterset_class = TeamFilterSet
    lookup_field = "slug"
    ordering_fields = ["name", "team_type"]
    create_service = services.team_create
    update_service = services.team_update
    delete_service = services.team_delete
    instance_kwarg = "team"

    def get_queryset(self):
        return selectors.team_list()


class MembershipViewSet(ServiceViewSetMixin, viewsets.ModelViewSet):
    """Who is in which team, with which role."""

    serializer_class = MembershipSerializer
    filterset_class = MembershipFilterSet
    create_service = services.membership_create
    update_service = services.membership_update
    delete_service = services.membership_delete
    instance_kwarg = "membership"

    def get_queryset(self):
        return selectors.membership_list()


class InteractionViewSet(ServiceViewSetMixin, viewsets.ModelViewSet):
    """Interactions between teams (collaboration, X-as-a-service, facilitating)."""

    serializer_class = InteractionSerializer
    filterset_class = InteractionFilterSet
    ordering_fields = ["start_date", "expected_end"]
    create_service = services.interaction_create
    update_service = services.interaction_update
    delete_service = services.interaction_delete
    instance_kwarg = "interaction"

    def get_queryset(self):
        return selectors.interaction_list()
