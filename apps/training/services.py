"""Writes for self-service training. Members of a dataset's owning team (or platform staff) upload,
train and cancel; every write checks who acts, validates, and saves atomically."""

import datetime
import functools
import logging
import time
import uuid

from celery import current_app
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Max, Q
from django.utils import timezone

from apps.core import dispatch, display, events, storage
from apps.core.changes import bookkeeping, update_rows
from apps.core.exceptions import Conflict, field_errors
from apps.core.services import apply_and_save
from apps.registry.artefacts import ArtefactError, delete_artefact, refuse_untrusted_types
from apps.registry.artefacts import save_bytes as save_artefact_bytes
from apps.registry.models import RegisteredModel
from apps.registry.onnx_models import OnnxError, inspect_onnx
from apps.registry.services import registered_model_create
from apps.teams.models import Team, ValueStream
from apps.training import hooks, policy
from apps.training.csvfile import UploadTooLarge, check_rows, receive_csv
from apps.training.engine import PRIMARY_METRIC, infer_task
from apps.training.estimators import CLASSIFICATION, REGRESSION, validate_parameters
from apps.training.models import (
    ACTIVE_STATUSES,
    DatasetStatus,
    DatasetVersion,
    JobKind,
    JobStatus,
    RetrainingSchedule,
    TrainingJob,
)
from apps.training.profiling import profile_csv

logger = logging.getLogger(__name__)

MAX_FOLDS = 20
MAX_SEARCH_BUDGET = 100
JOB_SETTINGS = ("cv_folds", "holdout_share", "seed", "search_budget", "time_limit_seconds")
# Enqueued by name (apps.core.dispatch): tasks.py imports this module, never the reverse.
RUN_JOB_TASK = "apps.training.tasks.run_training_job"
PROCESS_DATASET_TASK = "apps.training.tasks.process_dataset"


# --- datasets ------------------------------------------------------------------------------------


def new_dataset_key(team_id: int) -> str:
    """A fresh server-generated storage key; nothing the uploader sends becomes part of it."""
    return f"datasets/{int(team_id)}/{uuid.uuid4().hex}.csv"


def _clean_name(name: str) -> str:
    name = (name or "").strip()
    if not name:
        raise ValidationError({"name": "Give the dataset a name."})
    if len(name) > 120:
        raise ValidationError({"name": "At most 120 characters."})
    return name


def dataset_upload(
    *, actor: User, team: Team, name: str, file, description: str = "", enqueue: bool = True
) -> DatasetVersion:
    """Check and store an uploaded CSV as the next version of the team's dataset ``name``, in status
    ``processing``; a worker then checks every row and profiles it (``dataset_process``, queued after
    commit). Only cheap checks run here, so a wide or large file never ties up the web process.
    A refused file leaves nothing behind: no row, no stored file."""
    policy.ensure_trains(actor, team, action=f"upload datasets for {getattr(team, 'name', 'a team')}")
    name = _clean_name(name)
    received = receive_csv(file)
    key = new_dataset_key(team.pk)
    try:
        storage.save_file(key, received.path, move=True)
        with transaction.atomic():
            Team.objects.select_for_update().filter(pk=team.pk).first()  # one version number at a time
            last = DatasetVersion.objects.filter(team=team, name=name).aggregate(last=Max("version"))["last"]
            dataset = DatasetVersion.objects.create(
                team=team,
                name=name,
                version=(last or 0) + 1,
                description=description or "",
                storage_key=key,
                original_filename=(getattr(file, "name", "") or "")[:255],
                sha256=received.sha256,
                size_bytes=received.size_bytes,
                row_count=None,
                column_count=len(received.header),
                status=DatasetStatus.PROCESSING,
                progress=0,
                celery_task_id=uuid.uuid4().hex,
                uploaded_by=actor,
            )
            if enqueue:
                transaction.on_commit(lambda: enqueue_dataset(dataset))
    except BaseException:
        storage.delete(key)
        raise
    finally:
        received.path.unlink(missing_ok=True)
    return dataset


def dataset_describe(*, actor: User, dataset: DatasetVersion, description: str) -> DatasetVersion:
    """Change a dataset version's description, the one thing about a stored version that may change."""
    stored_row = DatasetVersion.objects.select_related("team").get(pk=dataset.pk)
    policy.ensure_trains(actor, stored_row.team, action=f"describe datasets of {stored_row.team.name}")
    stored_row.description = description or ""
    stored_row.save(update_fields=["description"])
    return stored_row


def enqueue_dataset(dataset: DatasetVersion) -> None:
    """Not sent (the broker unreachable), the dataset's processing is resent by the recovery of silent
    datasets once its heartbeat is stale."""
    dispatch.try_enqueue(PROCESS_DATASET_TASK, args=[dataset.pk], task_id=dataset.celery_task_id)


def _claim_dataset(*, dataset_id: int, task_id: str | None) -> DatasetVersion | None:
    with transaction.atomic():
        dataset = DatasetVersion.objects.select_for_update().filter(pk=dataset_id).first()
        if dataset is None or dataset.status != DatasetStatus.PROCESSING:
            return None
        if task_id and dataset.celery_task_id and task_id != dataset.celery_task_id:
            return None  # superseded by a requeue
        if dataset.attempts >= settings.TRAINING_MAX_ATTEMPTS:
            _dataset_failed(
                dataset, f"Gave up after {dataset.attempts} attempts: the worker stopped each time."
            )
            return None
        dataset.attempts += 1
        dataset.progress = 1
        dataset.heartbeat_at = timezone.now()
        dataset.save(update_fields=["attempts", "progress", "heartbeat_at"])
    return dataset


def _dataset_failed(dataset: DatasetVersion, error: str) -> None:
    """The row stays (with the reason); the file goes, so nothing is kept from a refused upload."""
    updated = update_rows(
        DatasetVersion.objects.filter(pk=dataset.pk, status=DatasetStatus.PROCESSING),
        status=DatasetStatus.FAILED,
        error=error,
        processed_at=timezone.now(),
        heartbeat_at=timezone.now(),
    )
    if updated:
        storage.delete(dataset.storage_key)


def dataset_process(*, dataset_id: int, task_id: str | None = None) -> DatasetVersion | None:
    """The worker's side of an upload: check every row, infer the schema and profile the columns,
    reporting progress on the row; ends ``ready``, or ``failed`` with the problem named. Safe to run
    twice: a dataset that is no longer processing (or was requeued under another task id) is left alone."""
    dataset = _claim_dataset(dataset_id=dataset_id, task_id=task_id)
    if dataset is None:
        return None
    rows = DatasetVersion.objects.filter(pk=dataset.pk, status=DatasetStatus.PROCESSING)
    last_report = [0.0]

    def report(share: float, *, start: int = 0, span: int = 100) -> None:
        now = time.monotonic()
        if now - last_report[0] >= 1.0:
            last_report[0] = now
            # Progress and heartbeat: machine bookkeeping, deliberately not audited (see apps.core.changes).
            rows.update(progress=max(1, min(99, start + int(share * span))), heartbeat_at=timezone.now())

    try:
        with storage.local_copy(dataset.storage_key, sha256=dataset.sha256) as path:
            header, row_count = check_rows(path)
            report(1.0, span=20)
            if row_count > settings.PORTAL_MAX_DATASET_ROWS:
                raise ValidationError(
                    {"file": [f"Too many rows: {row_count:,}; at most {settings.PORTAL_MAX_DATASET_ROWS:,}."]}
                )
            schema, preview = profile_csv(path, header, report=lambda share: report(share, start=20, span=79))
    except storage.StorageUnavailable:
        raise  # the store is down: the row stays processing and stale recovery requeues it
    except ValidationError as refused:
        _dataset_failed(dataset, " ".join(refused.messages))
        return DatasetVersion.objects.get(pk=dataset.pk)
    except Exception as exc:  # noqa: BLE001 - recorded on the row, never lost in a log only
        logger.exception("Processing dataset %s failed", dataset.pk)
        _dataset_failed(dataset, f"Processing failed: {exc.__class__.__name__}: {exc}")
        return DatasetVersion.objects.get(pk=dataset.pk)
    update_rows(
        rows,
        status=DatasetStatus.READY,
        progress=100,
        row_count=row_count,
        schema=schema,
        preview=preview,
        error="",
        processed_at=timezone.now(),
        heartbeat_at=timezone.now(),
    )
    return DatasetVersion.objects.get(pk=dataset.pk)


def _stale_cutoff(now: datetime.datetime | None, stale_after: int | None):
    """Now, and the moment before which a heartbeat counts as silent."""
    now = now or timezone.now()
    stale_after = settings.TRAINING_STALE_AFTER_SECONDS if stale_after is None else stale_after
    return now, now - datetime.timedelta(seconds=stale_after)


def datasets_recover_stale(*, now: datetime.datetime | None = None, stale_after: int | None = None) -> dict:
    """Requeue datasets whose processing went silent (the worker died or the message was lost), or
    fail them after the last attempt, so no upload waits forever."""
    now, cutoff = _stale_cutoff(now, stale_after)
    outcome: dict[str, list[int]] = {"requeued": [], "failed": []}
    with transaction.atomic():
        stale = DatasetVersion.objects.select_for_update(skip_locked=True).filter(
            Q(heartbeat_at__lt=cutoff) | Q(heartbeat_at__isnull=True, created_at__lt=cutoff),
            status=DatasetStatus.PROCESSING,
        )
        for dataset in stale:
            if dataset.attempts >= settings.TRAINING_MAX_ATTEMPTS:
                _dataset_failed(
                    dataset, f"The worker processing it stopped on each of {dataset.attempts} attempts."
                )
                outcome["failed"].append(dataset.pk)
                continue
            dataset.celery_task_id = uuid.uuid4().hex
            dataset.heartbeat_at = now
            dataset.save(update_fields=["celery_task_id", "heartbeat_at"])
            transaction.on_commit(functools.partial(enqueue_dataset, dataset))
            outcome["requeued"].append(dataset.pk)
    return outcome


# --- training jobs: creation and cancellation -----------------------------------------------------


def _bounded(data: dict, name: str, default, low, high, kind=int):
    value = data.get(name, default)
    if value is None:
        value = default
    try:
        value = kind(value)
    except (TypeError, ValueError):
        raise ValidationError({name: f"Must be a number between {low} and {high}."}) from None
    if not low <= value <= high:
        raise ValidationError({name: f"Must be between {low} and {high} (got {value})."})
    return value


def max_time_limit() -> int:
    """Below the broker's visibility timeout, so a long job is never redelivered while it runs."""
    visibility = settings.CELERY_BROKER_TRANSPORT_OPTIONS.get("visibility_timeout", 3600)
    return max(visibility - 60, 60)


def _evaluation_settings(data: dict) -> dict:
    folds = _bounded(data, "cv_folds", 5, 0, MAX_FOLDS)
    if folds == 1:
        raise ValidationError({"cv_folds": "Use 0 (holdout only) or between 2 and 20 folds."})
    return {
        "cv_folds": folds,
        "holdout_share": _bounded(data, "holdout_share", 0.2, 0.05, 0.5, float),
        "seed": _bounded(data, "seed", 42, 0, 2**32 - 1),
        "search_budget": _bounded(data, "search_budget", 0, 0, MAX_SEARCH_BUDGET),
        "time_limit_seconds": _bounded(
            data, "time_limit_seconds", settings.TRAINING_DEFAULT_TIME_LIMIT_SECONDS, 1, max_time_limit()
        ),
    }


def _columns(dataset: DatasetVersion, target: str, features) -> tuple[str, list[str]]:
    names = dataset.column_names
    if not target or target not in names:
        raise ValidationError({"target": f"Choose a column of {dataset}: {', '.join(names)}."})
    if not features:
        return target, [name for name in names if name != target]
    if not isinstance(features, list | tuple) or not all(isinstance(name, str) for name in features):
        raise ValidationError({"features": "Send a list of column names."})
    unknown = [name for name in features if name not in names]
    if unknown:
        raise ValidationError({"features": f"Not columns of {dataset}: {', '.join(unknown)}."})
    if target in features:
        raise ValidationError({"features": f"The target {target!r} cannot also be a feature."})
    if len(set(features)) != len(features):
        raise ValidationError({"features": "Each feature may be listed once."})
    return target, list(features)


def _ensure_ready(dataset: DatasetVersion) -> None:
    if dataset.status == DatasetStatus.PROCESSING:
        raise ValidationError(
            {
                "dataset_version": f"{dataset} is still being processed ({dataset.progress}%); "
                "train once it is ready."
            }
        )
    if dataset.status == DatasetStatus.FAILED:
        raise ValidationError({"dataset_version": f"{dataset} failed processing: {dataset.error}"})


def _task(dataset: DatasetVersion, target: str, task: str | None) -> tuple[str, bool]:
    column = dataset.column(target)
    if column is None:
        raise ValidationError({"target": f"{dataset} has no column {target!r}."})
    if not task:
        return infer_task(column), True
    if task not in (CLASSIFICATION, REGRESSION):
        raise ValidationError({"task": f"Unknown task {task!r}; use classification or regression."})
    if task == REGRESSION and column["type"] not in ("integer", "number"):
        raise ValidationError(
            {"task": f"The target {target!r} holds {column['type']} values; regression needs numbers."}
        )
    return task, False


def _model_for_job(
    *, actor, dataset: DatasetVersion, task: str, data: dict, stream_id: int | None = None
) -> RegisteredModel | None:
    model = data.get("registered_model")
    new_model = data.get("new_model")
    if model and new_model:
        raise ValidationError({"new_model": "Choose an existing model or name a new one, not both."})
    if new_model:
        team = dataset.team
        try:
            return registered_model_create(
                actor=actor,
                data={
                    "name": new_model.get("name", ""),
                    "slug": new_model.get("slug", ""),
                    "purpose": new_model.get("purpose", ""),
                    "owning_team": team,
                    # a model trained for a request serves the request's stream
                    "value_stream": ValueStream.objects.filter(pk=stream_id).first()
                    if stream_id
                    else team.value_stream,
                    "task": task,
                    "primary_metric": PRIMARY_METRIC[task],
                },
            )
        except ValidationError as error:  # name the new model's fields under "new_model"
            raise ValidationError(
                {
                    "new_model": [
                        f"{field}: {message}"
                        for field, messages in field_errors(error).items()
                        for message in messages
                    ]
                }
            ) from error
    if model:
        policy.ensure_trains(actor, model.owning_team, action=f"register versions of {model}")
        if model.task != task:
            raise ValidationError(
                {"registered_model": f"{model} is a {model.task} model; this job does {task}."}
            )
    return model


def _request_id(value) -> int | None:
    if value in (None, ""):
        return None
    if isinstance(value, bool) or not str(value).isdigit() or int(value) < 1:
        raise ValidationError({"model_request": f"{value!r} is not a request number: give e.g. 46 for #46."})
    return int(value)


def training_job_create(*, actor: User, data: dict, enqueue: bool = True) -> TrainingJob:
    """Validate a job and queue it on the training queue (after commit). ``data``: dataset_version,
    target, features, task, estimator, parameters, cv_folds, holdout_share, seed, search_budget,
    time_limit_seconds, registered_model or new_model ({name, slug, purpose}), and optionally
    model_request: the id of the model request the job answers (linked through ``hooks``)."""
    dataset = data.get("dataset_version")
    if not isinstance(dataset, DatasetVersion):
        raise ValidationError({"dataset_version": "Choose a dataset version."})
    policy.ensure_trains(actor, dataset.team, action="train models on this dataset")
    _ensure_ready(dataset)
    target, features = _columns(dataset, data.get("target", ""), data.get("features"))
    task, inferred = _task(dataset, target, data.get("task"))
    estimator = data.get("estimator") or ""
    parameters = validate_parameters(estimator, task, data.get("parameters"))
    evaluation = _evaluation_settings(data)
    request_id = _request_id(data.get("model_request"))
    with transaction.atomic():
        found = hooks.describe_request(request_id) if request_id is not None else None
        stream_id = found.get("value_stream_id") if found else None
        model = _model_for_job(actor=actor, dataset=dataset, task=task, data=data, stream_id=stream_id)
        job = TrainingJob.objects.create(
            team=dataset.team,
            dataset_version=dataset,
            registered_model=model,
            schedule=data.get("schedule"),
            target=target,
            features=features,
            task=task,
            task_inferred=inferred,
            estimator=estimator,
            parameters=parameters,
            celery_task_id=uuid.uuid4().hex,
            created_by=actor,
            log=[
                _line(f"Queued by {actor}: {display.label(estimator)} for {task} of {target!r} on {dataset}.")
            ],
            **evaluation,
        )
        if request_id is not None:
            hooks.link_job_to_request(actor=actor, job=job, request_id=request_id)
        if enqueue:
            transaction.on_commit(lambda: enqueue_job(job))
    return job


# The stage of a queued job whose message the broker did not take; the recovery sends it again.
UNSENT_STAGE = "Waiting for the message broker (unreachable when the job was queued)"


def enqueue_job(job: TrainingJob) -> None:
    """Send the job to the training queue with its own time limits (soft: fail cleanly; hard: kill).
    If the broker cannot be reached the job stays queued, marked unsent, for the recovery to resend."""
    sent = dispatch.try_enqueue(
        RUN_JOB_TASK,
        args=[job.pk],
        task_id=job.celery_task_id,
        soft_time_limit=job.time_limit_seconds,
        time_limit=job.time_limit_seconds + 30,
    )
    if not sent:
        TrainingJob.objects.filter(pk=job.pk, status=JobStatus.QUEUED).update(stage=UNSENT_STAGE)


def _resend_unsent_jobs() -> list[int]:
    """Queued jobs whose message never reached the broker, sent again (back to the usual stage)."""
    with transaction.atomic():
        unsent = list(
            TrainingJob.objects.select_for_update(skip_locked=True).filter(
                status=JobStatus.QUEUED, stage=UNSENT_STAGE
            )
        )
        for job in unsent:
            job.stage = TrainingJob._meta.get_field("stage").default
            job.save(update_fields=["stage"])
            transaction.on_commit(functools.partial(enqueue_job, job))
    return [job.pk for job in unsent]


def training_job_cancel(*, actor: User, job: TrainingJob) -> TrainingJob:
    policy.ensure_trains(actor, job.team, action="cancel this job")
    with transaction.atomic():
        job = TrainingJob.objects.select_for_update().get(pk=job.pk)
        if job.status not in ACTIVE_STATUSES:
            raise Conflict(
                f"Job {job.pk} is {job.status}; only queued or running jobs can be cancelled.",
                allowed=list(ACTIVE_STATUSES),
            )
        was_running = job.status == JobStatus.RUNNING
        job.status = JobStatus.CANCELLED
        job.stage = f"Cancelled by {actor}"
        job.cancelled_by = actor
        job.finished_at = timezone.now()
        job.log = [*job.log, _line(f"Cancelled by {actor}.")]
        job.save(update_fields=["status", "stage", "cancelled_by", "finished_at", "log"])
        _discard_artefact(job)
        if was_running:
            transaction.on_commit(lambda: interrupt_task(job.celery_task_id))
    return job


def interrupt_task(task_id: str) -> None:
    """Stop a running job now rather than at its next stage: SIGUSR1 to the pool process running it
    raises SoftTimeLimitExceeded inside the task, which then sees the row is cancelled. Best effort:
    without a broker the worker still stops at the next stage."""
    try:
        current_app.control.revoke(task_id, terminate=True, signal="SIGUSR1")
    except Exception:  # noqa: BLE001 - the cancellation is recorded either way
        logger.warning(
            "Could not signal task %s to stop; it stops at its next stage.", task_id, exc_info=True
        )


# --- training jobs: the worker's side ------------------------------------------------------------


def _line(text: str) -> str:
    return f"{timezone.now():%H:%M:%S} {text}"


def job_claim(*, job_id: int, task_id: str | None, worker: str) -> TrainingJob | None:
    """Mark the job running for this delivery, or None when there is nothing to do: it is finished or
    cancelled, or a newer delivery (recovery) superseded this one. A redelivery of the same task
    (its worker died) claims it again as a new attempt, up to ``TRAINING_MAX_ATTEMPTS``."""
    now = timezone.now()
    with transaction.atomic():
        job = TrainingJob.objects.select_for_update().filter(pk=job_id).first()
        if job is None or job.status not in ACTIVE_STATUSES:
            return None
        if task_id and job.celery_task_id and task_id != job.celery_task_id:
            return None
        redelivered = job.status == JobStatus.RUNNING
        if (
            redelivered
            and job.started_at
            and now - job.started_at > datetime.timedelta(seconds=job.time_limit_seconds)
        ):
            _fail(job, f"Stopped: the job ran longer than its time limit of {job.time_limit_seconds} s.")
            return None
        if job.attempts >= settings.TRAINING_MAX_ATTEMPTS:
            _fail(job, f"Gave up after {job.attempts} attempts: the worker running it stopped each time.")
            return None
        job.attempts += 1
        job.status = JobStatus.RUNNING
        job.worker = worker or ""
        job.started_at = now
        job.heartbeat_at = now
        job.progress = 0
        job.stage = "Starting"
        note = " (redelivered after its worker stopped)" if redelivered else ""
        job.log = [*job.log, _line(f"Attempt {job.attempts} started on {worker or 'this process'}{note}.")]
        job.save()
        if job.attempts == 1:
            _announce(job, "training_job.started", outcome=f"started on {job.worker or 'a worker'}")
    return job


def job_report(*, job: TrainingJob, progress: int, stage: str, line: str | None = None) -> bool:
    """Record progress while the job still runs; False when it was cancelled or taken away."""
    # The row's object changes only once the write went through: a retried call (the database
    # restarted under it) writes its line once.
    log = [*job.log, _line(line)] if line else job.log
    # Progress, stage, log lines and heartbeat of a running job: not audited on purpose (written every
    # few seconds by the worker, nobody's change; the job's status changes are, via update_rows).
    with bookkeeping():
        updated = TrainingJob.objects.filter(
            pk=job.pk, status=JobStatus.RUNNING, attempts=job.attempts
        ).update(progress=progress, stage=stage, log=log, heartbeat_at=timezone.now(), timings=job.timings)
    job.progress, job.stage, job.log = progress, stage, log
    return bool(updated)


def job_succeed(*, job: TrainingJob, result, version) -> bool:
    now = timezone.now()
    log = [
        *job.log,
        _line("Succeeded" + (f": registered {version}." if version else " (no model to register).")),
    ]
    succeeded = bool(
        update_rows(
            TrainingJob.objects.filter(pk=job.pk, status=JobStatus.RUNNING, attempts=job.attempts),
            status=JobStatus.SUCCEEDED,
            progress=100,
            stage="Done",
            metrics=result.metrics,
            baseline_metrics=result.baseline_metrics,
            lift=result.lift,
            best_parameters=result.best_parameters,
            registered_version=version,
            log=log,
            timings=job.timings,
            finished_at=now,
            heartbeat_at=now,
        )
    )
    if succeeded:
        job.log = log
        _announce(job, "training_job.finished", version=version)
    return succeeded


def _discard_artefact(job: TrainingJob) -> None:
    """An evaluation that ends without a version leaves no artefact behind in platform storage."""
    if job.is_evaluation and job.artefact_key and not job.registered_version_id:
        key = job.artefact_key
        transaction.on_commit(lambda: delete_artefact(key))


def _fail(job: TrainingJob, error: str) -> None:
    _discard_artefact(job)
    job.status = JobStatus.FAILED
    job.error = error
    job.stage = "Failed"
    job.finished_at = timezone.now()
    job.log = [*job.log, _line(f"Failed: {error}")]
    job.save(update_fields=["status", "error", "stage", "finished_at", "log", "timings"])


def job_fail(*, job: TrainingJob, error: str) -> bool:
    """Fail a running job with the error in plain words (not if it was cancelled meanwhile)."""
    with transaction.atomic():
        current = TrainingJob.objects.select_for_update().filter(pk=job.pk).first()
        if current is None or current.status != JobStatus.RUNNING or current.attempts != job.attempts:
            return False
        current.log = job.log
        current.timings = job.timings
        _fail(current, error)
        _announce(current, "training_job.failed", error=error)
    return True


def _announce(job: TrainingJob, kind: str, *, version=None, error: str = "", outcome: str = "") -> None:
    outcome = outcome or (f"registered {version}" if version else (error or "done"))
    events.publish(
        kind,
        data={
            "summary": f"Training job #{job.pk} ({display.label(job.estimator)} on {job.dataset_version}): "
            f"{outcome}",
            "job": job.pk,
            "team": job.team.slug,
            "estimator": job.estimator,
            "model": job.registered_model.slug if job.registered_model is not None else None,
            "version": version.number if version else None,
            "error": error,
        },
        teams=[job.team_id],
        models=[job.registered_model_id],
    )


def jobs_recover_stale(*, now: datetime.datetime | None = None, stale_after: int | None = None) -> dict:
    """Requeue running jobs whose worker went silent (no heartbeat for ``stale_after`` seconds), or
    fail them once they used every attempt. A requeued job gets a new task id, so the dead worker's
    message, if the broker ever redelivers it, is ignored. Queued jobs the broker never took are sent
    again."""
    now, cutoff = _stale_cutoff(now, stale_after)
    outcome: dict[str, list[int]] = {"requeued": [], "failed": [], "resent": _resend_unsent_jobs()}
    with transaction.atomic():
        stale = TrainingJob.objects.select_for_update(skip_locked=True).filter(
            status=JobStatus.RUNNING, heartbeat_at__lt=cutoff
        )
        for job in stale:
            silent = int((now - (job.heartbeat_at or cutoff)).total_seconds())
            if job.attempts >= settings.TRAINING_MAX_ATTEMPTS:
                _fail(
                    job,
                    f"The worker running this job stopped (no heartbeat for {silent} s) on each of "
                    f"{job.attempts} attempts; giving up.",
                )
                outcome["failed"].append(job.pk)
                continue
            job.status = JobStatus.QUEUED
            job.stage = "Requeued: its worker stopped"
            job.progress = 0
            job.celery_task_id = uuid.uuid4().hex
            job.log = [
                *job.log,
                _line(f"No heartbeat from {job.worker or 'its worker'} for {silent} s; requeued."),
            ]
            job.save(update_fields=["status", "stage", "progress", "celery_task_id", "log"])
            transaction.on_commit(functools.partial(enqueue_job, job))
            outcome["requeued"].append(job.pk)
    return outcome


# --- scheduled retraining -----------------------------------------------------------------------

SCHEDULE_FIELDS = (
    "registered_model",
    "dataset_team",
    "dataset_name",
    "target",
    "features",
    "estimator",
    "parameters",
    "cv_folds",
    "holdout_share",
    "seed",
    "interval_hours",
    "enabled",
)


def retraining_schedule_save(
    *, actor: User, data: dict, schedule: RetrainingSchedule | None = None
) -> RetrainingSchedule:
    if schedule is not None:
        policy.ensure_trains(
            actor, schedule.registered_model.owning_team, action="change this retraining schedule"
        )
    schedule = schedule or RetrainingSchedule(created_by=actor, next_run_at=timezone.now())
    model = data.get("registered_model") or (
        schedule.registered_model if schedule.registered_model_id else None
    )
    if model is None:
        raise ValidationError({"registered_model": "Choose the model to retrain."})
    policy.ensure_trains(actor, model.owning_team, action="schedule retraining of this model")
    dataset_team = data.get("dataset_team") or (schedule.dataset_team if schedule.dataset_team_id else None)
    if dataset_team is not None:  # the schedule trains on this team's datasets (as training_job_create)
        policy.ensure_trains(actor, dataset_team, action="train models on this team's datasets")
    if "parameters" in data or "estimator" in data:
        estimator = data.get("estimator", schedule.estimator)
        data = data | {
            "parameters": validate_parameters(
                estimator, model.task, data.get("parameters", schedule.parameters)
            )
        }
    return apply_and_save(schedule, data=data, fields=SCHEDULE_FIELDS)


def retraining_schedule_from_job(*, actor: User, job: TrainingJob, interval_hours) -> RetrainingSchedule:
    """Retrain the job's model with the job's settings on the newest version of its dataset."""
    try:
        hours = int(interval_hours)
    except (TypeError, ValueError):
        raise ValidationError({"interval_hours": "Give the interval in whole hours."}) from None
    if job.is_evaluation:
        raise ValidationError(
            {"job": "This job evaluated a version trained elsewhere; the portal has no recipe to retrain."}
        )
    if not job.registered_model_id:
        raise ValidationError(
            {"registered_model": "This job registers no model, so there is nothing to retrain."}
        )
    existing = RetrainingSchedule.objects.filter(registered_model=job.registered_model).first()
    data = {
        "registered_model": job.registered_model,
        "dataset_team": job.dataset_version.team,
        "dataset_name": job.dataset_version.name,
        "target": job.target,
        "features": job.features,
        "estimator": job.estimator,
        "parameters": job.parameters,
        "cv_folds": job.cv_folds,
        "holdout_share": job.holdout_share,
        "seed": job.seed,
        "interval_hours": hours,
        "enabled": True,
    }
    return retraining_schedule_save(actor=actor, data=data, schedule=existing)


def retraining_schedule_delete(*, actor: User, schedule: RetrainingSchedule) -> None:
    policy.ensure_trains(
        actor, schedule.registered_model.owning_team, action="delete this retraining schedule"
    )
    schedule.delete()


def schedules_run_now(*, queryset) -> list[TrainingJob]:
    """The admin's "retrain now": make the selected schedules due (a person's change, audited per
    schedule) and start what is due."""
    update_rows(queryset, next_run_at=timezone.now())
    return schedules_run_due()


def schedules_run_due(*, now: datetime.datetime | None = None) -> list[TrainingJob]:
    """Start a job for every enabled schedule that is due, on the newest version of its dataset."""
    now = now or timezone.now()
    started = []
    due = RetrainingSchedule.objects.select_related("registered_model", "created_by").filter(
        enabled=True, next_run_at__lte=now
    )
    for schedule in due:
        with transaction.atomic():
            schedule = RetrainingSchedule.objects.select_for_update().get(pk=schedule.pk)
            if schedule.next_run_at > now:
                continue  # another beat took it
            schedule.last_run_at = now
            schedule.next_run_at = now + datetime.timedelta(hours=schedule.interval_hours)
            newest = (
                DatasetVersion.objects.filter(
                    team=schedule.dataset_team_id, name=schedule.dataset_name, status=DatasetStatus.READY
                )
                .order_by("-version")
                .first()
            )
            if schedule.created_by is None:
                schedule.last_error = "Its creator's account is gone; save the schedule again to own it."
                schedule.save(update_fields=["last_run_at", "next_run_at", "last_error"])
                continue
            try:
                with transaction.atomic():
                    job = training_job_create(
                        actor=schedule.created_by,
                        data={
                            "dataset_version": newest,
                            "target": schedule.target,
                            "features": schedule.features or None,
                            "task": schedule.registered_model.task,
                            "estimator": schedule.estimator,
                            "parameters": schedule.parameters,
                            "cv_folds": schedule.cv_folds,
                            "holdout_share": schedule.holdout_share,
                            "seed": schedule.seed,
                            "registered_model": schedule.registered_model,
                            "schedule": schedule,
                        },
                    )
                started.append(job)
                schedule.last_error = ""
            except (ValidationError, PermissionDenied) as exc:
                schedule.last_error = "; ".join(getattr(exc, "messages", [str(exc)]))
            schedule.save(update_fields=["last_run_at", "next_run_at", "last_error"])
    return started


# --- versions trained elsewhere (bring your own model) -------------------------------------------

EXTERNAL_LINEAGE = ("source_repository", "source_commit", "training_data", "framework", "framework_version")
ARTEFACT_FORMATS = ("skops", "onnx")


def max_artefact_text() -> str:
    return f"{settings.PORTAL_MAX_ARTEFACT_BYTES / 1024 / 1024:g} MB"


def _artefact_bytes(file, declared: str | None) -> tuple[bytes, str]:
    """The upload's bytes and format (a skops file is a zip archive; anything else is read as ONNX)."""
    if file is None:
        raise ValidationError({"artefact": "Upload the model file: a skops file or an ONNX model."})
    if file.size > settings.PORTAL_MAX_ARTEFACT_BYTES:
        raise UploadTooLarge(
            {
                "artefact": f"The artefact is {file.size / 1024 / 1024:.1f} MB, over the limit of "
                f"{max_artefact_text()}."
            }
        )
    data = file.read()
    found = "skops" if data[:4] == b"PK\x03\x04" else "onnx"
    if declared and declared not in ARTEFACT_FORMATS:
        raise ValidationError({"artefact_format": f"Use one of: {', '.join(ARTEFACT_FORMATS)}."})
    if declared and declared != found:
        raise ValidationError(
            {"artefact_format": f"The file is not a {declared} artefact (it reads as {found})."}
        )
    return data, found


def _external_schema(dataset: DatasetVersion, target: str, data: dict) -> list[dict]:
    """The version's input schema: the columns it named (or every column but the target), typed as
    the evaluation dataset types them; a type given for a column must agree with the dataset's."""
    types = {column["name"]: column["type"] for column in dataset.schema}
    given = data.get("input_schema")
    if given in (None, "", []):
        _, names = _columns(dataset, target, data.get("features"))
        return [{"name": name, "type": types[name]} for name in names]
    if not isinstance(given, list) or not all(
        isinstance(column, dict) and isinstance(column.get("name"), str) for column in given
    ):
        raise ValidationError({"input_schema": 'Send a list of {"name": ..., "type": ...} objects.'})
    _, names = _columns(dataset, target, [column["name"] for column in given])
    problems = [
        f"{column['name']!r} is {column['type']} here but {types[column['name']]} in {dataset}"
        for column in given
        if column.get("type") and column["type"] != types[column["name"]]
    ]
    if problems:
        raise ValidationError({"input_schema": "; ".join(problems) + "."})
    return [{"name": name, "type": types[name]} for name in names]


def _check_artefact(data: bytes, artefact_format: str, *, schema: list[dict], task: str, classes) -> str:
    """Refuse, before anything is stored, an artefact the platform will not load; its producer's name."""
    try:
        if artefact_format == "onnx":
            return inspect_onnx(data, input_schema=schema, task=task, classes=classes).producer
        refuse_untrusted_types(data)
    except (ArtefactError, OnnxError) as exc:
        raise ValidationError({"artefact": str(exc)}) from exc
    return ""


def _external_lineage(data: dict, producer: str) -> dict:
    lineage = {}
    for key in EXTERNAL_LINEAGE:
        value = data.get(key) or ""
        if not isinstance(value, str):
            raise ValidationError({key: "Must be text."})
        lineage[key] = value.strip()
    if producer and not lineage["framework"]:
        lineage["framework"] = producer
    return lineage


def _classes(value) -> list:
    if value in (None, "", []):
        return []
    if not isinstance(value, list) or not all(isinstance(item, str | int) for item in value):
        raise ValidationError({"classes": "Send a list of class labels (text or integers)."})
    if len(set(value)) != len(value):
        raise ValidationError({"classes": "Each class label may be listed once."})
    return list(value)


def external_version_submit(*, actor: User, data: dict, enqueue: bool = True) -> TrainingJob:
    """Register a version trained elsewhere: check the artefact (size, format, trusted types or ONNX
    graph against the input schema), store it under a server-generated key and queue its evaluation
    (a job row). ``data``: registered_model, dataset_version, target, artefact (an uploaded file),
    artefact_format, input_schema or features, classes, parameters, seed, holdout_share and the
    lineage fields (source_repository, source_commit, training_data, framework, framework_version).
    The version is registered when the worker has scored it and its baselines on the holdout."""
    model = data.get("registered_model")
    if not isinstance(model, RegisteredModel):
        raise ValidationError({"registered_model": "Choose the registered model the version belongs to."})
    policy.ensure_trains(actor, model.owning_team, action=f"register versions of {model}")
    dataset = data.get("dataset_version")
    if not isinstance(dataset, DatasetVersion):
        raise ValidationError({"dataset_version": "Choose the dataset version to evaluate it on."})
    policy.ensure_trains(actor, dataset.team, action="evaluate models on this dataset")
    _ensure_ready(dataset)
    target = data.get("target") or ""
    _columns(dataset, target, None)
    task, _ = _task(dataset, target, model.task)
    schema = _external_schema(dataset, target, data)
    classes = _classes(data.get("classes"))
    parameters = data.get("parameters") or {}
    if not isinstance(parameters, dict):
        raise ValidationError({"parameters": "Send the training parameters as a JSON object."})
    evaluation = _evaluation_settings({**data, "cv_folds": 0, "search_budget": 0})
    artefact_bytes, artefact_format = _artefact_bytes(data.get("artefact"), data.get("artefact_format"))
    producer = _check_artefact(artefact_bytes, artefact_format, schema=schema, task=task, classes=classes)
    lineage = _external_lineage(data, producer)
    stored = save_artefact_bytes(artefact_bytes, model_id=model.pk, artefact_format=artefact_format)
    try:
        with transaction.atomic():
            job = TrainingJob.objects.create(
                kind=JobKind.EVALUATE,
                team=model.owning_team,
                dataset_version=dataset,
                registered_model=model,
                target=target,
                features=[column["name"] for column in schema],
                task=task,
                task_inferred=False,
                estimator=f"external {artefact_format}",
                parameters=parameters,
                artefact_key=stored.key,
                artefact_sha256=stored.sha256,
                artefact_size=stored.size,
                artefact_filename=(getattr(data["artefact"], "name", "") or "")[:255],
                external={"input_schema": schema, "class_labels": classes, "lineage": lineage},
                celery_task_id=uuid.uuid4().hex,
                created_by=actor,
                log=[
                    _line(
                        f"Queued by {actor}: evaluate a {artefact_format} artefact ({stored.size} bytes, "
                        f"sha256 {stored.sha256[:12]}…) for {model} on {dataset}, target {target!r}."
                    )
                ],
                **evaluation,
            )
            if enqueue:
                transaction.on_commit(lambda: enqueue_job(job))
    except BaseException:
        delete_artefact(stored.key)
        raise
    return job
