from django.apps import AppConfig
from django.utils.module_loading import autodiscover_modules


class CoreConfig(AppConfig):
    name = "apps.core"
    verbose_name = "Portal core"

    def ready(self):
        from apps.core import acting, request_log

        request_log.configure()
        bound_serializer_datetimes()
        # Tasks run in the ``task`` channel on behalf of whoever sent them (apps/core/acting.py).
        acting.connect_task_signals()
        # Every app's rules (its ``policy`` module) are registered before the first request.
        autodiscover_modules("policy")


def bound_serializer_datetimes() -> None:
    """Every ModelSerializer maps a model's DateTimeField to the bounded field of the validation
    layer, so no date-time PostgreSQL cannot store reaches a query."""
    from django.db import models
    from rest_framework import serializers

    from apps.core.validation import BoundedDateTimeField

    serializers.ModelSerializer.serializer_field_mapping[models.DateTimeField] = BoundedDateTimeField
