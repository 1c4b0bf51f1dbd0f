from django.contrib import admin, messages

from apps.core.admin_base import PolicyAdminMixin, ReadOnlyAdminMixin
from apps.webhooks import services
from apps.webhooks.models import Delivery, Subscription


@admin.register(Subscription)
class SubscriptionAdmin(PolicyAdminMixin, admin.ModelAdmin):
    change_rule = delete_rule = "webhooks.manage_webhooks"

    def policy_object(self, obj):
        return obj.team

    list_display = [
        "name",
        "team",
        "url",
        "payload_format",
        "is_active",
        "consecutive_failures",
        "created_at",
    ]
    list_filter = ["is_active", "payload_format", "team"]
    search_fields = ["name", "url", "team__name"]
    list_select_related = ["team"]
    readonly_fields = ["secret", "consecutive_failures", "disabled_reason", "created_by", "created_at"]
    actions = ["send_test_event"]

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in form.changed_data}
        if change:
            services.subscription_update(actor=request.user, subscription=obj, data=data)
        else:
            form.instance = services.subscription_create(actor=request.user, data=data)

    def delete_model(self, request, obj):
        services.subscription_delete(actor=request.user, subscription=obj)

    @admin.action(description="Send a test event")
    def send_test_event(self, request, queryset):
        for subscription in queryset:
            services.delivery_send_test(actor=request.user, subscription=subscription)
        messages.success(request, f"Queued a test event for {queryset.count()} webhook(s).")


@admin.register(Delivery)
class DeliveryAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = [
        "event_type",
        "subscription",
        "status",
        "attempts",
        "response_code",
        "duration_ms",
        "created_at",
    ]
    list_filter = ["status", "event_type"]
    search_fields = ["event_id", "subscription__name"]
    list_select_related = ["subscription__team"]
    date_hierarchy = "created_at"
    actions = ["redeliver"]

    @admin.action(description="Redeliver")
    def redeliver(self, request, queryset):
        for delivery in queryset.select_related("subscription__team"):
            services.delivery_redeliver(actor=request.user, delivery=delivery)
        messages.success(request, f"Queued {queryset.count()} redelivery(ies).")
