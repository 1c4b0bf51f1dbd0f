"""Reads for the model registry; they own the query shape (no N+1 on any list)."""

from django.db.models import Count, Exists, Min, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.shortcuts import get_object_or_404

from apps.core.policy import allowed_everywhere
from apps.registry.feedback_loop import overdue_q
from apps.registry.models import (
    Feedback,
    FeedbackStatus,
    ModelVersion,
    RegisteredModel,
    Stage,
    StageChange,
)
from apps.teams.models import Team
from apps.teams.permissions import TEAM_EDITOR_ROLES

UNRESOLVED = (FeedbackStatus.OPEN, FeedbackStatus.ACKNOWLEDGED)


def _production_number():
    return Subquery(
        ModelVersion.objects.filter(model=OuterRef("pk"), stage=Stage.PRODUCTION).values("number")[:1]
    )


def model_list() -> QuerySet[RegisteredModel]:
    return (
        RegisteredModel.objects.select_related("owning_team", "value_stream")
        .annotate(
            production_version=_production_number(),
            version_count=Count("versions", distinct=True),
            open_feedback=Count("feedback", filter=Q(feedback__status__in=UNRESOLVED), distinct=True),
            overdue_feedback=Count(
                "feedback", filter=overdue_q(prefix="feedback__", tier_field="support_tier"), distinct=True
            ),
        )
        .order_by("name")
    )


def model_with_counts(*, pk: int) -> RegisteredModel:
    """One model with the list's counts (open and overdue feedback), without the page's relations."""
    return get_object_or_404(model_list(), pk=pk)


def has_version_in_stage(stage: str):
    return Exists(ModelVersion.objects.filter(model=OuterRef("pk"), stage=stage))


def model_detail(*, slug: str) -> RegisteredModel:
    return get_object_or_404(
        model_list().prefetch_related(
            Prefetch("consuming_teams", queryset=_teams()),
            "requests",  # the model requests this model answers (apps.modelrequests)
        ),
        slug=slug,
    )


def _teams():
    return Team.objects.select_related("value_stream").order_by("name")


def version_list(*, registered_model: RegisteredModel | None = None) -> QuerySet[ModelVersion]:
    # training_job: the job that produced the version (apps.training, reverse one-to-one), if any;
    # its for_request: the model request the job was started for (apps.outcomes' link), if any.
    versions = ModelVersion.objects.select_related("model", "created_by", "training_job__for_request")
    if registered_model is not None:
        versions = versions.filter(model=registered_model)
    return versions.order_by("-number")


def version_detail(*, registered_model: RegisteredModel, number: int) -> ModelVersion:
    return get_object_or_404(version_list(registered_model=registered_model), number=number)


PREDICTION_FIELDS = ("number", "task", "input_schema", "artefact_key", "artefact_sha256", "model__slug")


def production_version(*, slug: str, number: int | None = None) -> ModelVersion | None:
    """The version a prediction uses: the production one, or ``number``. One small query."""
    versions = ModelVersion.objects.select_related("model").only(*PREDICTION_FIELDS).filter(model__slug=slug)
    if number is not None:
        return versions.filter(number=number).first()
    return versions.filter(stage=Stage.PRODUCTION).first()


def stage_history(*, registered_model: RegisteredModel) -> QuerySet[StageChange]:
    return (
        StageChange.objects.filter(version__model=registered_model)
        .select_related("version", "actor")
        .order_by("-created_at", "-id")
    )


def _next_production_at():
    """When a version registered after the feedback was filed first reached production."""
    return Subquery(
        StageChange.objects.filter(
            version__model=OuterRef("model"),
            to_stage=Stage.PRODUCTION,
            version__created_at__gt=OuterRef("filed_at"),
            created_at__gt=OuterRef("filed_at"),
        )
        .values("version__model")
        .annotate(first=Min("created_at"))
        .values("first")[:1]
    )


def feedback_list() -> QuerySet[Feedback]:
    return Feedback.objects.select_related(
        "model", "model__owning_team", "version", "from_team", "filed_by"
    ).annotate(next_production_at=_next_production_at())


def feedback_of_model(*, registered_model: RegisteredModel) -> QuerySet[Feedback]:
    return feedback_list().filter(model=registered_model)


def overdue_feedback_of_team(*, team) -> QuerySet[Feedback]:
    """Overdue feedback on models the team owns or files about, for the team page."""
    return (
        feedback_list()
        .filter(Q(model__owning_team=team) | Q(from_team=team))
        .filter(overdue_q())
        .order_by("filed_at")
    )


def models_of_team(*, team) -> QuerySet[RegisteredModel]:
    return model_list().filter(owning_team=team)


def can_register_models(*, user) -> bool:
    """Platform staff, or a lead or product manager of some team (registered_model_create's rule)."""
    return allowed_everywhere(user, "registry.register_model") or teams_user_can_change(user=user).exists()


def teams_user_can_change(*, user):
    """Teams whose things the user may change as their lead or product manager."""
    return _teams().filter(memberships__user=user, memberships__role__in=TEAM_EDITOR_ROLES).distinct()
