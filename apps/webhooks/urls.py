from django.urls import path

from apps.webhooks import views

app_name = "webhooks"

urlpatterns = [
    path("", views.subscription_list, name="subscription-list"),
    path("new/", views.subscription_form, name="subscription-create"),
    path("<int:pk>/", views.subscription_detail, name="subscription-detail"),
    path("<int:pk>/edit/", views.subscription_form, name="subscription-edit"),
    path("<int:pk>/test/", views.subscription_test, name="subscription-test"),
    path("<int:pk>/toggle/", views.subscription_toggle, name="subscription-toggle"),
    path("<int:pk>/rotate-secret/", views.subscription_rotate_secret, name="subscription-rotate-secret"),
    path("deliveries/<int:pk>/redeliver/", views.delivery_redeliver, name="delivery-redeliver"),
]
