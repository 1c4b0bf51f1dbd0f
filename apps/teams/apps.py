from django.apps import AppConfig


class TeamsConfig(AppConfig):
    name = "apps.teams"
    verbose_name = "Teams catalogue"
    # load_demo (apps.core.demo): the organisation every other app's demo loads onto, and its logins.
    demo_organisation = "apps.teams.demo.load"
    demo_logins = "apps.teams.demo.logins"

    def ready(self):
        from apps.core.display import register_labels
        from apps.teams import models

        # team types, roles and interaction modes as people read them (apps/core/display.py)
        for choices in (models.TeamType, models.MemberRole, models.InteractionMode):
            register_labels(choices)
