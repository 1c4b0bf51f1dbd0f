"""Turn check results into a scorecard: category levels, the overall level, what the next level needs
and, for teams, the MLOps maturity level.

A category's level is the highest of Bronze/Silver/Gold such that no check of that category at that
level or below fails; the subject's level is the lowest of its category levels (so: the highest level
whose checks, and all lower levels' checks, pass). "Not applicable" and "no data yet" do not block a
level; "no data yet" is listed as such in the next-level report. A category whose checks are all
not applicable or without data has no level and does not count.
"""

import hashlib
import json
from dataclasses import dataclass
from typing import Any

from apps.practices.checks import CHECKS, STATUS_LABELS, CheckResult, Status, TeamContext
from apps.practices.models import Level, SubjectType
from apps.practices.rubric import CATEGORY_NAMES, RubricEntry, get_rubric

# Google's "MLOps: continuous delivery and automation pipelines in machine learning":
#   level 0, manual process: none of the below;
#   level 1, ML pipeline automation: models trained by the platform pipeline, retrained within the
#            configured age or on a retraining schedule, and monitored (self-assessed monitoring or
#            outcome data arriving);
#   level 2, CI/CD pipeline automation: level 1 plus CI and automated tests (self-assessed) and
#            promotion gates respected (no overrides).
MLOPS_LEVEL_1 = (
    "trained_on_platform",
    ("recently_retrained", "retraining_scheduled"),
    ("practice_monitoring", "outcome_data_arriving"),
)
MLOPS_LEVEL_2 = ("practice_ci", "practice_automated_tests", "no_gate_overrides")
MLOPS_LABELS = {
    0: "Level 0: manual process",
    1: "Level 1: ML pipeline automation",
    2: "Level 2: CI/CD pipeline automation",
}


@dataclass
class Scorecard:
    subject_type: str
    subject: Any  # the scored Team or RegisteredModel
    results: list  # dicts, in rubric order
    category_levels: dict
    level: int
    mlops_level: int | None = None

    @property
    def by_code(self) -> dict:
        return {row["check"]: row for row in self.results}

    @property
    def fingerprint(self) -> str:
        return fingerprint(self.level, self.mlops_level, self.category_levels, self.results)

    @property
    def passed(self) -> int:
        return sum(1 for row in self.results if row["status"] == Status.PASS)

    @property
    def failed(self) -> int:
        return sum(1 for row in self.results if row["status"] == Status.FAIL)


def fingerprint(level, mlops_level, category_levels, results) -> str:
    outcome = [level, mlops_level, category_levels, [(row["check"], row["status"]) for row in results]]
    return hashlib.sha256(json.dumps(outcome, sort_keys=True).encode()).hexdigest()


def result_row(entry: RubricEntry, result: CheckResult) -> dict:
    check = CHECKS[entry.check]
    return {
        "check": entry.check,
        "title": check.title,
        "category": entry.category,
        "level": entry.level,
        "status": str(result.status),
        "explanation": result.explanation,
        "evidence": result.evidence,
        "how_to_fix": check.how_to_fix,
    }


JUDGED = (Status.PASS, Status.FAIL)


def levels_of(results: list) -> tuple[dict, int]:
    """Category levels (only categories with at least one judged check: a team without models gets
    no "Gold" for model categories by default) and the overall level, the lowest of them."""
    category_levels = {}
    for category in dict.fromkeys(row["category"] for row in results):
        rows = [row for row in results if row["category"] == category]
        if any(row["status"] in JUDGED for row in rows):
            category_levels[category] = achieved_level(rows)
    overall = min(category_levels.values()) if category_levels else Level.NONE
    return category_levels, int(overall)


def achieved_level(rows: list) -> int:
    achieved = Level.NONE
    for level in (Level.BRONZE, Level.SILVER, Level.GOLD):
        if any(row["status"] == Status.FAIL for row in rows if row["level"] <= level):
            break
        achieved = level
    return int(achieved)


def build(subject_type: str, subject, rows: list, mlops: bool) -> Scorecard:
    category_levels, level = levels_of(rows)
    card = Scorecard(subject_type, subject, rows, category_levels, level)
    if mlops:
        card.mlops_level = mlops_level_of(card.by_code)
    return card


def evaluate_model(mf, facts, rubric: dict | None = None) -> Scorecard:
    rubric = rubric or get_rubric()
    rows = [
        result_row(entry, CHECKS[code].function(mf, facts))
        for code, entry in rubric.items()
        if CHECKS[code].subject == SubjectType.MODEL
    ]
    return build(SubjectType.MODEL, mf.model, rows, mlops=False)


def aggregate(results: list[CheckResult], model_slugs: list[str]) -> CheckResult:
    """A model check on a team: fails if any of its models fails, passes if any passes and none fails."""
    if not results:
        return CheckResult(Status.NOT_APPLICABLE, "The team owns no model.", {"models": 0})
    failing = [slug for slug, r in zip(model_slugs, results, strict=True) if r.status == Status.FAIL]
    passing = sum(1 for r in results if r.status == Status.PASS)
    evidence = {"models": len(results), "passing": passing, "failing": len(failing)}
    if failing:
        detail = "; ".join(
            f"{slug}: {r.explanation}"
            for slug, r in zip(model_slugs, results, strict=True)
            if r.status == Status.FAIL
        )
        return CheckResult(Status.FAIL, f"{len(failing)} of {len(results)} model(s) fail. {detail}", evidence)
    if passing:
        return CheckResult(Status.PASS, f"{passing} of {len(results)} model(s) pass; none fails.", evidence)
    if any(r.status == Status.NO_DATA for r in results):
        return CheckResult(Status.NO_DATA, results[0].explanation, evidence)
    return CheckResult(Status.NOT_APPLICABLE, "Not applicable to any of the team's models.", evidence)


def evaluate_team(ctx: TeamContext, facts, rubric: dict | None = None) -> Scorecard:
    rubric = rubric or get_rubric()
    slugs = [mf.model.slug for mf in ctx.models]
    rows = []
    for code, entry in rubric.items():
        check = CHECKS[code]
        if check.subject == SubjectType.TEAM:
            result = check.function(ctx)
        else:
            result = aggregate([check.function(mf, facts) for mf in ctx.models], slugs)
        rows.append(result_row(entry, result))
    return build(SubjectType.TEAM, ctx.team, rows, mlops=True)


def _passes(by_code: dict, requirement) -> bool:
    if isinstance(requirement, tuple):
        return any(_passes(by_code, alternative) for alternative in requirement)
    row = by_code.get(requirement)
    return bool(row) and row["status"] == Status.PASS


def mlops_level_of(by_code: dict) -> int:
    if not all(_passes(by_code, requirement) for requirement in MLOPS_LEVEL_1):
        return 0
    if not all(_passes(by_code, requirement) for requirement in MLOPS_LEVEL_2):
        return 1
    return 2


def next_level_needs(level: int, results: list) -> dict:
    """The next level and the checks standing in its way (failing at that level or below)."""
    if level >= Level.GOLD:
        return {"level": None, "level_name": None, "checks": [], "waiting_for_data": []}
    target = level + 1
    blocking = [row for row in results if row["level"] <= target and row["status"] == Status.FAIL]
    waiting = [row for row in results if row["level"] <= target and row["status"] == Status.NO_DATA]
    return {
        "level": target,
        "level_name": Level(target).label,
        "checks": [
            {k: row[k] for k in ("check", "title", "category", "level", "explanation", "how_to_fix")}
            for row in blocking
        ],
        "waiting_for_data": [row["check"] for row in waiting],
    }


def decorate(results: list) -> list:
    """Rows with display names, for templates."""
    return [
        row
        | {
            "category_name": CATEGORY_NAMES.get(row["category"], row["category"]),
            "level_name": Level(row["level"]).label,
            "status_label": STATUS_LABELS.get(row["status"], row["status"]),
        }
        for row in results
    ]
