from django.db.models import Count, Max, Q, QuerySet

from apps.core.policy import allowed
from apps.webhooks import policy
from apps.webhooks.models import Delivery, DeliveryStatus, Subscription


def subscription_list() -> QuerySet[Subscription]:
    return (
        Subscription.objects.select_related(
            "team", "filter_team", "filter_stream", "filter_model", "created_by"
        )
        .annotate(
            delivery_count=Count("deliveries"),
            failed_count=Count("deliveries", filter=Q(deliveries__status=DeliveryStatus.FAILED)),
            last_delivery_at=Max("deliveries__created_at"),
        )
        .order_by("team__name", "name")
    )


def delivery_list() -> QuerySet[Delivery]:
    return Delivery.objects.select_related("subscription__team")


def can_manage(user, subscription: Subscription) -> bool:
    return allowed(user, "webhooks.manage_webhooks", subscription.team)


def managed_team_ids(user) -> set[int] | None:
    """The teams whose webhooks ``user`` manages (and whose secrets they see); None: every team."""
    return policy.managed_team_ids(user)
