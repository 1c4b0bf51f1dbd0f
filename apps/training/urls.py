from django.urls import path

from apps.training import views

app_name = "training"

urlpatterns = [
    path("", views.dataset_list, name="dataset-list"),
    path("datasets/new/", views.dataset_upload, name="dataset-upload"),
    path("datasets/<int:pk>/", views.dataset_detail, name="dataset-detail"),
    path("jobs/", views.job_list, name="job-list"),
    path("jobs/new/", views.job_create, name="job-create"),
    path("jobs/external/", views.external_version, name="external-version"),
    path("jobs/<int:pk>/", views.job_detail, name="job-detail"),
    path("jobs/<int:pk>/cancel/", views.job_cancel, name="job-cancel"),
    path("jobs/<int:pk>/schedule/", views.job_schedule, name="job-schedule"),
]
