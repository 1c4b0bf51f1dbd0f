from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from apps.core.exceptions import Conflict
from apps.core.forms import save_form_with
from apps.core.pagination import paginate
from apps.core.policy import allowed
from apps.training import charts, selectors, services
from apps.training.csvfile import declared_too_large, limit_text
from apps.training.estimators import CATALOGUE
from apps.training.filtersets import DatasetVersionFilterSet, TrainingJobFilterSet
from apps.training.forms import DatasetUploadForm, TrainingJobForm
from apps.training.models import JobStatus


def dataset_list(request):
    filterset = DatasetVersionFilterSet(request.GET, queryset=selectors.dataset_list())
    return render(
        request, "training/dataset_list.html", {"filter": filterset, "page": paginate(request, filterset.qs)}
    )


def dataset_upload(request):
    if request.method == "POST" and declared_too_large(request):  # refused before reading the body
        messages.error(request, f"The file is larger than the upload limit of {limit_text()}.")
        form = DatasetUploadForm(user=request.user)
        context = {"form": form, "title": "Upload a dataset", "cancel_url": reverse("training:dataset-list")}
        return render(request, "core/form.html", context, status=413)
    form = DatasetUploadForm(request.POST or None, request.FILES or None, user=request.user)
    if request.method == "POST":
        saved = save_form_with(form, lambda data: services.dataset_upload(actor=request.user, **data))
        if saved:
            messages.success(
                request,
                f"Uploaded {saved} ({saved.column_count} columns); its rows are being checked and profiled.",
            )
            return redirect(saved)
    return render(
        request,
        "core/form.html",
        {
            "form": form,
            "title": "Upload a dataset",
            "cancel_url": reverse("training:dataset-list"),
            "submit_label": "Upload",
        },
    )


def dataset_detail(request, pk):
    dataset = selectors.dataset_detail(pk=pk)
    return render(
        request,
        "training/dataset_detail.html",
        {
            "dataset": dataset,
            "versions": selectors.dataset_versions(dataset=dataset),
            "jobs": selectors.job_list().filter(dataset_version=dataset)[:20],
            "can_train": allowed(request.user, "training.train", dataset.team),
        },
    )


def job_list(request):
    filterset = TrainingJobFilterSet(request.GET, queryset=selectors.job_list())
    return render(
        request, "training/job_list.html", {"filter": filterset, "page": paginate(request, filterset.qs)}
    )


def _chosen_dataset(request):
    pk = request.POST.get("dataset_version") or request.GET.get("dataset")
    if not pk or not str(pk).isdigit():
        return selectors.datasets_for_training(user=request.user).first()
    return selectors.datasets_for_training(user=request.user).filter(pk=pk).first()


def job_create(request):
    dataset = _chosen_dataset(request)
    form = TrainingJobForm(request.POST or None, user=request.user, dataset=dataset)
    if request.method == "POST":

        def write(_):
            try:
                return services.training_job_create(actor=request.user, data=form.service_data())
            except PermissionDenied as denied:  # e.g. only a lead or PM may create a new model
                raise ValidationError(str(denied)) from denied

        job = save_form_with(form, write)
        if job:
            messages.success(request, f"Queued job {job.pk}.")
            return redirect(job)
    config = {
        "columns": dataset.schema if dataset else [],
        "estimators": [spec.describe() for spec in CATALOGUE.values()],
        "formUrl": reverse("training:job-create"),
    }
    return render(request, "training/job_form.html", {"form": form, "dataset": dataset, "config": config})


def job_detail(request, pk):
    job = selectors.job_detail(pk=pk)
    is_member = allowed(request.user, "training.train", job.team)
    context = {
        "job": job,
        "can_cancel": job.is_active and is_member,
        "can_schedule": is_member and job.status == JobStatus.SUCCEEDED and job.registered_model_id,
        "schedule": selectors.schedule_of_model(model=job.registered_model)
        if job.registered_model_id
        else None,
    }
    if job.metrics:
        context["metric_rows"] = charts.metric_rows(job)
        context["figure"] = charts.metrics_figure(job)
    return render(request, "training/job_detail.html", context)


@require_POST
def job_cancel(request, pk):
    job = selectors.job_detail(pk=pk)
    try:
        services.training_job_cancel(actor=request.user, job=job)
        messages.success(request, f"Cancelled job {job.pk}.")
    except Conflict as conflict:
        messages.error(request, conflict.message)
    return redirect(job)


@require_POST
def job_schedule(request, pk):
    """Retrain this job's model every N hours on the newest version of its dataset."""
    job = selectors.job_detail(pk=pk)
    try:
        services.retraining_schedule_from_job(
            actor=request.user, job=job, interval_hours=request.POST.get("interval_hours", "")
        )
        messages.success(
            request, f"{job.registered_model} retrains every {request.POST['interval_hours']} hours."
        )
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    return redirect(job)
