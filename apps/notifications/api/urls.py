from django.urls import path
from rest_framework.routers import DefaultRouter

from apps.notifications.api.views import NotificationViewSet, PreferenceView, WatchViewSet

router = DefaultRouter(trailing_slash=True)
router.register("notifications", NotificationViewSet, basename="notification")
router.register("watches", WatchViewSet, basename="watch")
urlpatterns = [
    path("notification-preference/", PreferenceView.as_view(), name="notification-preference"),
    *router.urls,
]
