from django.apps import AppConfig


class ModelrequestsConfig(AppConfig):
    name = "apps.modelrequests"
    verbose_name = "Model requests"
