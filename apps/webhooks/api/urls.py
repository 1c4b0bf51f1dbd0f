from rest_framework.routers import DefaultRouter

from apps.webhooks.api.views import DeliveryViewSet, SubscriptionViewSet

router = DefaultRouter(trailing_slash=True)
router.register("webhooks", SubscriptionViewSet, basename="webhook")
router.register("webhook-deliveries", DeliveryViewSet, basename="webhook-delivery")
urlpatterns = router.urls
