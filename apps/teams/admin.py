from django import forms
from django.contrib import admin, messages
from django.shortcuts import redirect

from apps.core.admin_base import PolicyAdminMixin
from apps.teams.hooks import managed_members
from apps.teams.memberships import (
    ensure_editable_by_hand,
    ensure_team_accepts_hand_members,
    ensure_user_accepts_hand_memberships,
    synced_membership_message,
)
from apps.teams.models import Interaction, Membership, MembershipSource, Team, ValueStream


class MembershipAdminForm(forms.ModelForm):
    """Identity-provider memberships stay as synced; teams the provider manages take no hand members."""

    def clean(self):
        cleaned = super().clean()
        if self.has_changed():
            ensure_editable_by_hand(self.instance)
            if not self.instance.pk or "team" in self.changed_data:
                ensure_team_accepts_hand_members(cleaned.get("team", getattr(self.instance, "team", None)))
            if not self.instance.pk or "user" in self.changed_data:
                ensure_user_accepts_hand_memberships(cleaned.get("user"))
        return cleaned


class MembershipInlineFormSet(forms.BaseInlineFormSet):
    def clean(self):
        super().clean()
        for form in self.deleted_forms:
            ensure_editable_by_hand(form.instance)


class MembershipInline(admin.TabularInline):
    model = Membership
    form = MembershipAdminForm
    formset = MembershipInlineFormSet
    extra = 1
    autocomplete_fields = ["user"]
    readonly_fields = ["source"]


class TeamInline(admin.TabularInline):
    model = Team
    fields = ["name", "team_type", "capacity_points", "wip_limit"]
    extra = 0
    show_change_link = True


class OutgoingInteractionInline(admin.TabularInline):
    model = Interaction
    fk_name = "from_team"
    fields = ["to_team", "mode", "purpose", "start_date", "expected_end", "ended_on"]
    extra = 0


@admin.register(ValueStream)
class ValueStreamAdmin(PolicyAdminMixin, admin.ModelAdmin):
    change_rule, delete_rule = "teams.change_stream", "teams.create_stream"
    list_display = ["name", "slug", "product_manager"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["product_manager"]
    inlines = [TeamInline]


@admin.register(Team)
class TeamAdmin(PolicyAdminMixin, admin.ModelAdmin):
    change_rule, delete_rule = "teams.change_team", "teams.create_team"
    list_display = ["name", "team_type", "value_stream", "provides_services", "capacity_points", "wip_limit"]
    list_filter = ["team_type", "value_stream", "provides_services"]
    search_fields = ["name", "focus", "software_owned"]
    prepopulated_fields = {"slug": ["name"]}
    list_select_related = ["value_stream"]
    inlines = [MembershipInline, OutgoingInteractionInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "team_type", "value_stream"]}),
        (
            "Team API",
            {
                "fields": [
                    "focus",
                    "provides_services",
                    "services_offered",
                    "service_level_expectations",
                    "software_owned",
                    "chat_channels",
                    "ways_of_working",
                    "current_work",
                ]
            },
        ),
        ("Flow", {"fields": ["capacity_points", "wip_limit"]}),
    ]


@admin.register(Membership)
class MembershipAdmin(PolicyAdminMixin, admin.ModelAdmin):
    change_rule = delete_rule = "teams.manage_members"

    def policy_object(self, obj):
        return obj.team

    form = MembershipAdminForm
    list_display = ["user", "team", "role", "source", "joined_at"]
    list_filter = ["source", "role", "team__team_type", "team"]
    readonly_fields = ["source"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "team__name"]
    list_select_related = ["user", "team"]
    autocomplete_fields = ["user", "team"]

    @staticmethod
    def _managed(obj) -> bool:
        return obj.source == MembershipSource.IDP or bool(managed_members([obj.user_id]))

    def get_readonly_fields(self, request, obj=None):
        if obj and self._managed(obj):
            return ["user", "team", "role", "source"]
        return self.readonly_fields

    def has_delete_permission(self, request, obj=None):
        if obj and self._managed(obj):
            return False
        return super().has_delete_permission(request, obj)

    def response_action(self, request, queryset):
        """Bulk actions leave synced and otherwise managed memberships alone, naming each one and why."""
        selected = queryset.filter(pk__in=request.POST.getlist(admin.helpers.ACTION_CHECKBOX_NAME))
        if request.POST.get("action") == "delete_selected":
            chosen = list(selected.select_related("user", "team"))
            reasons = managed_members([membership.user_id for membership in chosen])
            refused = [
                synced_membership_message(membership)
                if membership.source == MembershipSource.IDP
                else reasons[membership.user_id]
                for membership in chosen
                if membership.source == MembershipSource.IDP or membership.user_id in reasons
            ]
            if refused:
                for message in refused:
                    messages.error(request, message)
                return redirect(request.get_full_path())
        return super().response_action(request, queryset)


@admin.register(Interaction)
class InteractionAdmin(PolicyAdminMixin, admin.ModelAdmin):
    change_rule = delete_rule = "teams.record_interaction"

    def policy_object(self, obj):
        return (obj.from_team, obj.to_team)

    list_display = ["from_team", "to_team", "mode", "start_date", "expected_end", "ended_on", "status"]
    list_filter = ["mode", "from_team__team_type", "start_date"]
    search_fields = ["from_team__name", "to_team__name", "purpose"]
    list_select_related = ["from_team", "to_team"]
    autocomplete_fields = ["from_team", "to_team"]
    date_hierarchy = "start_date"
