from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "apps.registry"
    verbose_name = "Model registry"

    def ready(self):
        from apps.registry.serving import connect_invalidation

        connect_invalidation()
