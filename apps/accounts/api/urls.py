from django.urls import path
from rest_framework.routers import DefaultRouter

from apps.accounts.api import views

router = DefaultRouter(trailing_slash=True)
router.register("tokens", views.TokenViewSet, basename="token")
router.register("users", views.UserViewSet, basename="user")
router.register("service-accounts", views.ServiceAccountViewSet, basename="service-account")
router.register("auth/lockouts", views.LockoutViewSet, basename="lockout")

urlpatterns = [
    path("auth/token/", views.ObtainTokenView.as_view(), name="api-token"),
    path("auth/sign-out-everywhere/", views.SignOutEverywhereView.as_view(), name="api-sign-out-everywhere"),
    path("auth/password-reset/", views.PasswordResetView.as_view(), name="api-password-reset"),
    path(
        "auth/password-reset/confirm/",
        views.PasswordResetConfirmView.as_view(),
        name="api-password-reset-confirm",
    ),
    path("auth/password/", views.PasswordChangeView.as_view(), name="api-password-change"),
    *router.urls,
]
