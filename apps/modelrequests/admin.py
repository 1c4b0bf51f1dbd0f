from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied

from apps.core.admin_base import PolicyAdminMixin, ReadOnlyAdminMixin, adopt_saved
from apps.modelrequests import services
from apps.modelrequests.forms import SavedViewForm
from apps.modelrequests.models import (
    Board,
    ModelRequest,
    RequestComment,
    RequestTransition,
    SavedView,
    ScoreInput,
)


class ReadOnlyInline(admin.TabularInline):
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None):
        return False

    def has_change_permission(self, request, obj=None):
        return False


class TransitionInline(ReadOnlyInline):
    """The append-only history: visible, never edited here (moves go through the workflow service)."""

    model = RequestTransition
    fields = ["at", "from_status", "to_status", "actor", "note"]
    readonly_fields = fields
    ordering = ["at", "id"]


class ScoreInputInline(ReadOnlyInline):
    """Who set each score input and when (written by the scoring service)."""

    model = ScoreInput
    fields = ["field", "set_by", "set_at"]
    readonly_fields = fields


class CommentInline(admin.TabularInline):
    model = RequestComment
    extra = 0
    fields = ["author", "body", "created_at"]
    autocomplete_fields = ["author"]


@admin.register(ModelRequest)
class ModelRequestAdmin(PolicyAdminMixin, admin.ModelAdmin):
    change_rule = "modelrequests.change_request"

    def delete_rule_for(self, obj) -> str:
        return "modelrequests.withdraw_request"

    def policy_object_for(self, rule_name: str, obj):
        return obj.requesting_team if rule_name == "modelrequests.withdraw_request" else obj

    list_display = [
        "id",
        "title",
        "status",
        "requesting_team",
        "delivering_team",
        "value_stream",
        "kpi",
        "manual_rank",
        "submitted_at",
        "delivered_at",
    ]
    list_filter = [
        "status",
        ("manual_rank", admin.EmptyFieldListFilter),
        "value_stream",
        "delivering_team",
        "requesting_team",
        "label_availability",
    ]
    search_fields = ["title", "problem_statement", "kpi"]
    list_select_related = ["requesting_team", "delivering_team", "value_stream"]
    autocomplete_fields = ["requesting_team", "delivering_team", "created_by"]
    raw_id_fields = ["registered_model"]
    readonly_fields = [
        "status",
        "started_at",
        "delivered_at",
        "manual_rank",
        "rank_reason",
        "ranked_by",
        "ranked_at",
    ]
    date_hierarchy = "submitted_at"
    inlines = [ScoreInputInline, TransitionInline, CommentInline]
    actions = ["unpin"]
    fieldsets = [
        (
            None,
            {
                "fields": [
                    "title",
                    "problem_statement",
                    ("requesting_team", "delivering_team", "value_stream"),
                    ("kpi", "expected_change", "affected_volume"),
                    "decision_deadline",
                    ("data_available", "label_availability"),
                    ("simplest_alternative", "alternative_effect"),
                    "attachments",
                    "registered_model",
                    "created_by",
                ]
            },
        ),
        ("RICE", {"fields": [("reach", "impact", "confidence", "effort")]}),
        ("WSJF", {"fields": [("business_value", "time_criticality", "risk_reduction", "job_size")]}),
        (
            "Workflow and rank (change through the boards or the API)",
            {
                "fields": [
                    "status",
                    "submitted_at",
                    "started_at",
                    "delivered_at",
                    "manual_rank",
                    "rank_reason",
                    "ranked_by",
                    "ranked_at",
                ]
            },
        ),
    ]

    @admin.action(description="Unpin the selected requests (they follow their score again)")
    def unpin(self, request, queryset):
        try:
            count = services.requests_unpin(actor=request.user, queryset=queryset)
        except PermissionDenied as denied:
            self.message_user(request, str(denied), messages.ERROR)
        else:
            self.message_user(request, f"Unpinned {count} requests.", messages.SUCCESS)

    def get_readonly_fields(self, request, obj=None):
        # who filed it and when start its history: set once, when it is added
        fixed = ["created_by", "submitted_at"] if obj is not None else []
        return [*self.readonly_fields, *fixed]

    def save_model(self, request, obj, form, change):
        """The same services as the portal: a request added here starts its history like one filed
        through the portal, an edit is checked and recorded like one made on the request's page."""
        data = {
            name: form.cleaned_data[name] for name in services.REQUEST_FIELDS if name in form.cleaned_data
        }
        if change:
            saved = services.request_update(actor=request.user, request=obj, data=data)
        else:
            saved = services.request_create(
                actor=request.user,
                data=data,
                created_by=form.cleaned_data.get("created_by"),
                submitted_at=form.cleaned_data.get("submitted_at"),
            )
        adopt_saved(obj, saved)


@admin.register(SavedView)
class SavedViewAdmin(PolicyAdminMixin, admin.ModelAdmin):
    change_rule = delete_rule = "modelrequests.change_saved_view"
    """People's saved filter sets; staff can fix one (through the same service) or remove it."""

    form = SavedViewForm
    fields = ["owner", "name", "kind", "query", "shared"]
    list_display = ["name", "kind", "owner", "shared", "query", "updated_at"]
    list_filter = ["kind", "shared"]
    search_fields = ["name", "owner__username", "query"]
    list_select_related = ["owner"]
    autocomplete_fields = ["owner"]

    def get_readonly_fields(self, request, obj=None):
        return ["owner"] if obj is not None else []

    def save_model(self, request, obj, form, change):
        data = {name: form.cleaned_data[name] for name in services.SAVED_VIEW_FIELDS}
        if change:
            saved = services.saved_view_update(actor=request.user, view=obj, data=data)
        else:
            saved = services.saved_view_create(actor=form.cleaned_data["owner"], data=data)
        adopt_saved(obj, saved)

    def delete_model(self, request, obj):
        services.saved_view_delete(actor=request.user, view=obj)


@admin.register(RequestTransition)
class RequestTransitionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    list_display = ["request", "from_status", "to_status", "actor", "by_portal", "at"]
    list_filter = ["to_status", "from_status"]
    search_fields = ["request__title", "note", "actor__username"]
    list_select_related = ["request", "actor"]
    date_hierarchy = "at"


@admin.register(ScoreInput)
class ScoreInputAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Who set each score input last: a record kept by the scoring service, read-only here."""

    list_display = ["request", "field", "set_by", "set_at"]
    list_filter = ["field"]
    search_fields = ["request__title", "set_by__username"]
    list_select_related = ["request", "set_by"]


@admin.register(RequestComment)
class RequestCommentAdmin(PolicyAdminMixin, admin.ModelAdmin):
    change_rule = delete_rule = "modelrequests.moderate_comments"
    list_display = ["request", "author", "created_at"]
    search_fields = ["body", "request__title", "author__username"]
    list_select_related = ["request", "author"]
    autocomplete_fields = ["request", "author"]


@admin.register(Board)
class BoardAdmin(PolicyAdminMixin, admin.ModelAdmin):
    change_rule = delete_rule = "modelrequests.change_board"

    def policy_object(self, obj):
        return obj.team

    list_display = ["team", "scoring_method", "column_wip_limits", "updated_at"]
    list_filter = ["scoring_method"]
    search_fields = ["team__name"]
    list_select_related = ["team"]
    autocomplete_fields = ["team"]
