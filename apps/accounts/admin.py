from django import forms
from django.contrib import admin, messages

from apps.accounts import services
from apps.accounts.models import ApiToken, ServiceAccount, UserSession
from apps.core.admin_base import ReadOnlyAdminMixin


class TokenAddForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["user", "name", "expiry", "read_only"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    """Staff list, make and revoke (delete) tokens; a token is never shown after it is made."""

    list_display = ["name", "user", "token_key", "read_only", "created", "expiry", "last_used_at"]
    list_filter = ["read_only"]
    search_fields = ["name", "token_key", "user__username"]
    list_select_related = ["user"]
    raw_id_fields = ["user"]
    readonly_fields = [
        "user",
        "name",
        "token_key",
        "read_only",
        "created",
        "expiry",
        "last_used_at",
        "created_by",
    ]
    exclude = ["digest"]

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:
            kwargs["form"] = TokenAddForm
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj else []

    def has_change_permission(self, request, obj=None):
        return obj is None and super().has_change_permission(request, obj)

    def save_model(self, request, obj, form, change):
        token, plain = services.token_create(
            actor=request.user,
            owner=form.cleaned_data["user"],
            name=form.cleaned_data["name"],
            expiry=form.cleaned_data["expiry"],
            read_only=form.cleaned_data["read_only"],
        )
        for field in token._meta.concrete_fields:  # the admin goes on with obj (its log entry, redirect)
            setattr(obj, field.attname, getattr(token, field.attname))
        obj._state.adding = False
        self.message_user(
            request, f"Token made; copy it now, it is not shown again: {plain}", messages.WARNING
        )

    def delete_model(self, request, obj):
        services.token_revoke(actor=request.user, token=obj)


@admin.register(ServiceAccount)
class ServiceAccountAdmin(admin.ModelAdmin):
    list_display = ["user", "team", "role", "created_by", "created_at"]
    list_filter = ["team", "role"]
    search_fields = ["user__username", "team__name", "description"]
    list_select_related = ["user", "team", "created_by"]
    readonly_fields = ["user", "team", "created_by", "created_at"]

    def has_add_permission(self, request):
        return False  # made on the Service accounts page or API, which also give it its membership


@admin.register(UserSession)
class UserSessionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["user", "session_key", "created_at"]
    search_fields = ["user__username"]
    list_select_related = ["user"]
