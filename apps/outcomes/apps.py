from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "apps.outcomes"
    verbose_name = "Outcomes and monitoring"
