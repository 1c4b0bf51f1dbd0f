from django.urls import path

from apps.accounts import views

app_name = "accounts"

urlpatterns = [
    path("", views.account, name="account"),
    path("sign-out-everywhere/", views.sign_out_everywhere, name="sign-out-everywhere"),
    path("tokens/", views.token_list, name="token-list"),
    path("tokens/<int:pk>/revoke/", views.token_revoke, name="token-revoke"),
    path("users/", views.user_list, name="user-list"),
    path("users/<int:pk>/deactivate/", views.user_deactivate, name="user-deactivate"),
    path("users/<int:pk>/reactivate/", views.user_reactivate, name="user-reactivate"),
    path("teams/<slug:slug>/service-accounts/", views.service_account_create, name="service-account-create"),
    path(
        "service-accounts/<int:pk>/deactivate/",
        views.service_account_deactivate,
        name="service-account-deactivate",
    ),
    path(
        "service-accounts/<int:pk>/reactivate/",
        views.service_account_reactivate,
        name="service-account-reactivate",
    ),
]
