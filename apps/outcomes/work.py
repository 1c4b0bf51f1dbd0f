"""From request to model: training jobs started for a model request, and the moves the portal makes
on its own where it knows the truth. Training and model requests do not know each other; this app
sits above both, so it links them (``JobForRequest``) and listens to what each announces:

- a job for a request starts running -> the request moves to in progress (from accepted or
  self-service);
- a job for a request registers a version -> the request names that model, unless it names one;
- a version of the request's model reaches production -> the request moves to delivered (from
  in progress).

Each move is the portal's (``RequestTransition.by_portal``), with the reason in its note; the
delivering team's PM undoes it like any move. Registered in ``OutcomesConfig.ready()``."""

import logging

from django.core.exceptions import ValidationError
from django.db.models import Q

from apps.core.events import Event
from apps.core.policy import ensure
from apps.modelrequests import services as request_services
from apps.modelrequests.models import TRAINABLE_STATUSES, ModelRequest, RequestStatus
from apps.outcomes.models import JobForRequest
from apps.registry.models import RegisteredModel, Stage
from apps.training.models import TrainingJob

logger = logging.getLogger(__name__)


def link_job(*, actor, job: TrainingJob, request_id: int) -> JobForRequest:
    """Record that ``job`` answers request ``request_id`` (in the job's transaction: a refusal rolls
    the job back). The person must be in the request's delivering team (or platform staff)."""
    request = ModelRequest.objects.select_related("delivering_team").filter(pk=request_id).first()
    if request is None:
        raise ValidationError({"model_request": f"There is no model request #{request_id}."})
    if request.status not in TRAINABLE_STATUSES:
        raise ValidationError(
            {
                "model_request": f"#{request.pk} {request.title} is {request.get_status_display()}: "
                "train for a request once it is accepted (or self-service)."
            }
        )
    ensure(
        actor, "modelrequests.train_for_request", request, action=f"train models for #{request.pk} {{obj}}"
    )
    job.log = [*job.log, f"For model request #{request.pk} {request.title}."]
    TrainingJob.objects.filter(pk=job.pk).update(log=job.log)
    return JobForRequest.objects.create(job=job, request=request, linked_by=actor)


def describe_request(request_id: int) -> dict | None:
    request = (
        ModelRequest.objects.select_related("requesting_team", "value_stream").filter(pk=request_id).first()
    )
    if request is None:
        return None
    return {
        "title": request.title,
        "label": f"#{request.pk} {request.title}",
        "url": request.get_absolute_url(),
        "status": request.get_status_display(),
        "requesting_team": request.requesting_team.name,
        "value_stream": request.value_stream.name,
        "value_stream_id": request.value_stream_id,
        "registered_model_id": request.registered_model_id,
    }


def job_started(*, job_id: int) -> None:
    link = JobForRequest.objects.filter(job_id=job_id).first()
    if link is not None:
        request_services.request_move_by_portal(
            request_id=link.request_id,
            to_status=RequestStatus.IN_PROGRESS,
            reason=f"Training job #{job_id} for this request started.",
        )


def job_finished(*, job_id: int) -> None:
    link = JobForRequest.objects.select_related("job__registered_model").filter(job_id=job_id).first()
    if link is not None and link.job.registered_model is not None:
        request_services.request_answered_by(
            request_id=link.request_id, registered_model=link.job.registered_model
        )


def version_in_production(*, model_id: int, number) -> None:
    model = RegisteredModel.objects.filter(pk=model_id).first()
    if model is None:
        return
    answered = (
        ModelRequest.objects.filter(Q(registered_model=model) | Q(training_jobs__job__registered_model=model))
        .filter(status=RequestStatus.IN_PROGRESS)
        .values_list("pk", flat=True)
        .distinct()
    )
    for request_id in sorted(answered):
        request_services.request_move_by_portal(
            request_id=request_id,
            to_status=RequestStatus.DELIVERED,
            reason=f"{model.name} v{number}, the model answering this request, reached production.",
        )


def follow_work(sender, *, event: Event, **kwargs) -> None:
    """Listener of ``apps.core.events.published`` (after the announcing write committed)."""
    data = event.data
    if event.type == "training_job.started":
        job_started(job_id=data["job"])
    elif event.type == "training_job.finished":
        job_finished(job_id=data["job"])
    elif (
        event.type in ("version.promoted", "version.rolled_back") and data.get("to_stage") == Stage.PRODUCTION
    ):
        for model_id in event.model_ids:
            version_in_production(model_id=model_id, number=data.get("version"))
