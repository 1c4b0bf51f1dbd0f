from django.contrib import admin

from apps.core.admin_base import PolicyAdminMixin
from apps.practices.models import Engagement, ScorecardSnapshot, SelfAssessment, SurveyResponse, SurveyRound


@admin.register(SelfAssessment)
class SelfAssessmentAdmin(PolicyAdminMixin, admin.ModelAdmin):
    change_rule = delete_rule = "practices.record_practices"

    def policy_object(self, obj):
        return obj.team

    list_display = ["team", "practice", "expires_on", "is_expired", "assessed_by", "assessed_at"]
    list_filter = ["practice", "expires_on", "team"]
    search_fields = ["team__name", "evidence_url", "notes"]
    list_select_related = ["team", "assessed_by"]
    autocomplete_fields = ["team", "assessed_by"]

    @admin.display(boolean=True)
    def is_expired(self, obj):
        return obj.is_expired


@admin.register(ScorecardSnapshot)
class ScorecardSnapshotAdmin(PolicyAdminMixin, admin.ModelAdmin):
    change_rule = delete_rule = "core.fix_records"
    list_display = [
        "subject",
        "subject_type",
        "level",
        "mlops_level",
        "passed",
        "failed",
        "computed_at",
        "is_latest",
    ]
    list_filter = ["subject_type", "level", "mlops_level", "is_latest"]
    search_fields = ["team__name", "model__name"]
    list_select_related = ["team", "model"]
    date_hierarchy = "computed_at"
    readonly_fields = [f.name for f in ScorecardSnapshot._meta.fields]


@admin.register(Engagement)
class EngagementAdmin(PolicyAdminMixin, admin.ModelAdmin):
    change_rule = delete_rule = "practices.run_engagement"

    def policy_object(self, obj):
        return obj.interaction

    list_display = ["__str__", "status", "created_at", "completed_at"]
    list_filter = ["completed_at", "interaction__from_team"]
    search_fields = ["interaction__from_team__name", "interaction__to_team__name", "notes"]
    list_select_related = ["interaction__from_team", "interaction__to_team"]
    raw_id_fields = ["interaction", "before_snapshot", "after_snapshot"]


class SurveyResponseInline(admin.TabularInline):
    model = SurveyResponse
    extra = 0
    autocomplete_fields = ["team", "respondent"]


@admin.register(SurveyRound)
class SurveyRoundAdmin(PolicyAdminMixin, admin.ModelAdmin):
    change_rule = delete_rule = "practices.open_survey_round"
    list_display = ["name", "opens_on", "closes_on"]
    search_fields = ["name"]
    inlines = [SurveyResponseInline]


@admin.register(SurveyResponse)
class SurveyResponseAdmin(PolicyAdminMixin, admin.ModelAdmin):
    change_rule = delete_rule = "practices.change_survey_answer"
    list_display = ["round", "team", "respondent", "load_score", "answered_at"]
    list_filter = ["round", "team"]
    search_fields = ["team__name", "respondent__username"]
    list_select_related = ["round", "team", "respondent"]
    autocomplete_fields = ["team", "respondent"]
