from django.contrib import admin

from apps.core.admin_base import PolicyAdminMixin
from apps.sso.models import IdentityLink


@admin.register(IdentityLink)
class IdentityLinkAdmin(PolicyAdminMixin, admin.ModelAdmin):
    """Read-only: links are made by signing in. Deleting one makes the next sign-in a new user."""

    list_display = ["user", "subject", "issuer", "last_sign_in_at"]
    search_fields = ["user__username", "subject"]
    list_select_related = ["user"]
    delete_rule = "accounts.manage_users"
    readonly_fields = ["user", "issuer", "subject", "groups", "created_at", "last_sign_in_at"]

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False
