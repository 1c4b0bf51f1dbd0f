from django.apps import AppConfig


class WebhooksConfig(AppConfig):
    name = "apps.webhooks"
    label = "webhooks"
    verbose_name = "Webhooks"

    def ready(self):
        from apps.core import events
        from apps.webhooks import services

        events.published.connect(services.deliveries_for_event, dispatch_uid="webhooks-deliveries")
