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
        keep_platform_staff_group_in_sync()


def keep_platform_staff_group_in_sync() -> None:
    """After every ``migrate`` (once the permissions of new models exist) and whenever a user is
    saved, the ``Platform staff`` group matches the portal's models and its staff."""
    from django.apps import apps as django_apps
    from django.contrib.auth import get_user_model
    from django.db.models.signals import post_migrate, post_save

    from apps.core.staff_group import sync_membership, sync_platform_staff_group

    def after_migrate(sender, **kwargs):
        # Sent once per app after auth created that app's permissions: sync after the last one.
        if sender is list(django_apps.get_app_configs())[-1]:
            sync_platform_staff_group()

    post_migrate.connect(after_migrate, dispatch_uid="platform-staff-group")
    post_save.connect(
        lambda sender, instance, **kwargs: sync_membership(instance),
        sender=get_user_model(),
        weak=False,
        dispatch_uid="platform-staff-membership",
    )


def bound_serializer_datetimes() -> None:
    """Every ModelSerializer maps a model's DateTimeField to the bounded field of the validation
    layer, so no date-time PostgreSQL cannot store reaches a query."""
    from django.db import models
    from rest_framework import serializers

    from apps.core.validation import BoundedDateTimeField

    serializers.ModelSerializer.serializer_field_mapping[models.DateTimeField] = BoundedDateTimeField
