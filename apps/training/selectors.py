"""Reads for self-service training; they own the query shape (no N+1 on any list)."""

from django.db.models import Count, Max, OuterRef, QuerySet, Subquery
from django.shortcuts import get_object_or_404

from apps.registry.models import RegisteredModel
from apps.teams.models import Team
from apps.training import hooks, policy
from apps.training.models import DatasetStatus, DatasetVersion, JobStatus, RetrainingSchedule, TrainingJob

LIST_DEFERRED = ("schema", "preview", "description")


def dataset_list() -> QuerySet[DatasetVersion]:
    return (
        DatasetVersion.objects.select_related("team", "uploaded_by")
        .defer(*LIST_DEFERRED)
        .annotate(job_count=Count("jobs"))
        .order_by("team__name", "name", "-version")
    )


def dataset_detail_queryset() -> QuerySet[DatasetVersion]:
    return DatasetVersion.objects.select_related("team", "uploaded_by")


def dataset_detail(*, pk: int) -> DatasetVersion:
    return get_object_or_404(dataset_detail_queryset(), pk=pk)


def dataset_versions(*, dataset: DatasetVersion) -> QuerySet[DatasetVersion]:
    """Every version of the same (team, name), newest first."""
    return dataset_list().filter(team=dataset.team_id, name=dataset.name)


def datasets_for_training(*, user) -> QuerySet[DatasetVersion]:
    """The ready dataset versions a user may train on: their teams' (all of them for platform staff)."""
    datasets = (
        DatasetVersion.objects.select_related("team").defer(*LIST_DEFERRED).filter(status=DatasetStatus.READY)
    )
    if not policy.trains_for_every_team(user):
        datasets = datasets.filter(team__memberships__user=user)
    return datasets.order_by("team__name", "name", "-version")


def teams_for_upload(*, user) -> QuerySet[Team]:
    teams = Team.objects.order_by("name")
    if policy.trains_for_every_team(user):
        return teams
    return teams.filter(memberships__user=user).distinct()


def models_for_registration(*, user) -> QuerySet[RegisteredModel]:
    """The models a user may add versions to: their teams' (all of them for platform staff)."""
    models = RegisteredModel.objects.select_related("owning_team").order_by("name")
    if policy.trains_for_every_team(user):
        return models
    return models.filter(owning_team__memberships__user=user).distinct()


def models_of_team(*, team: Team) -> QuerySet[RegisteredModel]:
    return RegisteredModel.objects.filter(owning_team=team).order_by("name")


def model_request_summary(*, request_id: int) -> dict | None:
    """The model request ``request_id`` in a few words (from the app linking jobs to requests), with
    its ``id``; None when there is no such request."""
    found = hooks.describe_request(request_id)
    return {**found, "id": request_id} if found else None


def job_request(*, job: TrainingJob) -> dict | None:
    """The model request ``job`` was started for, if any (``for_request``: apps.outcomes' link,
    selected with the job)."""
    link = getattr(job, "for_request", None)
    return model_request_summary(request_id=link.request_id) if link is not None else None


def job_list() -> QuerySet[TrainingJob]:
    # for_request: the model request the job answers (apps.outcomes links them), if any.
    return (
        TrainingJob.objects.select_related(
            "team",
            "dataset_version",
            "registered_model",
            "registered_version__model",
            "created_by",
            "for_request",
        )
        .defer("log", "dataset_version__schema", "dataset_version__preview")
        .order_by("-created_at", "-id")
    )


def job_detail_queryset() -> QuerySet[TrainingJob]:
    return TrainingJob.objects.select_related(
        "team",
        "dataset_version",
        "registered_model",
        "registered_version__model",
        "created_by",
        "cancelled_by",
        "for_request",
    )


def job_detail(*, pk: int) -> TrainingJob:
    return get_object_or_404(job_detail_queryset(), pk=pk)


def schedule_list() -> QuerySet[RetrainingSchedule]:
    return RetrainingSchedule.objects.select_related(
        "registered_model", "registered_model__owning_team", "dataset_team", "created_by"
    ).order_by("next_run_at")


def only_newest_versions(datasets: QuerySet[DatasetVersion]) -> QuerySet[DatasetVersion]:
    """Keep the newest version of each (team, name)."""
    newest = (
        DatasetVersion.objects.filter(team=OuterRef("team"), name=OuterRef("name"))
        .values("team", "name")
        .annotate(newest=Max("version"))
        .values("newest")
    )
    return datasets.filter(version=Subquery(newest))


def latest_datasets_of_team(*, team: Team) -> QuerySet[DatasetVersion]:
    return only_newest_versions(dataset_list().filter(team=team)).order_by("name")


def schedule_of_model(*, model) -> RetrainingSchedule | None:
    return RetrainingSchedule.objects.filter(registered_model=model).first()


def any_training_jobs() -> bool:
    """Whether self-service training has run at all (before that, checks report "no data yet")."""
    return TrainingJob.objects.exists()


def succeeded_jobs_of_models(*, model_ids) -> QuerySet[TrainingJob]:
    """The succeeded jobs that trained these registered models, with their dataset version."""
    return TrainingJob.objects.filter(
        registered_model_id__in=list(model_ids), status=JobStatus.SUCCEEDED
    ).select_related("dataset_version")


def models_with_retraining_scheduled(*, model_ids) -> set[int]:
    """Ids of these registered models that have an enabled retraining schedule."""
    return set(
        RetrainingSchedule.objects.filter(registered_model_id__in=list(model_ids), enabled=True).values_list(
            "registered_model_id", flat=True
        )
    )
