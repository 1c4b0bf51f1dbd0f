from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "apps.outcomes"
    verbose_name = "Outcomes and monitoring"
    demo = "apps.outcomes.demo.load"  # run once by load_demo (apps.core.demo)

    def ready(self):
        from apps.modelrequests import hooks as request_hooks
        from apps.outcomes.monitoring import prediction_record
        from apps.outcomes.selectors import kpi_names_by_stream
        from apps.registry import hooks

        hooks.on_prediction_served(prediction_record)
        request_hooks.provide_kpis(kpi_names_by_stream)
