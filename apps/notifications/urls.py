from django.urls import path

from apps.notifications import views

app_name = "notifications"

urlpatterns = [
    path("", views.inbox, name="inbox"),
    path("unread/", views.unread, name="unread"),
    path("read/", views.mark_read, name="mark-read"),
    path("<int:pk>/open/", views.open_one, name="open"),
    path("preference/", views.preference, name="preference"),
    path("watch/requests/<int:pk>/", views.watch_request, name="watch-request"),
    path("watch/models/<slug:slug>/", views.watch_model, name="watch-model"),
]
