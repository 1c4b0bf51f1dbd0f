from csp.decorators import csp_update
from django.urls import include, path

from apps.core.api.docs import DocsView, SchemaView

# Swagger UI's style sheet draws its icons and arrows as data: images; only the docs page allows them.
docs_view = csp_update({"img-src": ["data:"]})(DocsView.as_view(url_name="api-schema"))

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
    path("", include("apps.home.api.urls")),
]

urlpatterns = [
    path("schema/", SchemaView.as_view(), name="api-schema"),
    path("docs/", docs_view, name="api-docs"),
    path("v1/", include(v1)),
]
