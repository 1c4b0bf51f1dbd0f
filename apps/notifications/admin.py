from django.contrib import admin

from apps.core.admin_base import PolicyAdminMixin, ReadOnlyAdminMixin
from apps.notifications.models import Notification, Preference, Watch


@admin.register(Notification)
class NotificationAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """What people were told; written only by the portal from its events."""

    list_display = ["user", "summary", "event_type", "reason", "created_at", "read_at", "emailed_at"]
    list_filter = ["event_type", ("read_at", admin.EmptyFieldListFilter)]
    search_fields = ["user__username", "summary"]
    date_hierarchy = "created_at"


@admin.register(Watch)
class WatchAdmin(PolicyAdminMixin, admin.ModelAdmin):
    change_rule = delete_rule = "notifications.change_own_settings"
    list_display = ["user", "request", "model", "watching", "updated_at"]
    list_filter = ["watching"]
    search_fields = ["user__username", "request__title", "model__name"]
    raw_id_fields = ["user", "request", "model"]


@admin.register(Preference)
class PreferenceAdmin(PolicyAdminMixin, admin.ModelAdmin):
    change_rule = delete_rule = "notifications.change_own_settings"
    list_display = ["user", "email", "updated_at"]
    list_filter = ["email"]
    search_fields = ["user__username"]
