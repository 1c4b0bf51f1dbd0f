from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.views.decorators.http import require_POST
from django_htmx.http import HttpResponseClientRefresh

from apps.core.exceptions import Conflict
from apps.core.forms import save_form_with, service_form_page
from apps.core.fragments import page_or_fragment, wants_fragment
from apps.core.pagination import paginate
from apps.core.policy import allowed
from apps.training import charts, selectors, services
from apps.training.csvfile import declared_too_large, limit_text
from apps.training.estimators import CATALOGUE
from apps.training.filtersets import DatasetVersionFilterSet, TrainingJobFilterSet
from apps.training.forms import DatasetUploadForm, ExternalVersionForm, TrainingJobForm
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
    return service_form_page(
        request,
        form=DatasetUploadForm(request.POST or None, request.FILES or None, user=request.user),
        write=lambda data: services.dataset_upload(actor=request.user, **data),
        title="Upload a dataset",
        cancel_url=reverse("training:dataset-list"),
        message=lambda saved: (
            f"Uploaded {saved} ({saved.column_count} columns); its rows are being checked and profiled."
        ),
        context={"submit_label": "Upload"},
    )


def dataset_detail(request, pk):
    """The dataset's page; to htmx (polling the progress card while a worker processes it) the card
    alone, and once processing has ended a refresh, so the page shows the schema and preview."""
    dataset = selectors.dataset_detail(pk=pk)
    if wants_fragment(request):
        if not dataset.is_processing:
            response = HttpResponseClientRefresh()
            patch_vary_headers(response, ("HX-Request",))
            return response
        return page_or_fragment(
            request,
            "training/dataset_detail.html",
            "training/_dataset_progress_fragment.html",
            {"dataset": dataset},
        )
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


def _for_request(request) -> dict | None:
    """The model request of "Train for this request" (``?model_request=N``), described by the app
    that links requests (training does not know them)."""
    pk = request.POST.get("model_request") or request.GET.get("model_request")
    return selectors.model_request_summary(request_id=int(pk)) if pk and str(pk).isdigit() else None


def job_create(request):
    dataset = _chosen_dataset(request)
    for_request = _for_request(request)
    form = TrainingJobForm(request.POST or None, user=request.user, dataset=dataset, for_request=for_request)
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
        "formUrl": reverse("training:job-create")
        + (f"?model_request={for_request['id']}" if for_request else ""),
    }
    return render(
        request,
        "training/job_form.html",
        {"form": form, "dataset": dataset, "config": config, "for_request": for_request},
    )


def external_version(request):
    """Bring your own model: upload a version trained elsewhere; the job page follows its evaluation."""
    initial = {}
    if slug := request.GET.get("model"):
        initial["registered_model"] = (
            selectors.models_for_registration(user=request.user).filter(slug=slug).first()
        )
    form = ExternalVersionForm(
        request.POST or None, request.FILES or None, user=request.user, initial=initial
    )
    if request.method == "POST":

        def write(_):
            try:
                return services.external_version_submit(actor=request.user, data=form.service_data())
            except PermissionDenied as denied:
                raise ValidationError(str(denied)) from denied

        job = save_form_with(form, write)
        if job:
            messages.success(request, f"Queued job {job.pk}: the version is registered once it is evaluated.")
            return redirect(job)
    return render(
        request,
        "core/form.html",
        {
            "form": form,
            "title": "Register a version trained elsewhere",
            "intro": "The platform loads it under the same rules as its own versions, scores it on the "
            "dataset's holdout split and fits the dummy and one-rule baselines on the same split.",
            "cancel_url": reverse("training:job-list"),
            "submit_label": "Upload and evaluate",
        },
    )


def job_detail(request, pk):
    """The job's page; to htmx (polling the progress card of an active job) the card alone, and once
    the job has ended a refresh, so the page shows what only a finished job has (metrics, chart)."""
    job = selectors.job_detail(pk=pk)
    if wants_fragment(request):
        if not job.is_active:
            response = HttpResponseClientRefresh()
            patch_vary_headers(response, ("HX-Request",))
            return response
        schedule = (
            selectors.schedule_of_model(model=job.registered_model) if job.registered_model_id else None
        )
        return page_or_fragment(
            request,
            "training/job_detail.html",
            "training/_job_progress_fragment.html",
            {"job": job, "schedule": schedule},
        )
    is_member = allowed(request.user, "training.train", job.team)
    context = {
        "job": job,
        "for_request": selectors.job_request(job=job),
        "can_cancel": job.is_active and is_member,
        "can_schedule": is_member
        and job.status == JobStatus.SUCCEEDED
        and job.registered_model_id
        and not job.is_evaluation,
        "schedule": selectors.schedule_of_model(model=job.registered_model)
        if job.registered_model_id
        else None,
    }
    if job.metrics:
        context["metric_rows"] = charts.metric_rows(job)
        context["figure"] = charts.metrics_figure(job)
    return page_or_fragment(
        request, "training/job_detail.html", "training/_job_progress_fragment.html", context
    )


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
