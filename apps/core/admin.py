from django.contrib import admin

from apps.core.models import DemoLoad, Heartbeat, WorkerHeartbeat


@admin.register(DemoLoad)
class DemoLoadAdmin(admin.ModelAdmin):
    list_display = ["area", "loaded_at"]
    search_fields = ["area"]


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    list_display = ["pk", "requested_at", "answered_at", "answered_by"]
    search_fields = ["answered_by"]
    list_filter = ["answered_at"]


@admin.register(WorkerHeartbeat)
class WorkerHeartbeatAdmin(admin.ModelAdmin):
    """Which worker consumes which queue, as /healthz sees it (written by the workers themselves)."""

    list_display = ["queue", "hostname", "pid", "started_at", "beat_at"]
    list_filter = ["queue"]
    search_fields = ["hostname", "queue"]
    readonly_fields = ["hostname", "queue", "pid", "started_at", "beat_at"]

    def has_add_permission(self, request):
        return False
