"""Facts the checks read, loaded for many models at once in a fixed number of queries.

Registry data is always there (a version carries its training lineage and metrics, so re-runs are
compared between versions). Training jobs and retraining schedules (``apps.training``) and outcome
observations (``apps.outcomes``) are read through those apps' selectors; until they have rows the
checks that need them report "no data yet" instead of passing or failing.
"""

import datetime
import json
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Count, Prefetch
from django.utils import timezone

from apps.outcomes import selectors as outcomes_selectors
from apps.practices.models import SelfAssessment
from apps.practices.rubric import threshold
from apps.registry.models import Feedback, ModelVersion, RegisteredModel, Stage, StageChange
from apps.training import selectors as training_selectors

PLATFORM_SOURCE_PREFIX = "training-job:"


@dataclass(frozen=True)
class Run:
    """One training run's lineage and metrics (a registered version or a training job)."""

    key: str
    dataset_sha256: str
    parameters: dict
    code_version: str
    metrics: dict
    estimator: str = ""
    features: tuple = ()
    split: dict = field(default_factory=dict)  # target, seed, holdout share, stratification, CV folds

    @property
    def recipe(self) -> tuple:
        """What a true re-run repeats: the same data, estimator, parameters, features, split (and its
        seed) and code. Another seed or holdout share is another experiment, not a re-run."""
        return (
            self.dataset_sha256,
            self.estimator,
            json.dumps(self.parameters, sort_keys=True),
            json.dumps(list(self.features)),
            json.dumps(self.split, sort_keys=True),
            self.code_version,
        )


@dataclass
class ModelFacts:
    model: RegisteredModel
    versions: list = field(default_factory=list)  # newest first
    feedback: list = field(default_factory=list)
    consumer_count: int = 0
    recent_overrides: int = 0
    runs: list = field(default_factory=list)
    job_runs: list = field(default_factory=list)  # JobRun of succeeded training jobs
    retraining_scheduled: bool = False
    last_observation_at: datetime.datetime | None = None
    control_observations: int = 0

    @property
    def subject_version(self):
        """The version the checks judge: the production one, else the newest."""
        for version in self.versions:
            if version.stage == Stage.PRODUCTION:
                return version
        return self.versions[0] if self.versions else None

    @property
    def production_version(self):
        return next((v for v in self.versions if v.stage == Stage.PRODUCTION), None)

    @property
    def platform_trained_versions(self) -> int:
        return sum(1 for v in self.versions if (v.source_key or "").startswith(PLATFORM_SOURCE_PREFIX))


@dataclass(frozen=True)
class JobRun:
    """A succeeded training job: its full recipe (the platform's code trains it) and its metrics."""

    key: str
    version_id: int | None
    recipe: tuple
    metrics: dict


@dataclass
class Facts:
    now: datetime.datetime
    models: dict  # model id -> ModelFacts
    observations_available: bool
    training_available: bool = False


def version_run(version) -> Run:
    return Run(
        key=f"version:{version.pk}",
        dataset_sha256=version.dataset_sha256,
        parameters=version.parameters or {},
        code_version=version.code_version,
        metrics=version.metrics or {},
        estimator=version.estimator,
        features=tuple(version.features or ()),
        split=version.split or {},
    )


def load_facts(model_ids=None, *, now: datetime.datetime | None = None) -> Facts:
    """Facts of the given models (all models when None)."""
    now = now or timezone.now()
    queryset = RegisteredModel.objects.select_related("owning_team").annotate(
        consumer_count=Count("consuming_teams", distinct=True)
    )
    if model_ids is not None:
        queryset = queryset.filter(pk__in=list(model_ids))
    # Only what existed at ``now``, so a back-dated recompute sees the past as it was.
    queryset = queryset.filter(created_at__lte=now).prefetch_related(
        Prefetch("versions", queryset=ModelVersion.objects.filter(created_at__lte=now).order_by("-number")),
        Prefetch("feedback", queryset=Feedback.objects.filter(filed_at__lte=now).order_by("filed_at")),
    )
    facts = {}
    for model in queryset:
        versions = list(model.versions.all())
        facts[model.pk] = ModelFacts(
            model=model,
            versions=versions,
            feedback=list(model.feedback.all()),
            consumer_count=model.consumer_count,
            runs=[version_run(v) for v in versions],
        )
    ids = list(facts)
    since = now - datetime.timedelta(days=threshold("override_window_days"))
    overrides = (
        StageChange.objects.filter(
            version__model_id__in=ids, is_override=True, created_at__gte=since, created_at__lte=now
        )
        .values("version__model_id")
        .annotate(n=Count("id"))
    )
    for row in overrides:
        facts[row["version__model_id"]].recent_overrides = row["n"]
    return Facts(
        now=now,
        models=facts,
        observations_available=_load_observations(facts, ids),
        training_available=_load_training(facts, ids),
    )


def _load_observations(facts: dict, ids: list) -> bool:
    if not outcomes_selectors.any_observations():
        return False
    for model_id, summary in outcomes_selectors.observation_summary_by_model(model_ids=ids).items():
        facts[model_id].last_observation_at = summary["last"]
        facts[model_id].control_observations = summary["control"]
    return True


def job_recipe(job) -> tuple:
    return (
        job.dataset_version.sha256,
        job.estimator,
        json.dumps(job.parameters, sort_keys=True),
        json.dumps(job.features),
        job.target,
        job.seed,
        job.cv_folds,
        job.holdout_share,
    )


def _load_training(facts: dict, ids: list) -> bool:
    if not training_selectors.any_training_jobs():
        return False
    for training_job in training_selectors.succeeded_jobs_of_models(model_ids=ids):
        facts[training_job.registered_model_id].job_runs.append(
            JobRun(
                key=f"job:{training_job.pk}",
                version_id=training_job.registered_version_id,
                recipe=job_recipe(training_job),
                metrics=training_job.metrics or {},
            )
        )
    for model_id in training_selectors.models_with_retraining_scheduled(model_ids=ids):
        facts[model_id].retraining_scheduled = True
    return True


def team_assessments(team_ids) -> dict:
    """team id -> {practice: SelfAssessment}."""
    by_team = defaultdict(dict)
    for assessment in SelfAssessment.objects.filter(team_id__in=list(team_ids)):
        by_team[assessment.team_id][assessment.practice] = assessment
    return by_team
