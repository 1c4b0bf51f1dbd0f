from django.apps import AppConfig


class SsoConfig(AppConfig):
    name = "apps.sso"
    verbose_name = "Single sign-on"

    def ready(self):
        from apps.sso import checks  # noqa: F401 - registers the configuration check
        from apps.sso.managed import why_team_is_managed
        from apps.teams.hooks import on_membership_managed

        on_membership_managed(why_team_is_managed)
