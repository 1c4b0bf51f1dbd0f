from django.urls import path

from apps.practices import views

app_name = "practices"

urlpatterns = [
    path("", views.overview, name="overview"),
    path("rubric/", views.rubric, name="rubric"),
    path("delivery/", views.stream_delivery, name="delivery"),
    path("teams/<slug:slug>/", views.team_scorecard, name="team-scorecard"),
    path("teams/<slug:slug>/recompute/", views.team_recompute, name="team-recompute"),
    path("models/<slug:slug>/", views.model_scorecard, name="model-scorecard"),
    path("self-assessments/", views.self_assessment_list, name="self-assessment-list"),
    path("self-assessments/new/", views.self_assessment_form, name="self-assessment-create"),
    path("self-assessments/<int:pk>/edit/", views.self_assessment_form, name="self-assessment-edit"),
    path("self-assessments/<int:pk>/delete/", views.self_assessment_delete, name="self-assessment-delete"),
    path("engagements/", views.engagement_list, name="engagement-list"),
    path("engagements/new/", views.engagement_form, name="engagement-create"),
    path("engagements/<int:pk>/", views.engagement_detail, name="engagement-detail"),
    path("engagements/<int:pk>/complete/", views.engagement_complete, name="engagement-complete"),
    path("survey/", views.survey, name="survey"),
    path("survey/<int:round_id>/answer/", views.survey_answer, name="survey-answer"),
]
