"""Run one training job end to end: claim the row, load the data, train and evaluate, register the
candidate version, record the outcome. Used by the Celery task and, in-process, by the demo loader.

While it runs, a heartbeat thread stamps the row so a worker that dies is noticed
(``services.jobs_recover_stale``); every progress report doubles as the cancellation check."""

import contextlib
import functools
import importlib.metadata
import os
import subprocess
import threading
import time
from pathlib import Path

import sklearn
from celery.exceptions import SoftTimeLimitExceeded
from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import InterfaceError, OperationalError, connection
from django.utils import timezone

from apps.core import storage
from apps.core.changes import bookkeeping
from apps.core.reconnect import through_restarts
from apps.core.threads import limit_threads, threads_in_force
from apps.registry.artefacts import ArtefactError, StoredArtefact, load_model
from apps.registry.models import Origin
from apps.registry.services import version_register
from apps.training import engine, services
from apps.training.estimators import effective_parameters, get_spec
from apps.training.models import JobStatus, TrainingJob
from apps.training.services import EXTERNAL_LINEAGE


class JobStopped(Exception):
    """The row is no longer ours to run (cancelled, failed by recovery, or taken by another attempt)."""


LIBRARIES = ("scikit-learn", "numpy", "pandas", "scipy", "skops", "onnxruntime")


@functools.cache
def code_commit() -> str:
    """The portal's commit: $PORTAL_CODE_VERSION, else ``git rev-parse HEAD`` (as the README says)."""
    commit = os.environ.get("PORTAL_CODE_VERSION", "")
    if not commit:
        try:
            commit = subprocess.run(
                ["git", "rev-parse", "HEAD"],
                cwd=Path(__file__).resolve().parent,
                capture_output=True,
                text=True,
                timeout=5,
                check=True,
            ).stdout.strip()
        except (OSError, subprocess.SubprocessError):
            commit = ""
    return commit[:64]


def _installed(name: str) -> str:
    try:
        return importlib.metadata.version(name)
    except importlib.metadata.PackageNotFoundError:
        return ""


@functools.cache
def build_lineage() -> dict:
    """What produced a version, as separate lineage fields: the portal's commit, its package version
    and the versions of the libraries that fitted and evaluated it; ``code_version`` sums them up."""
    commit = code_commit()
    package = _installed("ml-portal")
    libraries = {name: version for name in LIBRARIES if (version := _installed(name))}
    libraries.setdefault("scikit-learn", sklearn.__version__)
    return {
        "code_commit": commit,
        "package_version": package,
        "library_versions": libraries,
        "code_version": f"ml-portal {package or '?'} @ {commit[:12] or 'unknown'}"[:80],
    }


class Heartbeat(threading.Thread):
    """Stamps ``heartbeat_at`` every few seconds from its own database connection."""

    def __init__(self, job: TrainingJob):
        super().__init__(daemon=True, name=f"heartbeat-job-{job.pk}")
        self.job_id, self.attempt = job.pk, job.attempts
        self.stopped = threading.Event()

    def run(self) -> None:
        try:
            while not self.stopped.wait(settings.TRAINING_HEARTBEAT_SECONDS):
                try:
                    # A liveness stamp, not a change anybody made: deliberately not audited.
                    with bookkeeping():
                        TrainingJob.objects.filter(
                            pk=self.job_id, status=JobStatus.RUNNING, attempts=self.attempt
                        ).update(heartbeat_at=timezone.now())
                except (OperationalError, InterfaceError):
                    connection.close()  # the database restarted: the next beat reconnects
        finally:
            connection.close()

    def __enter__(self):
        self.start()
        return self

    def __exit__(self, *exc):
        self.stopped.set()
        self.join(timeout=5)


class Reporter:
    """Progress callback for the engine: records stage timings and stops the run if the row says so."""

    def __init__(self, job: TrainingJob):
        self.job = job
        self.stage = "Starting"
        self.since = time.monotonic()

    def __call__(self, progress: int, stage: str, line: str | None = None) -> None:
        now = time.monotonic()
        self.job.timings[self.stage] = round(self.job.timings.get(self.stage, 0) + now - self.since, 3)
        self.stage, self.since = stage, now
        if not through_restarts(services.job_report, job=self.job, progress=progress, stage=stage, line=line):
            raise JobStopped(stage)


def plain_error(exc: BaseException, stage: str) -> str:
    if isinstance(exc, engine.TrainingError):
        return str(exc)
    if isinstance(exc, ValidationError | PermissionDenied):
        messages = getattr(exc, "messages", None) or [str(exc)]
        return f"Could not register the version: {' '.join(messages)}"
    if isinstance(exc, MemoryError):
        return f"Ran out of memory while {stage.lower()}; try fewer rows, features or a simpler estimator."
    detail = str(exc).strip().splitlines()[0] if str(exc).strip() else type(exc).__name__
    return f"Training failed at '{stage}': {detail}"


def execute(
    job_id: int, *, task_id: str | None = None, worker: str = "", heartbeat: bool = True
) -> TrainingJob | None:
    """Run the job if this delivery may; safe to call twice (the second call finds nothing to do).
    ``heartbeat=False`` for in-process runs inside a transaction (the demo loader)."""
    # Every write of a job outlives a database restart (apps.core.reconnect); each is conditional on
    # the job's status and attempt, and registration is idempotent on the job's source key.
    job = through_restarts(services.job_claim, job_id=job_id, task_id=task_id, worker=worker)
    if job is None:
        return None
    report = Reporter(job)
    try:
        with Heartbeat(job) if heartbeat else contextlib.nullcontext(), limit_threads():
            result, version = _run(job, report)
            report(100, "Done")
        through_restarts(services.job_succeed, job=job, result=result, version=version)
    except JobStopped:
        pass
    except SoftTimeLimitExceeded:
        through_restarts(
            services.job_fail,
            job=job,
            error=f"Stopped: the job ran longer than its time limit of {job.time_limit_seconds} s "
            f"(it was at '{report.stage}').",
        )
    except Exception as exc:  # the job fails with the error in plain words; the worker lives on
        through_restarts(services.job_fail, job=job, error=plain_error(exc, report.stage))
    through_restarts(job.refresh_from_db)
    return job


def job_spec(job: TrainingJob) -> engine.TrainingSpec:
    return engine.TrainingSpec(
        target=job.target,
        features=job.features,
        task=job.task,
        estimator=job.estimator,
        parameters=job.parameters,
        cv_folds=job.cv_folds,
        holdout_share=job.holdout_share,
        seed=job.seed,
        search_budget=job.search_budget,
    )


def _load_data(job: TrainingJob, report: Reporter, note: str = ""):
    dataset = job.dataset_version
    report(
        2,
        "Loading the data",
        f"Reading {dataset} ({dataset.row_count} rows, {len(job.features)} features){note}.",
    )
    with storage.local_copy(dataset.storage_key, sha256=dataset.sha256) as path:
        return engine.load_frame(path, dataset.schema, job.features, job.target, job.task)


def _run(job: TrainingJob, report: Reporter):
    if job.is_evaluation:
        return _evaluate(job, report)
    threads = threads_in_force()
    X, y = _load_data(job, report, f"; training on {threads} CPU thread{'s' if threads > 1 else ''}")
    result = engine.train(job_spec(job), job.dataset_version.schema, X, y, report)
    version = None
    if job.registered_model_id:
        report(92, "Registering the candidate version")
        version = through_restarts(register, job, result)
    return result, version


def _evaluate(job: TrainingJob, report: Reporter):
    """A version trained elsewhere: load its artefact under the platform's rules, judge it and its
    baselines on the dataset's holdout split (the job has no folds and no search), and register it."""
    X, y = _load_data(job, report)
    report(
        10,
        "Loading the artefact",
        f"{job.artefact_format} artefact, {job.artefact_size} bytes, sha256 {job.artefact_sha256[:12]}….",
    )
    try:
        model = load_model(
            job.artefact_key,
            job.artefact_sha256,
            input_schema=job.external.get("input_schema", []),
            task=job.task,
            classes=job.external.get("class_labels") or None,
        )
    except ArtefactError as exc:
        raise engine.TrainingError(str(exc)) from exc
    result = engine.evaluate_external(job_spec(job), job.dataset_version.schema, X, y, model, report)
    report(92, "Registering the candidate version")
    version = through_restarts(
        version_register,
        registered_model=job.registered_model,
        actor=job.created_by,
        artefact=StoredArtefact(key=job.artefact_key, sha256=job.artefact_sha256, size=job.artefact_size),
        task=job.task,
        lineage=external_lineage(job, result, model),
        metrics=result.metrics,
        baseline_metrics=result.baseline_metrics[result.lift["best_baseline"]],
        source_key=job.source_key,
    )
    return result, version


def external_lineage(job: TrainingJob, result: engine.TrainingResult, model) -> dict:
    dataset = job.dataset_version
    given = job.external.get("lineage", {})
    described = type(model).__name__
    if hasattr(model, "steps"):  # a scikit-learn pipeline: name its final estimator
        described = type(model.steps[-1][1]).__name__
    if job.artefact_format == "onnx":
        described = f"ONNX graph ({model.graph.producer or 'producer not recorded'})"
    repository, commit = given.get("source_repository", ""), given.get("source_commit", "")
    return {
        "dataset_name": dataset.name,
        "dataset_version": dataset.version,
        "dataset_sha256": dataset.sha256,
        "features": job.features,
        "input_schema": job.external.get("input_schema", []),
        "estimator": described[:120],
        "parameters": job.parameters,
        "split": result.split,
        "origin": Origin.EXTERNAL,
        "class_labels": job.external.get("class_labels", []),
        "code_version": f"{repository}@{commit}"[:80] if repository or commit else "",
        **{key: given.get(key, "") for key in EXTERNAL_LINEAGE},
    }


def registered_metrics(result: engine.TrainingResult) -> tuple[dict, dict]:
    """The model's metrics and its best baseline's (on the primary metric), as the registry keeps them."""
    best = result.lift["best_baseline"]
    return result.metrics, result.baseline_metrics[best]


def lineage(job: TrainingJob, result: engine.TrainingResult) -> dict:
    dataset = job.dataset_version
    return {
        "dataset_name": dataset.name,
        "dataset_version": dataset.version,
        "dataset_sha256": dataset.sha256,
        "features": job.features,
        "input_schema": [{"name": name, "type": dataset.column(name)["type"]} for name in job.features],
        "estimator": job.estimator,
        "parameters": effective_parameters(job.estimator, result.parameters)
        | ({"random_state": job.seed} if get_spec(job.estimator).seeded else {}),
        "split": result.split,
        **build_lineage(),
    }


def register(job: TrainingJob, result: engine.TrainingResult):
    metrics, baseline_metrics = registered_metrics(result)
    return version_register(
        registered_model=job.registered_model,
        actor=job.created_by,
        pipeline=result.pipeline,
        task=job.task,
        lineage=lineage(job, result),
        metrics=metrics,
        baseline_metrics=baseline_metrics,
        source_key=job.source_key,
    )
