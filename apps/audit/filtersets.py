"""The one filterset of the audit log, shared by /audit/ and /api/v1/audit-events/."""

import django_filters
from django import forms
from django.db.models import Q

from apps.audit.models import Action, AuditEvent
from apps.audit.recording import audited_models
from apps.core.acting import CHANNELS
from apps.core.filters import PortalFilterSet
from apps.core.validation import DateTimeFilter


def object_type_choices() -> list[tuple[str, str]]:
    return sorted(
        (f"{model._meta.app_label}.{model._meta.model_name}", str(model._meta.verbose_name).capitalize())
        for model in audited_models()
    )


ACTIONS = [("create", "Created"), ("update", "Changed"), ("delete", "Deleted")]
ACTION_VALUES = {"create": Action.CREATE, "update": Action.UPDATE, "delete": Action.DELETE}


class DateTimeLocal(forms.DateTimeInput):
    input_type = "datetime-local"


class AuditEventFilterSet(PortalFilterSet):
    q = django_filters.CharFilter(method="search", label="Search")
    actor = django_filters.CharFilter(field_name="actor__username", label="Actor (username)")
    object_type = django_filters.ChoiceFilter(
        choices=object_type_choices, method="of_type", label="Object type"
    )
    object_id = django_filters.CharFilter(field_name="object_pk", label="Object id")
    channel = django_filters.ChoiceFilter(choices=list(CHANNELS.items()), label="Channel")
    action = django_filters.ChoiceFilter(choices=ACTIONS, method="of_action", label="Action")
    since = DateTimeFilter(field_name="timestamp", lookup_expr="gte", label="Since", widget=DateTimeLocal)
    until = DateTimeFilter(field_name="timestamp", lookup_expr="lte", label="Until", widget=DateTimeLocal)
    request_id = django_filters.CharFilter(field_name="cid", label="Request id")

    class Meta:
        model = AuditEvent
        fields = [
            "q",
            "actor",
            "object_type",
            "object_id",
            "channel",
            "action",
            "since",
            "until",
            "request_id",
        ]

    def search(self, queryset, name, value):
        """The object's name, the actor's username or e-mail, or a request id."""
        return queryset.filter(
            Q(object_repr__icontains=value)
            | Q(actor__username__icontains=value)
            | Q(actor_email__icontains=value)
            | Q(cid=value)
        )

    def of_type(self, queryset, name, value: str):
        app_label, model = value.split(".", 1)
        return queryset.filter(content_type__app_label=app_label, content_type__model=model)

    def of_action(self, queryset, name, value):
        return queryset.filter(action=ACTION_VALUES[value])
