from django.apps import AppConfig


class ModelrequestsConfig(AppConfig):
    name = "apps.modelrequests"
    verbose_name = "Model requests"
    demo = "apps.modelrequests.demo.load"  # run once by load_demo (apps.core.demo)
