"""Promotion rules: which stage moves are allowed, and the gates a version must pass for production."""

from dataclasses import dataclass

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


def baseline_gate(version: ModelVersion) -> FailedGate | None:
    model = version.model
    metric = model.primary_metric
    value = version.metrics.get(metric)
    baseline = version.baseline_metrics.get(metric)
    if not isinstance(value, int | float) or not isinstance(baseline, int | float):
        return FailedGate(
            "beats_baseline",
            f"The version has no {metric} for itself and its baseline, so it cannot show it beats it.",
        )
    gain = improvement_over_baseline(metric, value, baseline)
    if gain <= 0 or gain < model.baseline_margin:
        return FailedGate(
            "beats_baseline",
            f"{metric} {value:.4g} vs baseline {baseline:.4g}: improvement {gain:+.4g}, "
            f"needs more than 0 and at least the margin {model.baseline_margin:g}.",
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


def failed_production_gates(version: ModelVersion) -> list[FailedGate]:
    return [failure for gate in PRODUCTION_GATES if (failure := gate(version))]
