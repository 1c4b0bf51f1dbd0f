from django.apps import AppConfig


class TrainingConfig(AppConfig):
    name = "apps.training"
    verbose_name = "Self-service training"
    demo = "apps.training.demo.load"  # run once by load_demo (apps.core.demo)
