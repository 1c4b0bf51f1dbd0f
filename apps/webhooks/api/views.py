from drf_spectacular.utils import extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from apps.core.api.views import ServiceViewSetMixin
from apps.webhooks import selectors, services
from apps.webhooks.api.serializers import DeliverySerializer, SubscriptionSerializer
from apps.webhooks.filtersets import DeliveryFilterSet, SubscriptionFilterSet


class SubscriptionViewSet(ServiceViewSetMixin, viewsets.ModelViewSet):
    """Webhook subscriptions: a team's endpoint that receives the portal's events as signed JSON
    (`X-Portal-Signature: sha256=<HMAC of the body>`), or as Slack incoming-webhook messages."""

    serializer_class = SubscriptionSerializer
    filterset_class = SubscriptionFilterSet
    ordering_fields = ["name", "created_at"]
    create_service = services.subscription_create
    update_service = services.subscription_update
    delete_service = services.subscription_delete
    instance_kwarg = "subscription"

    def get_queryset(self):
        return selectors.subscription_list()

    @extend_schema(request=None, responses={202: DeliverySerializer})
    @action(detail=True, methods=["post"])
    def test(self, request, pk=None):
        """Send a `ping` event to this subscription now."""
        delivery = services.delivery_send_test(actor=request.user, subscription=self.get_object())
        return Response(DeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)

    @extend_schema(request=None, responses={200: SubscriptionSerializer})
    @action(detail=True, methods=["post"], url_path="rotate-secret")
    def rotate_secret(self, request, pk=None):
        """Replace the signing secret (receivers must switch to the new one)."""
        subscription = services.subscription_rotate_secret(actor=request.user, subscription=self.get_object())
        return Response(self.get_serializer(subscription).data)


class DeliveryViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    """The delivery log: every event sent to a subscription, with its attempts and the last answer."""

    serializer_class = DeliverySerializer
    filterset_class = DeliveryFilterSet
    ordering_fields = ["created_at"]

    def get_queryset(self):
        return selectors.delivery_list()

    @extend_schema(request=None, responses={202: DeliverySerializer})
    @action(detail=True, methods=["post"])
    def redeliver(self, request, pk=None):
        """Send the same body (same event id) again, as a new delivery."""
        delivery = services.delivery_redeliver(actor=request.user, delivery=self.get_object())
        return Response(DeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)
