"""The API's filter backend (its own module: DRF imports it while loading its settings)."""

from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError

from apps.core.filters import filter_errors


class PortalFilterBackend(DjangoFilterBackend):
    """django-filter's backend; an invalid filter value is a 400 naming the filter and, for a
    choice, the allowed values."""

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if filterset is None:
            return queryset
        if not filterset.is_valid():
            raise ValidationError(filter_errors(filterset))
        return filterset.qs
