from django.urls import path

from apps.home.api.views import WaitingView

urlpatterns = [path("me/waiting/", WaitingView.as_view(), name="me-waiting")]
