"""The audit trail in the admin console: django-auditlog's entry admin, with the channel, read-only."""

from auditlog.admin import LogEntryAdmin
from django.contrib import admin

from apps.audit.models import AuditEvent
from apps.core.admin_base import ReadOnlyAdminMixin

# django-auditlog registers its admin for the entry model; this one replaces it.
if admin.site.is_registered(AuditEvent):
    admin.site.unregister(AuditEvent)


@admin.register(AuditEvent)
class AuditEventAdmin(ReadOnlyAdminMixin, LogEntryAdmin):
    list_display = ["created", "resource_url", "action", "msg_short", "user_url", "channel", "cid_url"]
    list_filter = ["action", "channel", *LogEntryAdmin.list_filter[1:]]
    fieldsets = [
        (None, {"fields": ["created", "user_url", "channel", "resource_url", "cid", "remote_addr"]}),
        ("Changes", {"fields": ["action", "msg"]}),
    ]
    readonly_fields = [*LogEntryAdmin.readonly_fields, "channel", "cid", "remote_addr"]
