from django.urls import path

from apps.teams import views

app_name = "teams"

urlpatterns = [
    path("", views.team_list, name="team-list"),
    path("new/", views.team_form, name="team-create"),
    path("topology/", views.topology, name="topology"),
    path("streams/", views.stream_list, name="stream-list"),
    path("streams/new/", views.stream_form, name="stream-create"),
    path("streams/<slug:slug>/", views.stream_detail, name="stream-detail"),
    path("streams/<slug:slug>/edit/", views.stream_form, name="stream-edit"),
    path("interactions/", views.interaction_list, name="interaction-list"),
    path("interactions/new/", views.interaction_form, name="interaction-create"),
    path("interactions/<int:pk>/edit/", views.interaction_form, name="interaction-edit"),
    path("<slug:slug>/", views.team_detail, name="team-detail"),
    path("<slug:slug>/edit/", views.team_form, name="team-edit"),
    path("<slug:slug>/members/", views.member_add, name="member-add"),
    path("<slug:slug>/members/<int:pk>/remove/", views.member_remove, name="member-remove"),
]
