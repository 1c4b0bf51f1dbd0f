from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerView

v1 = [
    path("", include("apps.accounts.api.urls")),
    path("", include("apps.teams.api.urls")),
    path("", include("apps.registry.api.urls")),
    path("", include("apps.training.api.urls")),
    path("", include("apps.modelrequests.api.urls")),
    path("", include("apps.outcomes.api.urls")),
    path("", include("apps.practices.api.urls")),
    path("", include("apps.search.api.urls")),
    path("", include("apps.webhooks.api.urls")),
    path("", include("apps.notifications.api.urls")),
    path("", include("apps.audit.api.urls")),
]

urlpatterns = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("docs/", SpectacularSwaggerView.as_view(url_name="api-schema"), name="api-docs"),
    path("v1/", include(v1)),
]
