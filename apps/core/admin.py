from django.contrib import admin

from apps.core.models import DemoLoad, Heartbeat


@admin.register(DemoLoad)
class DemoLoadAdmin(admin.ModelAdmin):
    list_display = ["area", "loaded_at"]
    search_fields = ["area"]


@admin.register(Heartbeat)
class HeartbeatAdmin(admin.ModelAdmin):
    list_display = ["pk", "requested_at", "answered_at", "answered_by"]
    search_fields = ["answered_by"]
    list_filter = ["answered_at"]
