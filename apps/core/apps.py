from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "apps.core"
    verbose_name = "Portal core"

    def ready(self):
        from apps.core.authentication import connect_invalidation

        connect_invalidation()
