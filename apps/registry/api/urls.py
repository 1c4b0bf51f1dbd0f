from django.urls import path
from rest_framework.routers import DefaultRouter

from apps.registry.api import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("models", views.RegisteredModelViewSet, basename="registered-model")
router.register(
    r"models/(?P<model_slug>[-\w]+)/versions", views.ModelVersionViewSet, basename="model-version"
)
router.register("feedback", views.FeedbackViewSet, basename="feedback")

urlpatterns = [
    path("models/<slug:model_slug>/predict/", views.PredictView.as_view(), name="model-predict"),
    path("catalog/backstage/", views.BackstageCatalogView.as_view(), name="catalog-backstage"),
    *router.urls,
]
