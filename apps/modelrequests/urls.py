from django.urls import path

from apps.modelrequests import views

app_name = "modelrequests"

urlpatterns = [
    path("", views.request_list, name="list"),
    path("new/", views.request_form, name="create"),
    path("backlog/", views.backlog, name="backlog"),
    path("backlog/rank/", views.backlog_rank, name="backlog-rank"),
    path("backlog/reset/", views.backlog_reset, name="backlog-reset"),
    path("backlog/board/", views.board_settings, name="board-settings"),
    path("board/", views.kanban, name="kanban"),
    path("flow/", views.flow_page, name="flow"),
    path("<int:pk>/", views.request_detail, name="detail"),
    path("<int:pk>/edit/", views.request_form, name="edit"),
    path("<int:pk>/transition/", views.request_transition, name="transition"),
    path("<int:pk>/comments/", views.comment_add, name="comment"),
    path("<int:pk>/unpin/", views.request_unpin, name="unpin"),
    path("<int:pk>/score/", views.request_score, name="score"),
]
