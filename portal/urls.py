from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from apps.core import views as core_views
from apps.home import views as home_views
from apps.sso import views as sso_views

urlpatterns = [
    path("", home_views.home, name="home"),
    path("healthz", core_views.healthz, name="healthz"),
    # Pages that do not link the icon (admin, API docs) still make browsers ask for /favicon.ico.
    path("favicon.ico", core_views.favicon),
    path("login/", auth_views.LoginView.as_view(), name="login"),
    path("logout/", sso_views.logout, name="logout"),
    path("sso/", include("apps.sso.urls")),
    path("account/", include("apps.accounts.urls")),
    path("account/", include("apps.accounts.password_urls")),
    path("admin/", admin.site.urls),
    path("api/", include("portal.api_urls")),
    path("teams/", include("apps.teams.urls")),
    path("models/", include("apps.registry.urls")),
    path("training/", include("apps.training.urls")),
    path("requests/", include("apps.modelrequests.urls")),
    path("outcomes/", include("apps.outcomes.urls")),
    path("practices/", include("apps.practices.urls")),
    path("search/", include("apps.search.urls")),
    path("webhooks/", include("apps.webhooks.urls")),
    path("notifications/", include("apps.notifications.urls")),
    path("audit/", include("apps.audit.urls")),
]

if settings.DEBUG_TOOLBAR:
    urlpatterns.append(path("__debug__/", include("debug_toolbar.urls")))

handler400 = "apps.core.views.bad_request"
handler404 = "apps.core.views.not_found"
handler403 = "apps.core.views.forbidden"
handler500 = "apps.core.views.failed"
