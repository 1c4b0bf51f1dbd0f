"""Business impact per model: lift of treatment over control with Welch's 95% interval, relative lift,
incremental value, ROI and a verdict; a before/after comparison around the promotion when a model has
no control group (weaker evidence). The database aggregates (count, mean, sample variance, volume per
model, KPI and segment); Python only combines those few sufficient statistics."""

import datetime
from collections import defaultdict
from dataclasses import dataclass, field

from django.db.models import Avg, Case, Count, Max, Min, Q, Sum, Value, Variance, When
from django.db.models import CharField as TextValue

from apps.outcomes.models import DailyAggregate, Kpi, Observation, Segment
from apps.outcomes.stats import GroupStats, WelchResult, welch
from apps.registry.models import RegisteredModel, Stage, StageChange

DAYS_PER_MONTH = 365.25 / 12
BEFORE_AFTER_WINDOW = datetime.timedelta(days=90)


class Evidence:
    CONTROLLED = "controlled"
    BEFORE_AFTER = "before_after"
    NONE = "none"

    LABELS = {
        CONTROLLED: "Controlled comparison (treatment vs control)",
        BEFORE_AFTER: "Before/after the promotion: weaker evidence, no control group",
        NONE: "No usable observations yet",
    }


class Verdict:
    PAYS_OFF = "pays off"
    LIFT_UNCOSTED = "significant lift, cost not recorded"
    NOT_PROVEN = "not proven yet"
    SIMPLER = "consider the simpler alternative"

    CSS = {PAYS_OFF: "good", LIFT_UNCOSTED: "neutral", NOT_PROVEN: "neutral", SIMPLER: "bad"}


@dataclass(frozen=True)
class Period:
    start: datetime.date | None = None
    end: datetime.date | None = None  # inclusive

    def filter(self, prefix: str = "") -> Q:
        q = Q()
        if self.start:
            q &= Q(**{f"{prefix}time__gte": _midnight(self.start)})
        if self.end and self.end < datetime.date.max:  # the last day Python knows has no day after
            q &= Q(**{f"{prefix}time__lt": _midnight(self.end + datetime.timedelta(days=1))})
        return q

    def day_filter(self) -> Q:
        q = Q()
        if self.start:
            q &= Q(day__gte=self.start)
        if self.end:
            q &= Q(day__lte=self.end)
        return q

    def clip(self, start: datetime.datetime, end: datetime.datetime) -> tuple:
        if self.start:
            start = max(start, _midnight(self.start))
        if self.end and self.end < datetime.date.max:
            end = min(end, _midnight(self.end + datetime.timedelta(days=1)))
        return start, end


def _midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, tzinfo=datetime.UTC)


@dataclass
class KpiImpact:
    """One model's effect on one KPI, in KPI units (lift = treatment minus control)."""

    kpi: Kpi
    evidence: str
    treatment: GroupStats | None = None  # after the promotion, for before/after
    control: GroupStats | None = None  # before the promotion, for before/after
    test: WelchResult | None = None
    volume: float = 0.0
    first: datetime.datetime | None = None
    last: datetime.datetime | None = None
    promoted_at: datetime.datetime | None = None

    @property
    def evidence_label(self) -> str:
        return Evidence.LABELS[self.evidence]

    @property
    def lift(self) -> float | None:
        return self.test.difference if self.test else None

    @property
    def ci(self) -> tuple[float, float] | None:
        return (self.test.low, self.test.high) if self.test else None

    @property
    def p_value(self) -> float | None:
        return self.test.p_value if self.test else None

    def _relative(self, number):
        if number is None or not self.control or not self.control.mean:
            return None
        return number / abs(self.control.mean)

    @property
    def relative_lift(self) -> float | None:
        return self._relative(self.lift)

    @property
    def relative_ci(self) -> tuple[float, float] | None:
        if not self.test or self._relative(1.0) is None:
            return None
        return (self._relative(self.test.low), self._relative(self.test.high))

    @property
    def benefit_ci(self) -> tuple[float, float] | None:
        """The interval in the "better" direction (lower-is-better KPIs flip sign)."""
        if not self.test:
            return None
        ends = sorted((self.kpi.sign * self.test.low, self.kpi.sign * self.test.high))
        return ends[0], ends[1]

    def _value(self, lift: float | None) -> float | None:
        if lift is None:
            return None
        return self.kpi.sign * lift * self.volume * self.kpi.value_per_unit

    @property
    def incremental_value(self) -> float | None:
        return self._value(self.lift)

    @property
    def value_ci(self) -> tuple[float, float] | None:
        if not self.test:
            return None
        ends = sorted((self._value(self.test.low), self._value(self.test.high)))
        return ends[0], ends[1]

    @property
    def months(self) -> float:
        if not (self.first and self.last):
            return 0.0
        return ((self.last - self.first).total_seconds() / 86400 + 1) / DAYS_PER_MONTH

    @property
    def significant(self) -> bool:
        return bool(self.benefit_ci and self.benefit_ci[0] > 0)


@dataclass
class ModelImpact:
    model: RegisteredModel
    kpis: list[KpiImpact] = field(default_factory=list)

    @property
    def monthly_cost(self) -> float:
        cost = getattr(self.model, "cost", None)  # a missing reverse one-to-one raises AttributeError
        return cost.monthly_total if cost else 0.0

    @property
    def measured(self) -> list[KpiImpact]:
        return [k for k in self.kpis if k.test]

    @property
    def evidence(self) -> str:
        kinds = {k.evidence for k in self.measured}
        if Evidence.CONTROLLED in kinds:
            return Evidence.CONTROLLED
        return Evidence.BEFORE_AFTER if kinds else Evidence.NONE

    @property
    def evidence_label(self) -> str:
        return Evidence.LABELS[self.evidence]

    @property
    def incremental_value(self) -> float | None:
        values = [k.incremental_value for k in self.measured]
        return sum(values) if values else None

    @property
    def cost(self) -> float:
        months = max((k.months for k in self.measured), default=0.0)
        return self.monthly_cost * months

    @property
    def roi(self) -> float | None:
        if self.incremental_value is None or not self.cost:
            return None
        return (self.incremental_value - self.cost) / self.cost

    @property
    def verdict(self) -> str:
        return self.verdict_and_reason[0]

    @property
    def verdict_reason(self) -> str:
        return self.verdict_and_reason[1]

    @property
    def verdict_css(self) -> str:
        return Verdict.CSS[self.verdict]

    @property
    def verdict_and_reason(self) -> tuple[str, str]:
        measured = self.measured
        if not measured:
            return Verdict.NOT_PROVEN, "No treatment/control or before/after observations yet."
        if any(k.benefit_ci[1] <= 0 for k in measured):
            return Verdict.SIMPLER, "The simpler alternative does as well within the 95% interval."
        if not any(k.significant for k in measured):
            return Verdict.NOT_PROVEN, "The 95% interval of the lift crosses zero."
        if not self.cost:  # "pays off" needs a recorded cost to weigh the lift against
            return (
                Verdict.LIFT_UNCOSTED,
                "The lift is significant; the model's cost is not recorded, so whether it pays off "
                "is unknown.",
            )
        if (self.incremental_value or 0) < self.cost:
            return Verdict.SIMPLER, "The lift is worth less than the model costs."
        return Verdict.PAYS_OFF, "Significant lift worth more than the model costs."


def _stats(row) -> GroupStats:
    return GroupStats(n=row["n"], mean=row["mean"], variance=row["variance"] or 0.0)


def _from_sums(row: dict) -> dict:
    """Mean and sample variance from a group's count, sum and sum of squares."""
    n, total, total_sq = row["n"] or 0, row["total"] or 0.0, row["total_sq"] or 0.0
    mean = total / n if n else 0.0
    variance = max((total_sq - total * mean) / (n - 1), 0.0) if n > 1 else 0.0
    return {**row, "mean": mean, "variance": variance}


def _segment_aggregates(streams, period: Period) -> dict:
    """{(model id, kpi id): {segment: aggregate row}} for model-attributed observations: one query over
    the daily sufficient statistics."""
    rows = (
        DailyAggregate.objects.filter(period.day_filter(), kpi__stream__in=streams, model_key__gt=0)
        .values("model_key", "kpi_id", "segment")
        .annotate(
            n=Sum("n"),
            total=Sum("total"),
            total_sq=Sum("total_sq"),
            volume=Sum("volume"),
            first_day=Min("day"),
            last_day=Max("day"),
        )
        .order_by()
    )
    grouped: dict = defaultdict(dict)
    for row in rows:
        row = _from_sums(row)
        row["first"], row["last"] = _midnight(row["first_day"]), _midnight(row["last_day"])
        grouped[(row["model_key"], row["kpi_id"])][row["segment"]] = row
    return grouped


def first_promotions(models) -> dict[int, datetime.datetime]:
    """When each model first reached production (one query)."""
    changes = (
        StageChange.objects.filter(version__model__in=models, to_stage=Stage.PRODUCTION, is_rollback=False)
        .values("version__model_id")
        .annotate(first=Min("created_at"))
        .order_by()
    )
    return {row["version__model_id"]: row["first"] for row in changes}


def _before_after(model_id: int, kpi: Kpi, promoted_at, period: Period) -> KpiImpact:
    start, end = period.clip(promoted_at - BEFORE_AFTER_WINDOW, promoted_at + BEFORE_AFTER_WINDOW)
    side = Case(
        When(time__lt=promoted_at, then=Value("before")), default=Value("after"), output_field=TextValue()
    )
    rows = {
        row["side"]: row
        for row in Observation.objects.filter(
            kpi=kpi, segment=Segment.ALL, model_key__in=[0, model_id], time__gte=start, time__lt=end
        )
        .annotate(side=side)
        .values("side")
        .annotate(
            n=Count("id"),
            mean=Avg("value"),
            variance=Variance("value", sample=True),
            volume=Sum("volume"),
            first=Min("time"),
            last=Max("time"),
        )
        .order_by()
    }
    impact = KpiImpact(kpi=kpi, evidence=Evidence.NONE, promoted_at=promoted_at)
    if "before" in rows and "after" in rows:
        impact.treatment, impact.control = _stats(rows["after"]), _stats(rows["before"])
        impact.test = welch(impact.treatment, impact.control)
        impact.volume = rows["after"]["volume"] or 0.0
        impact.first, impact.last = rows["after"]["first"], rows["after"]["last"]
        impact.evidence = Evidence.BEFORE_AFTER if impact.test else Evidence.NONE
    return impact


def _controlled(kpi: Kpi, segments: dict) -> KpiImpact:
    treatment, control = segments[Segment.TREATMENT], segments[Segment.CONTROL]
    impact = KpiImpact(
        kpi=kpi,
        evidence=Evidence.CONTROLLED,
        treatment=_stats(treatment),
        control=_stats(control),
        volume=treatment["volume"] or 0.0,
        first=treatment["first"],
        last=treatment["last"],
    )
    impact.test = welch(impact.treatment, impact.control)
    if impact.test is None:
        impact.evidence = Evidence.NONE
    return impact


def model_impacts(*, streams, period: Period = Period(), models=None) -> list[ModelImpact]:
    """Impact of every model of the given streams (or of ``models``), best realised value first."""
    if models is None:
        models = RegisteredModel.objects.filter(value_stream__in=streams)
    models = list(models.select_related("value_stream", "owning_team", "cost"))
    kpis = {
        k.pk: k
        for k in Kpi.objects.select_related("stream").filter(stream__in={m.value_stream_id for m in models})
    }
    aggregates = _segment_aggregates([m.value_stream_id for m in models], period)
    promotions = first_promotions(models)
    impacts = []
    for model in models:
        impact = ModelImpact(model=model)
        for (model_id, kpi_id), segments in sorted(aggregates.items(), key=lambda item: item[0]):
            if model_id != model.pk or kpi_id not in kpis:
                continue
            if Segment.TREATMENT in segments and Segment.CONTROL in segments:
                impact.kpis.append(_controlled(kpis[kpi_id], segments))
            elif model.pk in promotions:
                impact.kpis.append(_before_after(model.pk, kpis[kpi_id], promotions[model.pk], period))
            else:
                impact.kpis.append(KpiImpact(kpi=kpis[kpi_id], evidence=Evidence.NONE))
        impacts.append(impact)
    return sorted(
        impacts, key=lambda i: (i.incremental_value is None, -(i.incremental_value or 0), i.model.name)
    )
