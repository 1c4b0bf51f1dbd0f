from django.contrib.auth import views as auth_views
from django.urls import include, path

from tests.sso.provider import control

urlpatterns = [
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("o/", include("oauth2_provider.urls", namespace="oauth2_provider")),
    path("control/people/<str:username>", control.person),
    path("control/clients/<str:client_id>", control.client),
    path("control/id-token", control.misbehaviour),
]
