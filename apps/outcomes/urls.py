from django.urls import path

from apps.outcomes import views

app_name = "outcomes"

urlpatterns = [
    path("", views.portfolio, name="portfolio"),
    path("charts/<slug:name>.csv", views.portfolio_chart_csv, name="portfolio-chart-csv"),
    path("streams/<slug:slug>/", views.stream_dashboard, name="stream-dashboard"),
    path("streams/<slug:slug>/charts/<slug:name>.csv", views.stream_chart_csv, name="stream-chart-csv"),
    path("models/<slug:slug>/", views.model_detail, name="model-detail"),
    path("models/<slug:slug>/charts/<slug:name>.csv", views.model_chart_csv, name="model-chart-csv"),
    path("models/<slug:slug>/cost/", views.model_cost_form, name="model-cost"),
    path("kpis/", views.kpi_list, name="kpi-list"),
    path("kpis/new/", views.kpi_form, name="kpi-create"),
    path("kpis/<int:pk>/edit/", views.kpi_form, name="kpi-edit"),
    path("kpis/<int:pk>/retire/", views.kpi_retire, name="kpi-retire"),
    path("observations/", views.observation_list, name="observation-list"),
    path("observations/upload/", views.observation_upload, name="observation-upload"),
]
