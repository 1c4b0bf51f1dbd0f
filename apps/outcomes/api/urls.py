from django.urls import path
from rest_framework.routers import DefaultRouter

from apps.outcomes.api import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("kpis", views.KpiViewSet, basename="kpi")
router.register("observations", views.ObservationViewSet, basename="observation")
router.register("model-costs", views.ModelCostViewSet, basename="model-cost")
router.register("drift-results", views.DriftResultViewSet, basename="drift-result")

urlpatterns = [
    # An extra segment after the teams router's streams/<slug>/, so the two never clash.
    path("streams/<slug:slug>/impact/", views.StreamImpactView.as_view(), name="stream-impact"),
    path("models/<slug:slug>/monitoring/", views.ModelMonitoringView.as_view(), name="model-monitoring"),
    *router.urls,
]
