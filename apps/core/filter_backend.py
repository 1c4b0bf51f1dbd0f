"""The API's filter backend (its own module: DRF imports it while loading its settings)."""

from django_filters.rest_framework import DjangoFilterBackend
from rest_framework.exceptions import ValidationError

from apps.core.filters import filter_errors
from apps.core.validation import refuse_unknown_query_parameters


class PortalFilterBackend(DjangoFilterBackend):
    """django-filter's backend; an invalid filter value is a 400 naming the filter and, for a
    choice, the allowed values (an unknown slug too); on a list an unknown parameter is a 400 naming
    the allowed ones."""

    def filter_queryset(self, request, queryset, view):
        filterset = self.get_filterset(request, queryset, view)
        if getattr(view, "action", None) == "list":
            refuse_unknown_query_parameters(request, view, filterset)
        if filterset is None:
            return queryset
        if not filterset.is_valid():
            raise ValidationError(filter_errors(filterset))
        return filterset.qs
