from django.contrib import admin

from apps.teams.models import Interaction, Membership, Team, ValueStream


class MembershipInline(admin.TabularInline):
    model = Membership
    extra = 1
    autocomplete_fields = ["user"]


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
class ValueStreamAdmin(admin.ModelAdmin):
    list_display = ["name", "slug", "product_manager"]
    search_fields = ["name", "description"]
    prepopulated_fields = {"slug": ["name"]}
    autocomplete_fields = ["product_manager"]
    inlines = [TeamInline]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin):
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
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "team", "role", "joined_at"]
    list_filter = ["role", "team__team_type", "team"]
    search_fields = ["user__username", "user__first_name", "user__last_name", "team__name"]
    list_select_related = ["user", "team"]
    autocomplete_fields = ["user", "team"]


@admin.register(Interaction)
class InteractionAdmin(admin.ModelAdmin):
    list_display = ["from_team", "to_team", "mode", "start_date", "expected_end", "ended_on", "status"]
    list_filter = ["mode", "from_team__team_type", "start_date"]
    search_fields = ["from_team__name", "to_team__name", "purpose"]
    list_select_related = ["from_team", "to_team"]
    autocomplete_fields = ["from_team", "to_team"]
    date_hierarchy = "start_date"
