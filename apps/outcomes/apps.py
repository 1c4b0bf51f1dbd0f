from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "apps.outcomes"
    verbose_name = "Outcomes and monitoring"
    demo = "apps.outcomes.demo.load"  # run once by load_demo (apps.core.demo)
