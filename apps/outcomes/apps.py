from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "apps.outcomes"
    verbose_name = "Outcomes and monitoring"
    demo = "apps.outcomes.demo.load"  # run once by load_demo (apps.core.demo)

    def ready(self):
        from apps.outcomes.monitoring import prediction_record
        from apps.registry import hooks

        hooks.on_prediction_served(prediction_record)
