from django.urls import path
from rest_framework.routers import DefaultRouter

from apps.accounts.api import views

router = DefaultRouter(trailing_slash=True)
router.register("tokens", views.TokenViewSet, basename="token")
router.register("users", views.UserViewSet, basename="user")
router.register("service-accounts", views.ServiceAccountViewSet, basename="service-account")

urlpatterns = [
    path("auth/token/", views.ObtainTokenView.as_view(), name="api-token"),
    *router.urls,
]
