from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "apps.registry"
    verbose_name = "Model registry"
    demo = "apps.registry.demo.load"  # run once by load_demo (apps.core.demo)

    def ready(self):
        from apps.core.display import register_labels
        from apps.registry import gates, models

        # the gates, tiers, stages and statuses as people read them (apps/core/display.py)
        register_labels(gates.GATE_NAMES)
        for choices in (models.Lifecycle, models.SupportTier, models.Stage, models.FeedbackKind):
            register_labels(choices)
        register_labels(models.Severity)
        register_labels(models.FeedbackStatus)
        from apps.registry.serving import connect_invalidation

        connect_invalidation()
