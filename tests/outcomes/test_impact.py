"""Impact numbers against scipy on the same raw data, verdicts and before/after labelling."""

import datetime

import numpy as np
import pytest
from scipy import stats

from apps.outcomes.impact import Evidence, Period, Verdict, model_impacts
from apps.outcomes.models import Direction, Observation
from apps.outcomes.rollup import rollup_rebuild_all
from apps.outcomes.stats import GroupStats, welch
from apps.registry.models import RegisteredModel
from tests.outcomes.factories import KpiFactory, ModelCostFactory, day, observations
from tests.registry.factories import ModelVersionFactory, RegisteredModelFactory, stage_change

pytestmark = pytest.mark.django_db


def impacts_of(model, period=None):
    return model_impacts(
        streams=[model.value_stream],
        period=period or Period(),
        models=RegisteredModel.objects.filter(pk=model.pk),
    )[0]


def test_welch_from_sufficient_statistics_equals_scipy_on_raw_data():
    rng = np.random.default_rng(7)
    a, b = rng.normal(10.3, 2.0, 60), rng.normal(10.0, 3.5, 45)
    result = welch(GroupStats(len(a), a.mean(), a.var(ddof=1)), GroupStats(len(b), b.mean(), b.var(ddof=1)))
    reference = stats.ttest_ind(a, b, equal_var=False)
    ci = reference.confidence_interval(0.95)
    assert result.t == pytest.approx(reference.statistic, rel=1e-9)
    assert result.p_value == pytest.approx(reference.pvalue, rel=1e-9)
    assert result.df == pytest.approx(reference.df, rel=1e-9)
    assert (result.low, result.high) == (pytest.approx(ci.low, rel=1e-9), pytest.approx(ci.high, rel=1e-9))


def test_impact_from_the_database_equals_scipy_on_the_same_rows():
    rng = np.random.default_rng(11)
    model = RegisteredModelFactory()
    kpi = KpiFactory(stream=model.value_stream, value_per_unit=40.0)
    treatment, control = rng.normal(0.052, 0.004, 120), rng.normal(0.050, 0.006, 110)
    observations(kpi, treatment, segment="treatment", model=model, volume=1000)
    observations(kpi, control, segment="control", model=model, volume=900)

    row = impacts_of(model).kpis[0]
    reference = stats.ttest_ind(treatment, control, equal_var=False)
    ci = reference.confidence_interval(0.95)
    assert row.evidence == Evidence.CONTROLLED
    assert row.lift == pytest.approx(treatment.mean() - control.mean(), rel=1e-9)
    assert row.ci == (pytest.approx(ci.low, rel=1e-7), pytest.approx(ci.high, rel=1e-7))
    assert row.p_value == pytest.approx(reference.pvalue, rel=1e-7)
    assert row.relative_lift == pytest.approx((treatment.mean() - control.mean()) / control.mean(), rel=1e-9)
    assert row.incremental_value == pytest.approx(row.lift * 1000 * len(treatment) * 40.0, rel=1e-9)


def make_controlled(
    treatment, control, *, direction=Direction.HIGHER, monthly_cost=None, value_per_unit=10.0
):
    model = RegisteredModelFactory()
    kpi = KpiFactory(stream=model.value_stream, direction=direction, value_per_unit=value_per_unit)
    observations(kpi, treatment, segment="treatment", model=model)
    observations(kpi, control, segment="control", model=model)
    if monthly_cost is not None:
        ModelCostFactory(model=model, monthly_running_cost=monthly_cost, monthly_team_effort_cost=0)
    return model


def test_significant_lift_worth_more_than_its_cost_pays_off():
    rng = np.random.default_rng(1)
    model = make_controlled(rng.normal(11, 1, 90), rng.normal(10, 1, 90), monthly_cost=100)
    impact = impacts_of(model)
    assert impact.verdict == Verdict.PAYS_OFF
    # value = 1 * 100 volume * 90 days * 10 per unit ~ 90,000; cost = 100 per month * ~3 months
    assert impact.roi == pytest.approx((impact.incremental_value - impact.cost) / impact.cost)
    assert impact.cost == pytest.approx(100 * 90 / (365.25 / 12))


def test_interval_crossing_zero_is_not_proven_yet():
    rng = np.random.default_rng(2)
    model = make_controlled(rng.normal(10.05, 1, 40), rng.normal(10, 1, 40))
    impact = impacts_of(model)
    low, high = impact.kpis[0].ci
    assert low < 0 < high
    assert impact.verdict == Verdict.NOT_PROVEN


def test_heuristic_doing_better_means_consider_the_simpler_alternative():
    rng = np.random.default_rng(3)
    model = make_controlled(rng.normal(9, 1, 60), rng.normal(10, 1, 60))
    assert impacts_of(model).verdict == Verdict.SIMPLER


def test_lift_below_cost_means_consider_the_simpler_alternative():
    rng = np.random.default_rng(4)
    model = make_controlled(rng.normal(10.5, 0.5, 60), rng.normal(10, 0.5, 60), monthly_cost=1_000_000)
    impact = impacts_of(model)
    assert impact.kpis[0].significant
    assert impact.verdict == Verdict.SIMPLER
    assert "costs" in impact.verdict_reason


def test_lower_is_better_kpi_counts_a_decrease_as_benefit():
    rng = np.random.default_rng(5)
    model = make_controlled(rng.normal(8, 1, 60), rng.normal(10, 1, 60), direction=Direction.LOWER)
    impact = impacts_of(model)
    assert impact.kpis[0].lift < 0
    assert impact.incremental_value > 0
    assert impact.verdict == Verdict.PAYS_OFF


def test_without_control_a_before_after_comparison_is_labelled_weaker_evidence():
    rng = np.random.default_rng(6)
    version = ModelVersionFactory(in_production=True)
    model = version.model
    kpi = KpiFactory(stream=model.value_stream)
    before, after = rng.normal(10, 1, 60), rng.normal(12, 1, 60)
    observations(kpi, before, start=0)
    observations(kpi, after, start=60, model=model)
    stage_change(version, at=day(60))

    row = impacts_of(model).kpis[0]
    reference = stats.ttest_ind(after, before, equal_var=False)
    assert row.evidence == Evidence.BEFORE_AFTER
    assert "weaker evidence" in row.evidence_label
    assert row.promoted_at == day(60)
    assert row.lift == pytest.approx(after.mean() - before.mean())
    assert row.p_value == pytest.approx(reference.pvalue, rel=1e-7)


def test_period_filter_limits_the_rows():
    model = make_controlled([1, 2, 3, 4] * 10, [1, 2, 3, 3] * 10)
    everything = impacts_of(model).kpis[0]
    first_ten_days = impacts_of(model, Period(start=day(0).date(), end=day(9).date())).kpis[0]
    assert everything.treatment.n == 40
    assert first_ten_days.treatment.n == 10


def test_model_without_observations_is_not_proven():
    model = RegisteredModelFactory()
    impact = impacts_of(model)
    assert impact.evidence == Evidence.NONE
    assert impact.verdict == Verdict.NOT_PROVEN


def test_several_observations_a_day_still_match_scipy_on_the_raw_rows():
    """The daily aggregates keep count, sum and sum of squares, so hourly rows lose nothing."""
    rng = np.random.default_rng(21)
    model = RegisteredModelFactory()
    kpi = KpiFactory(stream=model.value_stream)
    rows = []
    for segment, mean in (("treatment", 5.2), ("control", 5.0)):
        values = rng.normal(mean, 0.8, 24 * 5)
        rows.append(values)
        Observation.objects.bulk_create(
            [
                Observation(
                    kpi=kpi,
                    time=day(0) + datetime.timedelta(hours=h),
                    value=float(v),
                    segment=segment,
                    model=model,
                    model_key=model.pk,
                )
                for h, v in enumerate(values)
            ]
        )
    rollup_rebuild_all()
    row = impacts_of(model).kpis[0]
    reference = stats.ttest_ind(rows[0], rows[1], equal_var=False)
    assert row.treatment.n == 120
    assert row.p_value == pytest.approx(reference.pvalue, rel=1e-7)
    assert row.ci == (
        pytest.approx(reference.confidence_interval().low, rel=1e-7),
        pytest.approx(reference.confidence_interval().high, rel=1e-7),
    )
