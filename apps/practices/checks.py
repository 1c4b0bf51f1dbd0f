"""The checks: one small function per check, registered with its title and what to do when it fails.

A model check receives the model's facts (``sources.ModelFacts``) and the shared ``Facts``; a team
check receives a ``TeamContext``. Each returns a ``CheckResult``: pass, fail, not applicable or
no data yet, a sentence a person can act on, and the evidence numbers behind it.
"""

import datetime
from collections.abc import Callable
from dataclasses import dataclass, field
from enum import StrEnum

from apps.core.display import day, label
from apps.practices.models import Practice
from apps.practices.rubric import threshold
from apps.registry.feedback_loop import response_targets
from apps.registry.models import CARD_SECTIONS


class Status(StrEnum):
    PASS = "pass"
    FAIL = "fail"
    NOT_APPLICABLE = "not_applicable"
    NO_DATA = "no_data"


STATUS_LABELS = {
    Status.PASS: "pass",
    Status.FAIL: "fail",
    Status.NOT_APPLICABLE: "not applicable",
    Status.NO_DATA: "no data yet",
}


@dataclass
class CheckResult:
    status: Status
    explanation: str
    evidence: dict = field(default_factory=dict)


def passed(explanation: str, **evidence) -> CheckResult:
    return CheckResult(Status.PASS, explanation, evidence)


def failed(explanation: str, **evidence) -> CheckResult:
    return CheckResult(Status.FAIL, explanation, evidence)


def not_applicable(explanation: str, **evidence) -> CheckResult:
    return CheckResult(Status.NOT_APPLICABLE, explanation, evidence)


def no_data(explanation: str, **evidence) -> CheckResult:
    return CheckResult(Status.NO_DATA, explanation, evidence)


@dataclass(frozen=True)
class Check:
    code: str
    title: str
    subject: str  # "model" (teams aggregate it over their models) or "team"
    how_to_fix: str
    function: Callable


CHECKS: dict[str, Check] = {}


def check(code: str, *, title: str, subject: str, how_to_fix: str):
    def register(function):
        CHECKS[code] = Check(
            code=code, title=title, subject=subject, how_to_fix=how_to_fix, function=function
        )
        return function

    return register


@dataclass
class TeamContext:
    team: object
    models: list  # ModelFacts of the models the team owns
    assessments: dict  # practice -> SelfAssessment
    today: datetime.date


# --- Model checks ------------------------------------------------------------------------------


@check(
    "owner_and_oncall",
    title="Has an owner and an on-call contact",
    subject="model",
    how_to_fix="Record who is paged when the model breaks (on-call contact) on the model's page.",
)
def owner_and_oncall(mf, facts) -> CheckResult:
    model = mf.model
    if model.owning_team_id and model.oncall_contact.strip():
        return passed(f"Owned by {model.owning_team.name}; on call: {model.oncall_contact}.")
    return failed(f"Owned by {model.owning_team.name} but no on-call contact is recorded.")


@check(
    "consumers_recorded",
    title="Consuming teams recorded",
    subject="model",
    how_to_fix="List the teams that use the model's predictions, so changes reach them.",
)
def consumers_recorded(mf, facts) -> CheckResult:
    if mf.consumer_count:
        return passed(f"{mf.consumer_count} consuming team(s) recorded.", consumers=mf.consumer_count)
    return failed("No consuming team is recorded.", consumers=0)


@check(
    "model_card_complete",
    title="Model card complete",
    subject="model",
    how_to_fix="Fill in every section of the model card (Mitchell et al.).",
)
def model_card_complete(mf, facts) -> CheckResult:
    missing = [label for name, label in CARD_SECTIONS if not getattr(mf.model, name).strip()]
    filled = len(CARD_SECTIONS) - len(missing)
    if not missing:
        return passed("All model card sections are filled in.", filled=filled, sections=len(CARD_SECTIONS))
    return failed(f"Missing: {', '.join(missing)}.", filled=filled, sections=len(CARD_SECTIONS))


LOWER_IS_BETTER = ("error", "rmse", "mae", "mse", "loss", "log_loss", "brier")


def lower_is_better(metric: str) -> bool:
    return any(part in metric.lower() for part in LOWER_IS_BETTER)


@check(
    "beats_baseline",
    title="Production version beats its baseline",
    subject="model",
    how_to_fix=(
        "Improve the model until it beats the simplest alternative by the margin, or drop ML for the rule."
    ),
)
def beats_baseline(mf, facts) -> CheckResult:
    version = mf.production_version
    if version is None:
        return not_applicable("No version is in production.")
    metric = mf.model.primary_metric
    value, baseline = version.metrics.get(metric), version.baseline_metrics.get(metric)
    if value is None or baseline is None:
        return failed(
            f"v{version.number} has no {metric} for the model or its baseline.", version=version.number
        )
    margin = mf.model.baseline_margin
    gain = (baseline - value) if lower_is_better(metric) else (value - baseline)
    evidence = {
        "version": version.number,
        "metric": metric,
        "value": value,
        "baseline": baseline,
        "margin": margin,
    }
    if gain > margin or (margin == 0 and gain > 0):
        return passed(
            f"v{version.number}: {label(metric)} {value:.4g} vs baseline {baseline:.4g}.", **evidence
        )
    return failed(
        f"v{version.number}: {metric} {value:.4g} does not beat baseline {baseline:.4g} by {margin:g}.",
        **evidence,
    )


@check(
    "no_gate_overrides",
    title="No gate overrides recently",
    subject="model",
    how_to_fix="Promote only versions that pass the promotion gates; fix the cause of the last override.",
)
def no_gate_overrides(mf, facts) -> CheckResult:
    days = threshold("override_window_days")
    if mf.recent_overrides:
        return failed(
            f"{mf.recent_overrides} gate override(s) in the last {days} days.", overrides=mf.recent_overrides
        )
    return passed(f"No gate override in the last {days} days.", overrides=0)


def missing_lineage(version) -> list[str]:
    missing = []
    if not version.dataset_sha256:
        missing.append("dataset hash")
    if not version.parameters:
        missing.append("parameters")
    if not version.code_version:
        missing.append("code version")
    return missing


@check(
    "lineage_recorded",
    title="Training lineage recorded",
    subject="model",
    how_to_fix="Train through the platform so dataset hash, parameters and code version are recorded.",
)
def lineage_recorded(mf, facts) -> CheckResult:
    version = mf.subject_version
    if version is None:
        return not_applicable("No version registered yet.")
    missing = missing_lineage(version)
    if missing:
        return failed(f"v{version.number} lacks {', '.join(missing)}.", version=version.number)
    return passed(
        f"v{version.number} records dataset hash, parameters and code version.", version=version.number
    )


def metric_differences(first: dict, second: dict, tolerance: float) -> dict:
    differences = {}
    for name in sorted(set(first) | set(second)):
        a, b = first.get(name), second.get(name)
        if a is None or b is None or abs(float(a) - float(b)) > tolerance:
            differences[name] = [a, b]
    return differences


@check(
    "training_reproducible",
    title="Training reproducible",
    subject="model",
    how_to_fix=(
        "Re-run training with the same dataset version, parameters and code version; the metrics must match."
    ),
)
def training_reproducible(mf, facts) -> CheckResult:
    """Reproducible = lineage recorded and another run of the same recipe (dataset sha256, estimator,
    parameters, features, split with its seed, code version) produced the same metrics."""
    version = mf.subject_version
    if version is None:
        return not_applicable("No version registered yet.")
    if version.is_external:
        return failed(
            f"v{version.number} was trained outside the portal, which cannot re-run its training.", reruns=0
        )
    missing = missing_lineage(version) + ([] if version.split else ["split (seed, holdout share, folds)"])
    if missing:
        return failed(f"v{version.number} lacks {', '.join(missing)}, so it cannot be re-run.", reruns=0)
    subject_run = next(run for run in mf.runs if run.key == f"version:{version.pk}")
    # (reference metrics, re-run metrics): other versions of the same recipe, then training jobs of the
    # same recipe as the job that produced this version (registered or not).
    pairs = [
        (subject_run.metrics, run.metrics)
        for run in mf.runs
        if run.recipe == subject_run.recipe and run.key != subject_run.key
    ]
    subject_job = next((job for job in mf.job_runs if job.version_id == version.pk), None)
    if subject_job:
        pairs += [
            (subject_job.metrics, job.metrics)
            for job in mf.job_runs
            if job.recipe == subject_job.recipe and job.key != subject_job.key and job.version_id is None
        ]
    if not pairs:
        return failed(f"No re-run of v{version.number}'s recipe to compare its metrics with.", reruns=0)
    tolerance = threshold("metric_tolerance")
    for reference, rerun in pairs:
        differences = metric_differences(reference, rerun, tolerance)
        if differences:
            return failed(
                f"A re-run of v{version.number} gave different metrics: {differences}.",
                reruns=len(pairs),
                differences=differences,
            )
    return passed(f"{len(pairs)} re-run(s) of v{version.number} gave the same metrics.", reruns=len(pairs))


@check(
    "retraining_scheduled",
    title="Retraining scheduled",
    subject="model",
    how_to_fix="Schedule retraining on the newest dataset version with the platform's training service.",
)
def retraining_scheduled(mf, facts) -> CheckResult:
    if not facts.training_available:
        return no_data("The training area has no jobs yet.")
    if mf.retraining_scheduled:
        return passed("An enabled retraining schedule exists.")
    return failed("No enabled retraining schedule.")


@check(
    "outcome_data_arriving",
    title="Outcome data arriving",
    subject="model",
    how_to_fix="Send the KPI observations of the model's treatment and control segments to the outcomes API.",
)
def outcome_data_arriving(mf, facts) -> CheckResult:
    if not facts.observations_available:
        return no_data("The outcomes area has no observations yet.")
    days = threshold("outcome_window_days")
    last = mf.last_observation_at
    if last is None:
        return failed("No outcome observation was ever recorded for this model.", days_since=None)
    age = (facts.now - last).days
    if age <= days:
        return passed(f"Last observation {age} day(s) ago.", days_since=age, window_days=days)
    return failed(f"Last observation {age} days ago (more than {days}).", days_since=age, window_days=days)


@check(
    "control_segment",
    title="A control segment exists",
    subject="model",
    how_to_fix="Hold out a control group without the model and record its KPI observations.",
)
def control_segment(mf, facts) -> CheckResult:
    if not facts.observations_available:
        return no_data("The outcomes area has no observations yet.")
    if mf.control_observations:
        return passed(f"{mf.control_observations} control observation(s).", control=mf.control_observations)
    return failed("No control-segment observation, so lift cannot be measured.", control=0)


def feedback_breaches(feedback, targets: tuple, now: datetime.datetime) -> list[str]:
    """Which of the tier's targets (acknowledge within, resolve within) this item missed, so far."""
    acknowledge, resolve = targets
    first_answer = feedback.acknowledged_at or feedback.resolved_at or now
    breaches = []
    if first_answer - feedback.filed_at > acknowledge:
        breaches.append("acknowledge")
    if (feedback.resolved_at or now) - feedback.filed_at > resolve:
        breaches.append("resolve")
    return breaches


@check(
    "feedback_answered",
    title="Feedback answered within targets",
    subject="model",
    how_to_fix="Acknowledge and resolve feedback within the targets of the model's support tier.",
)
def feedback_answered(mf, facts) -> CheckResult:
    """Judged on every item ever filed, with the registry's support-tier targets."""
    if not mf.feedback:
        return not_applicable("No feedback filed.", feedback=0)
    targets = response_targets()[mf.model.support_tier]
    late = [item for item in mf.feedback if feedback_breaches(item, targets, facts.now)]
    evidence = {"feedback": len(mf.feedback), "late": len(late), "tier": mf.model.support_tier}
    if late:
        titles = "; ".join(item.title for item in late[:3])
        return failed(
            f"{len(late)} of {len(mf.feedback)} feedback item(s) missed a target: {titles}.", **evidence
        )
    return passed(f"All {len(mf.feedback)} feedback item(s) answered within target.", **evidence)


@check(
    "recently_retrained",
    title="Retrained within the configured age",
    subject="model",
    how_to_fix="Retrain on fresh data (schedule retraining through the platform).",
)
def recently_retrained(mf, facts) -> CheckResult:
    if not mf.versions:
        return not_applicable("No version registered yet.")
    newest = mf.versions[0]
    days = threshold("max_model_age_days")
    age = (facts.now - newest.created_at).days
    evidence = {"days_since": age, "max_days": days, "version": newest.number}
    if age <= days:
        return passed(f"Newest version v{newest.number} is {age} day(s) old.", **evidence)
    return failed(f"Newest version v{newest.number} is {age} days old (limit {days}).", **evidence)


# --- Team checks -------------------------------------------------------------------------------


@check(
    "trained_on_platform",
    title="Models trained through the platform pipeline",
    subject="team",
    how_to_fix="Train the team's models with the platform's self-service training instead of by hand.",
)
def trained_on_platform(ctx: TeamContext) -> CheckResult:
    with_versions = [mf for mf in ctx.models if mf.versions]
    if not with_versions:
        return not_applicable("The team owns no model with versions.")
    on_platform = [mf for mf in with_versions if mf.platform_trained_versions]
    evidence = {"models": len(with_versions), "on_platform": len(on_platform)}
    if len(on_platform) == len(with_versions):
        return passed(f"All {len(with_versions)} model(s) have versions trained by the platform.", **evidence)
    manual = ", ".join(mf.model.slug for mf in with_versions if mf not in on_platform)
    return failed(f"Trained outside the platform: {manual}.", **evidence)


def practice_check(practice: Practice):
    def evaluate(ctx: TeamContext) -> CheckResult:
        assessment = ctx.assessments.get(practice.value)
        if assessment is None:
            return failed(f"No self-assessment of {practice.label.lower()}.")
        if assessment.expires_on < ctx.today:
            return failed(
                f"The assessment expired on {day(assessment.expires_on)}; renew it with fresh evidence.",
                expired_on=assessment.expires_on.isoformat(),
            )
        return passed(
            f"Assessed with evidence {assessment.evidence_url} until {day(assessment.expires_on)}.",
            expires_on=assessment.expires_on.isoformat(),
        )

    check(
        f"practice_{practice.value}",
        title=f"{practice.label} (self-assessed)",
        subject="team",
        how_to_fix=f"Record a {practice.label.lower()} self-assessment with an evidence link, or renew it.",
    )(evaluate)


for _practice in Practice:
    practice_check(_practice)
