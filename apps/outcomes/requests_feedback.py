"""Expected vs realised impact of delivered model requests: the expected change the requester
promised against the relative lift the data shows, and how far to trust future estimates."""

import statistics
from dataclasses import dataclass, field

from apps.modelrequests.models import ModelRequest, RequestStatus
from apps.outcomes.impact import KpiImpact, ModelImpact

# Delivered and everything after it: the model is (or was) live, so its realised lift is measurable.
DELIVERED_STATUSES = (RequestStatus.DELIVERED, RequestStatus.IN_PRODUCTION, RequestStatus.RETIRED)


@dataclass
class RequestOutcome:
    request: object
    impact: ModelImpact
    kpi_impact: KpiImpact | None
    expected_pct: float | None

    @property
    def realised_pct(self) -> float | None:
        if self.kpi_impact is None or self.kpi_impact.relative_lift is None:
            return None
        return self.kpi_impact.kpi.sign * self.kpi_impact.relative_lift * 100

    @property
    def realised_ci_pct(self) -> tuple[float, float] | None:
        if self.kpi_impact is None or self.kpi_impact.relative_ci is None:
            return None
        ends = sorted(self.kpi_impact.kpi.sign * x * 100 for x in self.kpi_impact.relative_ci)
        return ends[0], ends[1]

    @property
    def ratio(self) -> float | None:
        """Realised divided by expected: 1 means the estimate was right, 0.5 it was twice too high."""
        if self.realised_pct is None or not self.expected_pct:
            return None
        return self.realised_pct / abs(self.expected_pct)


@dataclass
class EstimateCalibration:
    outcomes: list[RequestOutcome] = field(default_factory=list)

    @property
    def median_ratio(self) -> float | None:
        ratios = [o.ratio for o in self.outcomes if o.ratio is not None]
        return statistics.median(ratios) if ratios else None

    def __bool__(self) -> bool:
        return bool(self.outcomes)


def _matching_kpi(impact: ModelImpact, kpi_name: str) -> KpiImpact | None:
    measured = impact.measured
    for kpi_impact in measured:
        if kpi_impact.kpi.name.lower() == (kpi_name or "").strip().lower():
            return kpi_impact
    return measured[0] if len(measured) == 1 else None


def expected_vs_realised(*, impacts: list[ModelImpact]) -> EstimateCalibration:
    """One row per delivered request of these models (one query)."""
    by_model = {impact.model.pk: impact for impact in impacts}
    if not by_model:
        return EstimateCalibration()
    requests = ModelRequest.objects.filter(
        registered_model_id__in=by_model, status__in=DELIVERED_STATUSES
    ).order_by("pk")
    return EstimateCalibration(
        [
            RequestOutcome(
                request=request,
                impact=by_model[request.registered_model_id],
                kpi_impact=_matching_kpi(by_model[request.registered_model_id], request.kpi),
                expected_pct=request.expected_change,
            )
            for request in requests
        ]
    )
