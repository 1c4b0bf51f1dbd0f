"""Promotion rules: which stage moves are allowed, and the gates a version must pass for production."""

from dataclasses import dataclass

from apps.core import display
from apps.registry.models import CARD_SECTIONS, ModelVersion, Stage

# Metrics where a smaller value is better; every other metric is "higher is better".
LOWER_IS_BETTER = frozenset({"rmse", "mse", "mae", "mape", "log_loss", "brier", "brier_score"})

ALLOWED_MOVES: dict[str, tuple[str, ...]] = {
    Stage.CANDIDATE: (Stage.STAGING, Stage.PRODUCTION, Stage.ARCHIVED),
    Stage.STAGING: (Stage.PRODUCTION, Stage.CANDIDATE, Stage.ARCHIVED),
    Stage.PRODUCTION: (Stage.ARCHIVED,),
    Stage.ARCHIVED: (Stage.STAGING, Stage.PRODUCTION),
}


@dataclass(frozen=True)
class FailedGate:
    gate: str
    message: str

    def as_dict(self) -> dict:
        return {"gate": self.gate, "message": self.message}


def improvement_over_baseline(metric: str, value: float, baseline: float) -> float:
    """How much better the version is than its baseline (positive = better), whatever the direction."""
    return baseline - value if metric in LOWER_IS_BETTER else value - baseline


def is_number(value) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


@dataclass(frozen=True)
class BaselineComparison:
    """A version's primary metric beside its baseline's, and whether it beats it by the margin."""

    metric: str
    value: float | None
    baseline: float | None
    margin: float

    @property
    def gain(self) -> float | None:
        if is_number(self.value) and is_number(self.baseline):
            return improvement_over_baseline(self.metric, self.value, self.baseline)
        return None

    @property
    def passes(self) -> bool:
        return self.gain is not None and self.gain > 0 and self.gain >= self.margin


def metric_gain(metric: str, value, baseline) -> float | None:
    """Improvement over the baseline of any metric, or None when either number is missing."""
    return BaselineComparison(metric, value, baseline, 0.0).gain


def compare_to_baseline(version: ModelVersion) -> BaselineComparison:
    metric = version.model.primary_metric
    return BaselineComparison(
        metric,
        version.metrics.get(metric),
        version.baseline_metrics.get(metric),
        version.model.baseline_margin,
    )


def baseline_gate(version: ModelVersion) -> FailedGate | None:
    result = compare_to_baseline(version)
    if result.gain is None:
        return FailedGate(
            "beats_baseline",
            f"The version has no {display.label(result.metric)} for itself and its baseline, so it cannot "
            "show it beats it.",
        )
    if not result.passes:
        return FailedGate(
            "beats_baseline",
            f"{display.label(result.metric)} {display.number(result.value)} vs baseline "
            f"{display.number(result.baseline)}: improvement {display.signed(result.gain)}, needs more "
            f"than 0 and at least the margin {display.number(result.margin)}.",
        )
    return None


def card_gate(version: ModelVersion) -> FailedGate | None:
    model = version.model
    missing = [
        label
        for field, label in CARD_SECTIONS
        if not getattr(model, field).strip() and not (field == "card_metrics" and version.metrics)
    ]
    if missing:
        return FailedGate("card_complete", f"The model card is missing: {', '.join(missing)}.")
    return None


PRODUCTION_GATES = (baseline_gate, card_gate)
# What the pages call each gate (FailedGate.gate is its key).
GATE_NAMES = {"beats_baseline": "Beats its baseline", "card_complete": "Model card complete"}


def failed_production_gates(version: ModelVersion) -> list[FailedGate]:
    return [failure for gate in PRODUCTION_GATES if (failure := gate(version))]
