from rest_framework.routers import DefaultRouter

from apps.modelrequests.api import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("model-requests", views.ModelRequestViewSet, basename="model-request")
router.register("saved-views", views.SavedViewViewSet, basename="saved-view")

urlpatterns = router.urls
