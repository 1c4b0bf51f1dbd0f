from django.urls import path

from apps.registry import views

app_name = "registry"

urlpatterns = [
    path("", views.model_list, name="model-list"),
    path("new/", views.model_form, name="model-create"),
    path("feedback/", views.feedback_list, name="feedback-list"),
    path("feedback/<int:pk>/acknowledge/", views.feedback_acknowledge, name="feedback-acknowledge"),
    path("feedback/<int:pk>/resolve/", views.feedback_resolve, name="feedback-resolve"),
    path("<slug:slug>/", views.model_detail, name="model-detail"),
    path("<slug:slug>/edit/", views.model_form, name="model-edit"),
    path("<slug:slug>/card/", views.card_form, name="card-edit"),
    path("<slug:slug>/compare/", views.version_compare, name="version-compare"),
    path("<slug:slug>/rollback/", views.model_rollback, name="model-rollback"),
    path("<slug:slug>/feedback/new/", views.feedback_create, name="feedback-create"),
    path("<slug:slug>/versions/<int:number>/promote/", views.version_promote, name="version-promote"),
]
