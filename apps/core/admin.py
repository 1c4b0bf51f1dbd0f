from django.contrib import admin

from apps.core.admin_base import PolicyAdminMixin
from apps.core.models import DemoLoad, WorkerHeartbeat


@admin.register(DemoLoad)
class DemoLoadAdmin(PolicyAdminMixin, admin.ModelAdmin):
    change_rule = delete_rule = "core.fix_records"
    list_display = ["area", "loaded_at"]
    search_fields = ["area"]


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(PolicyAdminMixin, admin.ModelAdmin):
    """Which worker consumes which queue, as /healthz sees it (written by the workers themselves)."""

    change_rule = delete_rule = "core.fix_records"

    list_display = ["queue", "hostname", "pid", "started_at", "beat_at"]
    list_filter = ["queue"]
    search_fields = ["hostname", "queue"]
    readonly_fields = ["hostname", "queue", "pid", "started_at", "beat_at"]

    def has_add_permission(self, request):
        return False
