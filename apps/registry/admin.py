"""Admin console for the registry. Versions are immutable and stage history is append-only: both are
read-only here; stage moves go through the promote/rollback services (UI and API)."""

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied

from apps.core import storage
from apps.core.admin_base import PolicyAdminMixin, ReadOnlyAdminMixin
from apps.core.exceptions import Conflict
from apps.registry.models import CARD_SECTIONS, Feedback, ModelVersion, RegisteredModel, StageChange
from apps.registry.services import (
    feedback_acknowledge,
    feedback_resolve,
    registered_model_create,
    registered_model_update,
)


class ReadOnlyInline(ReadOnlyAdminMixin, admin.TabularInline):
    extra = 0
    can_delete = False
    show_change_link = True


class VersionInline(ReadOnlyInline):
    model = ModelVersion
    fields = ["number", "stage", "estimator", "dataset_name", "dataset_version", "metrics", "created_at"]
    readonly_fields = fields


class FeedbackInline(ReadOnlyInline):
    model = Feedback
    fields = ["title", "kind", "severity", "status", "from_team", "filed_at"]
    readonly_fields = fields


@admin.register(RegisteredModel)
class RegisteredModelAdmin(PolicyAdminMixin, admin.ModelAdmin):
    change_rule, delete_rule = "registry.change_model", "registry.delete_model"

    def policy_object(self, obj):
        return obj.owning_team

    list_display = [
        "name",
        "owning_team",
        "value_stream",
        "lifecycle",
        "task",
        "support_tier",
        "primary_metric",
    ]
    list_filter = ["lifecycle", "task", "support_tier", "value_stream", "owning_team"]
    search_fields = ["name", "slug", "purpose"]
    prepopulated_fields = {"slug": ["name"]}
    list_select_related = ["owning_team", "value_stream"]
    autocomplete_fields = ["owning_team", "value_stream", "consuming_teams"]
    inlines = [VersionInline, FeedbackInline]
    fieldsets = [
        (None, {"fields": ["name", "slug", "owning_team", "value_stream", "purpose", "consuming_teams"]}),
        ("Support", {"fields": ["support_tier", "oncall_contact", "lifecycle"]}),
        ("Promotion gates", {"fields": ["task", "primary_metric", "baseline_margin"]}),
        ("Model card (Markdown)", {"fields": [field for field, _ in CARD_SECTIONS]}),
    ]

    def save_model(self, request, obj, form, change):
        """Writes go through the services (permission checks, validation)."""
        names = form.changed_data if change else form.cleaned_data
        data = {name: form.cleaned_data[name] for name in names if name != "consuming_teams"}
        if change:
            registered_model_update(actor=request.user, registered_model=obj, data=data)
        else:
            created = registered_model_create(actor=request.user, data=data)
            obj.pk, obj._state.adding = created.pk, False  # consuming teams are saved next, on obj


class StageChangeInline(ReadOnlyInline):
    model = StageChange
    fields = [
        "created_at",
        "from_stage",
        "to_stage",
        "actor",
        "reason",
        "is_rollback",
        "is_override",
        "failed_gates",
    ]
    readonly_fields = fields
    show_change_link = False


@admin.register(ModelVersion)
class ModelVersionAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Read-only: versions are created by registration and never edited."""

    list_display = ["model", "number", "stage", "estimator", "dataset_name", "dataset_version", "created_at"]
    list_filter = ["stage", "origin", "task", "model__owning_team", "model"]
    search_fields = [
        "model__name",
        "estimator",
        "dataset_name",
        "code_version",
        "code_commit",
        "source_repository",
        "source_commit",
        "source_key",
    ]
    list_select_related = ["model"]
    inlines = [StageChangeInline]

    @admin.display(description="Artefact stored at")
    def artefact_stored_at(self, obj) -> str:
        return storage.location_of(obj.artefact_key) if obj.artefact_key else "—"

    def get_readonly_fields(self, request, obj=None):
        return [*super().get_readonly_fields(request, obj), "artefact_stored_at"]


@admin.register(StageChange)
class StageChangeAdmin(ReadOnlyAdminMixin, admin.ModelAdmin):
    """Append-only history: nobody edits or deletes it, not even here."""

    list_display = ["created_at", "version", "from_stage", "to_stage", "actor", "is_rollback", "is_override"]
    list_filter = ["to_stage", "is_rollback", "is_override", "version__model"]
    search_fields = ["version__model__name", "reason", "actor__username"]
    list_select_related = ["version__model", "actor"]
    date_hierarchy = "created_at"


@admin.register(Feedback)
class FeedbackAdmin(PolicyAdminMixin, admin.ModelAdmin):
    change_rule, delete_rule = "registry.respond_to_feedback", "core.fix_records"

    def policy_object(self, obj):
        return obj.model.owning_team

    list_display = [
        "title",
        "model",
        "from_team",
        "kind",
        "severity",
        "status",
        "filed_at",
        "acknowledged_at",
        "resolved_at",
    ]
    list_filter = ["status", "kind", "severity", "model__support_tier", "model"]
    search_fields = ["title", "description", "model__name", "from_team__name"]
    list_select_related = ["model", "from_team"]
    autocomplete_fields = ["model", "from_team", "filed_by"]
    # Status and its timestamps move only through the services (the actions below), so loop times stay true.
    readonly_fields = ["status", "filed_at", "acknowledged_at", "resolved_at", "dedupe_key", "version"]
    date_hierarchy = "filed_at"
    actions = ["acknowledge", "resolve"]

    def _respond(self, request, queryset, service, done: str):
        changed = 0
        for feedback in queryset.select_related("model__owning_team"):
            try:
                service(actor=request.user, feedback=feedback)
                changed += 1
            except (Conflict, PermissionDenied) as error:
                self.message_user(
                    request, f"{feedback}: {getattr(error, 'message', error)}", messages.WARNING
                )
        self.message_user(request, f"{done} {changed} feedback item(s).")

    @admin.action(description="Acknowledge selected feedback")
    def acknowledge(self, request, queryset):
        self._respond(request, queryset, feedback_acknowledge, "Acknowledged")

    @admin.action(description="Resolve selected feedback")
    def resolve(self, request, queryset):
        self._respond(request, queryset, feedback_resolve, "Resolved")
