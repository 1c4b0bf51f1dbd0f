import django_filters

from apps.core.events import EVENT_TYPES
from apps.core.filters import BoundedNumberFilter, PortalFilterSet, YesNoFilter
from apps.webhooks.models import Delivery, DeliveryStatus, Subscription


class SubscriptionFilterSet(PortalFilterSet):
    team = django_filters.CharFilter(field_name="team__slug", label="Team (slug)")
    is_active = YesNoFilter(label="Active")

    class Meta:
        model = Subscription
        fields = ["team", "is_active"]


class DeliveryFilterSet(PortalFilterSet):
    subscription = BoundedNumberFilter(field_name="subscription_id", label="Subscription id")
    status = django_filters.ChoiceFilter(choices=DeliveryStatus.choices)
    event_type = django_filters.ChoiceFilter(choices=list(EVENT_TYPES.items()), label="Event type")

    class Meta:
        model = Delivery
        fields = ["subscription", "status", "event_type"]
