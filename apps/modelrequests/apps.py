from django.apps import AppConfig


class ModelrequestsConfig(AppConfig):
    name = "apps.modelrequests"
    verbose_name = "Model requests"
    demo = "apps.modelrequests.demo.load"  # run once by load_demo (apps.core.demo)

    def ready(self):
        from apps.core.display import register_labels
        from apps.modelrequests import models

        # statuses and moves as people read them (apps/core/display.py)
        register_labels(models.RequestStatus)
        register_labels(models.ScoringMethod)
