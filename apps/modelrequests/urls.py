from django.urls import path

from apps.modelrequests import views

app_name = "modelrequests"

urlpatterns = [
    path("", views.request_list, name="request-list"),
    path("new/", views.request_form, name="request-create"),
    path("backlog/", views.backlog, name="backlog"),
    path("backlog/rank/", views.backlog_rank, name="backlog-rank"),
    path("backlog/bulk-score/", views.backlog_bulk_score, name="backlog-bulk-score"),
    path("backlog/reset/", views.backlog_reset, name="backlog-reset"),
    path("backlog/board/", views.board_settings, name="board-settings"),
    path("board/", views.kanban, name="kanban"),
    path("flow/", views.flow_page, name="flow"),
    path("roadmap/", views.roadmap_page, name="roadmap"),
    path("stream/", views.stream_page, name="stream"),
    path("views/", views.saved_view_list, name="saved-view-list"),
    path("views/new/", views.saved_view_create, name="saved-view-create"),
    path("views/<int:pk>/edit/", views.saved_view_edit, name="saved-view-edit"),
    path("views/<int:pk>/delete/", views.saved_view_delete, name="saved-view-delete"),
    path("<int:pk>/", views.request_detail, name="request-detail"),
    path("<int:pk>/edit/", views.request_form, name="request-edit"),
    path("<int:pk>/transition/", views.request_transition, name="request-transition"),
    path("<int:pk>/comments/", views.comment_add, name="request-comment"),
    path("<int:pk>/unpin/", views.request_unpin, name="request-unpin"),
    path("<int:pk>/score/", views.request_score, name="request-score"),
]
