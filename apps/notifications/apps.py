from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "apps.notifications"
    label = "notifications"
    verbose_name = "Notifications"

    def ready(self):
        from apps.core import events
        from apps.notifications import services

        events.published.connect(services.notify_for_event, dispatch_uid="notifications-for-event")
