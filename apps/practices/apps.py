from django.apps import AppConfig


class PracticesConfig(AppConfig):
    name = "apps.practices"
    verbose_name = "Engineering practices"
    demo = "apps.practices.demo.load"  # run once by load_demo (apps.core.demo)
