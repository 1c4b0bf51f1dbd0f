from rest_framework.routers import DefaultRouter

from apps.teams.api import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("streams", views.ValueStreamViewSet, basename="stream")
router.register("teams", views.TeamViewSet, basename="team")
router.register("members", views.MembershipViewSet, basename="member")
router.register("interactions", views.InteractionViewSet, basename="interaction")

urlpatterns = router.urls
