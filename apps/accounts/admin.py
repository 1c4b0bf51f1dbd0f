from django import forms
from django.contrib import admin, messages
from django.contrib.auth import get_user_model
from django.contrib.auth.admin import UserAdmin
from django.core.exceptions import PermissionDenied, ValidationError

from apps.accounts import services
from apps.accounts.models import SERVICE_ACCOUNT_ROLE_CHOICES, ApiToken, ServiceAccount, UserSession
from apps.core.admin_base import PolicyAdminMixin, ReadOnlyAdminMixin


class TokenAddForm(forms.ModelForm):
    class Meta:
        model = ApiToken
        fields = ["user", "name", "expiry", "read_only"]


@admin.register(ApiToken)
class ApiTokenAdmin(PolicyAdminMixin, admin.ModelAdmin):
    """Staff list, make and revoke (delete) tokens; a token is never shown after it is made."""

    delete_rule = "accounts.manage_tokens"

    def policy_object(self, obj):
        return obj.user

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


def _each(modeladmin, request, rows, write, done: str) -> None:
    """Run ``write(row)`` for each selected row; a refusal names the row and why, the rest go on."""
    count = 0
    for row in rows:
        try:
            write(row)
        except (ValidationError, PermissionDenied) as refused:
            text = " ".join(refused.messages) if isinstance(refused, ValidationError) else str(refused)
            modeladmin.message_user(request, f"{row}: {text}", messages.ERROR)
        else:
            count += 1
    if count:
        modeladmin.message_user(request, f"{done}: {count}.", messages.SUCCESS)


class ServiceAccountAddForm(forms.ModelForm):
    username = forms.CharField(max_length=150)
    role = forms.ChoiceField(choices=SERVICE_ACCOUNT_ROLE_CHOICES)

    class Meta:
        model = ServiceAccount
        fields = ["username", "team", "role", "description"]


class ServiceAccountChangeForm(forms.ModelForm):
    role = forms.ChoiceField(choices=SERVICE_ACCOUNT_ROLE_CHOICES)

    class Meta:
        model = ServiceAccount
        fields = ["role", "description"]


@admin.register(ServiceAccount)
class ServiceAccountAdmin(PolicyAdminMixin, admin.ModelAdmin):
    """Made, changed and (de)activated through the same services as the team page and the API, which
    also keep its one membership in step."""

    change_rule = "accounts.manage_service_accounts"

    def policy_object(self, obj):
        return obj.team

    list_display = ["user", "team", "role", "is_active", "created_by", "created_at"]
    list_filter = ["team", "role", "user__is_active"]
    search_fields = ["user__username", "team__name", "description"]
    list_select_related = ["user", "team", "created_by"]
    readonly_fields = ["user", "team", "created_by", "created_at"]
    actions = ["deactivate", "reactivate"]

    @admin.display(boolean=True, ordering="user__is_active", description="Active")
    def is_active(self, obj):
        return obj.user.is_active

    def get_form(self, request, obj=None, **kwargs):
        kwargs["form"] = ServiceAccountChangeForm if obj else ServiceAccountAddForm
        return super().get_form(request, obj, **kwargs)

    def get_readonly_fields(self, request, obj=None):
        return self.readonly_fields if obj else []

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["username", "team", "role", "description"]
        return ["user", "team", "role", "description", "created_by", "created_at"]

    def save_model(self, request, obj, form, change):
        data = form.cleaned_data
        if change:
            services.service_account_update(
                actor=request.user, account=obj, role=data["role"], description=data["description"]
            )
            return
        account = services.service_account_create(
            actor=request.user,
            team=data["team"],
            username=data["username"],
            role=data["role"],
            description=data["description"],
        )
        for field in account._meta.concrete_fields:  # the admin goes on with obj (its log entry, redirect)
            setattr(obj, field.attname, getattr(account, field.attname))
        obj._state.adding = False

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: its tokens, memberships and history stay explained

    @admin.action(description="Deactivate (revokes every token)")
    def deactivate(self, request, queryset):
        _each(
            self,
            request,
            queryset.select_related("user", "team"),
            lambda account: services.service_account_deactivate(actor=request.user, account=account),
            "Deactivated",
        )

    @admin.action(description="Reactivate")
    def reactivate(self, request, queryset):
        _each(
            self,
            request,
            queryset.select_related("user", "team"),
            lambda account: services.service_account_reactivate(actor=request.user, account=account),
            "Reactivated",
        )


User = get_user_model()
admin.site.unregister(User)


@admin.register(User)
class PortalUserAdmin(PolicyAdminMixin, UserAdmin):
    """Django's user admin, plus deactivation that also signs the user out everywhere and revokes
    their tokens (the same service as the Users page and ``POST /api/v1/users/<username>/deactivate/``).
    The Platform staff group only views users here (no password changes); superusers change them."""

    change_rule = delete_rule = "accounts.manage_users"

    actions = ["deactivate", "reactivate"]
    list_display = [*UserAdmin.list_display, "is_active"]
    list_filter = [*UserAdmin.list_filter, "memberships__team"]

    @admin.action(description="Deactivate (ends sessions, revokes tokens)")
    def deactivate(self, request, queryset):
        _each(
            self,
            request,
            queryset,
            lambda user: services.user_deactivate(actor=request.user, user=user),
            "Deactivated",
        )

    @admin.action(description="Reactivate")
    def reactivate(self, request, queryset):
        _each(
            self,
            request,
            queryset,
            lambda user: services.user_reactivate(actor=request.user, user=user),
            "Reactivated",
        )


@admin.register(UserSession)
class UserSessionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["user", "session_key", "created_at"]
    search_fields = ["user__username"]
    list_select_related = ["user"]
