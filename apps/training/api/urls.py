from django.urls import path
from rest_framework.routers import DefaultRouter

from apps.training.api import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("datasets", views.DatasetViewSet, basename="dataset")
router.register("training-jobs", views.TrainingJobViewSet, basename="training-job")
router.register("retraining-schedules", views.RetrainingScheduleViewSet, basename="retraining-schedule")

urlpatterns = [
    path("estimators/", views.EstimatorCatalogueView.as_view(), name="estimator-catalogue"),
    path("external-versions/", views.ExternalVersionView.as_view(), name="external-version"),
    *router.urls,
]
