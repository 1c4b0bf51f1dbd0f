import django_filters

from apps.core.events import EVENT_TYPES
from apps.core.filters import PortalFilterSet, YesNoFilter
from apps.notifications.models import Notification


class NotificationFilterSet(PortalFilterSet):
    unread = YesNoFilter(field_name="read_at", lookup_expr="isnull", label="Unread")
    event_type = django_filters.ChoiceFilter(choices=list(EVENT_TYPES.items()), label="Event type")

    class Meta:
        model = Notification
        fields = ["unread", "event_type"]
