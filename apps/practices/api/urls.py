from rest_framework.routers import DefaultRouter

from apps.practices.api import views

router = DefaultRouter(trailing_slash=True)
router.include_root_view = False
router.register("scorecards", views.ScorecardViewSet, basename="scorecard")
router.register("self-assessments", views.SelfAssessmentViewSet, basename="self-assessment")
router.register("survey-rounds", views.SurveyRoundViewSet, basename="survey-round")
router.register("survey-responses", views.SurveyResponseViewSet, basename="survey-response")
router.register("engagements", views.EngagementViewSet, basename="engagement")
router.register("stream-delivery", views.StreamDeliveryView, basename="stream-delivery")

urlpatterns = router.urls
