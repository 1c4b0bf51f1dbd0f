"""The rubric: which check counts in which category at which level, and the thresholds checks use.

The default lives here, in code, so it is reviewed like code. A deployment may override any entry
in ``settings.PRACTICES_RUBRIC`` (``{"check_code": {"category": ..., "level": "silver"}}``, or
``None`` to drop a check) and any threshold in ``settings.PRACTICES_THRESHOLDS``. Settings rather than
database rows: the rubric is an organisation-wide policy that changes rarely and should change through
review, and every snapshot stores the rubric entry it was judged with, so history stays readable after
a change.
"""

from dataclasses import dataclass

from django.conf import settings

from apps.practices.models import Level

CATEGORIES = [
    ("ownership", "Ownership"),
    ("documentation", "Documentation"),
    ("quality", "Quality"),
    ("reproducibility", "Reproducibility"),
    ("outcomes", "Outcomes"),
    ("operations", "Operations"),
    ("engineering", "Engineering practice"),
]
CATEGORY_NAMES = dict(CATEGORIES)
LEVEL_BY_NAME = {"bronze": Level.BRONZE, "silver": Level.SILVER, "gold": Level.GOLD}

DEFAULT_RUBRIC: dict[str, dict] = {
    # Checks on models (a team's scorecard aggregates them over the models it owns).
    "owner_and_oncall": {"category": "ownership", "level": "bronze"},
    "consumers_recorded": {"category": "ownership", "level": "silver"},
    "model_card_complete": {"category": "documentation", "level": "silver"},
    "beats_baseline": {"category": "quality", "level": "bronze"},
    "no_gate_overrides": {"category": "quality", "level": "silver"},
    "lineage_recorded": {"category": "reproducibility", "level": "bronze"},
    "training_reproducible": {"category": "reproducibility", "level": "gold"},
    "outcome_data_arriving": {"category": "outcomes", "level": "silver"},
    "control_segment": {"category": "outcomes", "level": "gold"},
    "feedback_answered": {"category": "operations", "level": "silver"},
    "recently_retrained": {"category": "operations", "level": "gold"},
    "retraining_scheduled": {"category": "operations", "level": "gold"},
    # Checks on teams only.
    "trained_on_platform": {"category": "operations", "level": "silver"},
    "practice_version_control": {"category": "engineering", "level": "bronze"},
    "practice_code_review": {"category": "engineering", "level": "bronze"},
    "practice_ci": {"category": "engineering", "level": "silver"},
    "practice_automated_tests": {"category": "engineering", "level": "silver"},
    "practice_monitoring": {"category": "engineering", "level": "gold"},
}

DEFAULT_THRESHOLDS = {
    "outcome_window_days": 14,  # observations must have arrived this recently
    "override_window_days": 90,  # no gate override in this many days
    "max_model_age_days": 90,  # the newest version must be younger than this
    "metric_tolerance": 1e-6,  # re-runs agree when every metric is within this
    # Feedback targets per support tier are the registry's (settings.REGISTRY_FEEDBACK_TARGETS).
}


@dataclass(frozen=True)
class RubricEntry:
    check: str
    category: str
    level: int

    @property
    def category_name(self) -> str:
        return CATEGORY_NAMES.get(self.category, self.category)

    @property
    def level_name(self) -> str:
        return Level(self.level).label


def get_rubric() -> dict[str, RubricEntry]:
    """The rubric in force: the default with the settings' overrides applied."""
    merged = {code: dict(entry) for code, entry in DEFAULT_RUBRIC.items()}
    for code, override in getattr(settings, "PRACTICES_RUBRIC", {}).items():
        if override is None:
            merged.pop(code, None)
        else:
            merged[code] = merged.get(code, {}) | override
    return {
        code: RubricEntry(check=code, category=entry["category"], level=LEVEL_BY_NAME[entry["level"]])
        for code, entry in merged.items()
    }


def threshold(name: str):
    return getattr(settings, "PRACTICES_THRESHOLDS", {}).get(name, DEFAULT_THRESHOLDS[name])
