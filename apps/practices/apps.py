from django.apps import AppConfig


class PracticesConfig(AppConfig):
    name = "apps.practices"
    verbose_name = "Engineering practices"
