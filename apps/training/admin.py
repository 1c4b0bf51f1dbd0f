from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from apps.core import storage
from apps.core.admin_base import PolicyAdminMixin, adopt_saved
from apps.core.exceptions import Conflict
from apps.training import services
from apps.training.models import DatasetVersion, RetrainingSchedule, TrainingJob


class JobInline(admin.TabularInline):
    model = TrainingJob
    fields = ["status", "estimator", "target", "progress", "registered_version", "created_at"]
    readonly_fields = fields
    extra = 0
    show_change_link = True
    can_delete = False


class DatasetUploadAdminForm(forms.ModelForm):
    file = forms.FileField(
        help_text="A UTF-8 CSV file with a header row; checked on upload, then profiled by a worker."
    )

    actor = None  # set per request by DatasetVersionAdmin.get_form

    class Meta:
        model = DatasetVersion
        fields = ["team", "name", "description"]

    def clean(self):
        data = super().clean()
        if self.errors:
            return data
        try:
            self.uploaded = services.dataset_upload(
                actor=self.actor,
                team=data["team"],
                name=data["name"],
                description=data.get("description", ""),
                file=data["file"],
            )
        except ValidationError as error:
            raise ValidationError(error.messages) from error
        return data

    def validate_unique(self):
        pass  # the service numbers versions


@admin.register(DatasetVersion)
class DatasetVersionAdmin(PolicyAdminMixin, admin.ModelAdmin):
    change_rule = delete_rule = "training.train"

    def policy_object(self, obj):
        return obj.team

    list_display = [
        "name",
        "version",
        "team",
        "status",
        "row_count",
        "column_count",
        "size_bytes",
        "uploaded_by",
        "created_at",
    ]
    list_filter = ["status", "team", "created_at"]
    search_fields = ["name", "description", "team__name", "sha256"]
    list_select_related = ["team", "uploaded_by"]
    inlines = [JobInline]
    readonly_fields = [
        "version",
        "storage_key",
        "stored_at",
        "original_filename",
        "sha256",
        "size_bytes",
        "row_count",
        "column_count",
        "status",
        "progress",
        "error",
        "attempts",
        "processed_at",
        "schema",
        "preview",
        "uploaded_by",
        "created_at",
    ]

    @admin.display(description="Stored at")
    def stored_at(self, obj) -> str:
        return storage.location_of(obj.storage_key) if obj.storage_key else "—"

    def get_form(self, request, obj=None, **kwargs):
        if obj is None:  # adding: upload a file through the same service as the UI and the API
            kwargs["form"] = type("UploadForm", (DatasetUploadAdminForm,), {"actor": request.user})
        return super().get_form(request, obj, **kwargs)

    def get_fields(self, request, obj=None):
        if obj is None:
            return ["team", "name", "description", "file"]
        return ["team", "name", "description", *self.readonly_fields]

    def get_readonly_fields(self, request, obj=None):
        return [] if obj is None else ["team", "name", *self.readonly_fields]

    def save_model(self, request, obj, form, change):
        if change:
            saved = services.dataset_describe(actor=request.user, dataset=obj, description=obj.description)
        else:
            saved = form.uploaded  # stored by the upload service in clean(), which reports a refused file
        adopt_saved(obj, saved)

    def get_inline_instances(self, request, obj=None):
        return super().get_inline_instances(request, obj) if obj else []


@admin.register(TrainingJob)
class TrainingJobAdmin(PolicyAdminMixin, admin.ModelAdmin):
    change_rule = delete_rule = "training.train"

    def policy_object(self, obj):
        return obj.team

    list_display = [
        "id",
        "status",
        "progress",
        "estimator",
        "task",
        "dataset_version",
        "team",
        "registered_version",
        "attempts",
        "created_at",
    ]
    list_filter = ["status", "kind", "task", "estimator", "team"]
    search_fields = ["target", "estimator", "dataset_version__name", "error", "celery_task_id"]
    list_select_related = ["dataset_version", "team", "registered_version__model"]
    date_hierarchy = "created_at"
    actions = ["cancel_jobs"]
    readonly_fields = [field.name for field in TrainingJob._meta.fields]

    def has_add_permission(self, request):
        return False  # jobs are created from the training form or the API, which validate them

    @admin.action(description="Cancel the selected queued or running jobs")
    def cancel_jobs(self, request, queryset):
        cancelled = 0
        for job in queryset:
            try:
                services.training_job_cancel(actor=request.user, job=job)
                cancelled += 1
            except Conflict as conflict:
                self.message_user(request, conflict.message, messages.WARNING)
        self.message_user(request, f"Cancelled {cancelled} job(s).")


@admin.register(RetrainingSchedule)
class RetrainingScheduleAdmin(PolicyAdminMixin, admin.ModelAdmin):
    change_rule = delete_rule = "training.train"

    def policy_object(self, obj):
        return obj.registered_model.owning_team

    list_display = [
        "registered_model",
        "dataset_name",
        "estimator",
        "interval_hours",
        "enabled",
        "next_run_at",
        "last_run_at",
        "last_error",
    ]
    list_filter = ["enabled", "estimator"]
    search_fields = ["registered_model__name", "dataset_name", "target"]
    list_select_related = ["registered_model"]
    readonly_fields = ["last_run_at", "last_error", "created_by", "created_at"]
    actions = ["run_now"]

    def save_model(self, request, obj, form, change):
        data = {
            name: form.cleaned_data[name] for name in services.SCHEDULE_FIELDS if name in form.cleaned_data
        }
        saved = services.retraining_schedule_save(
            actor=request.user, data=data, schedule=obj if change else None
        )
        adopt_saved(obj, saved)

    @admin.action(description="Retrain now (start a job on the newest dataset version)")
    def run_now(self, request, queryset):
        started = services.schedules_run_now(queryset=queryset)
        self.message_user(request, f"Started {len(started)} job(s).")
