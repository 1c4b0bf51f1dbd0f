from django.apps import AppConfig


class RegistryConfig(AppConfig):
    name = "apps.registry"
    verbose_name = "Model registry"
    demo = "apps.registry.demo.load"  # run once by load_demo (apps.core.demo)

    def ready(self):
        from apps.registry.serving import connect_invalidation

        connect_invalidation()
