from django.apps import AppConfig


class OutcomesConfig(AppConfig):
    name = "apps.outcomes"
    verbose_name = "Outcomes and monitoring"
    demo = "apps.outcomes.demo.load"  # run once by load_demo (apps.core.demo)

    def ready(self):
        from apps.core import events
        from apps.modelrequests import hooks as request_hooks
        from apps.outcomes import work
        from apps.outcomes.monitoring import prediction_record
        from apps.outcomes.selectors import kpi_names_by_stream
        from apps.registry import hooks
        from apps.training import hooks as training_hooks

        hooks.on_prediction_served(prediction_record)
        request_hooks.provide_kpis(kpi_names_by_stream)
        training_hooks.provide_request_links(
            training_hooks.RequestLinks(link=work.link_job, describe=work.describe_request)
        )
        events.published.connect(work.follow_work, dispatch_uid="outcomes-follow-work")
