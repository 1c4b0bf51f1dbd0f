"""Celery tasks of self-service training.

``run_training_job`` is routed to the ``training`` queue (settings: ``apps.training.tasks.*``) so
training workers scale apart from the web and light tasks; the periodic tasks are named
``training.*`` and run on the ``default`` queue."""

from celery import shared_task

from apps.training import runner, services


@shared_task(bind=True, ignore_result=True, acks_late=True, reject_on_worker_lost=True)
def run_training_job(self, job_id: int) -> None:
    """Run one job. Takes the id, re-reads the row, and does nothing if the job is finished, cancelled
    or superseded, so a redelivered message is harmless."""
    runner.execute(job_id, task_id=self.request.id, worker=self.request.hostname or "")


@shared_task(name="training.recover_stale_jobs", ignore_result=True)
def recover_stale_jobs() -> dict:
    """Requeue (or, after the last attempt, fail) running jobs and dataset processing whose worker
    stopped sending heartbeats."""
    return services.jobs_recover_stale() | {"datasets": services.datasets_recover_stale()}


@shared_task(name="training.run_due_schedules", ignore_result=True)
def run_due_schedules() -> list[int]:
    """Start the retraining jobs that are due."""
    return [job.pk for job in services.schedules_run_due()]


@shared_task(bind=True, ignore_result=True, acks_late=True, reject_on_worker_lost=True)
def process_dataset(self, dataset_id: int) -> None:
    """Check every row of an uploaded dataset and profile it (on the training queue: heavy data work
    stays off the web process and the light-task workers). Safe to run twice."""
    services.dataset_process(dataset_id=dataset_id, task_id=self.request.id)
