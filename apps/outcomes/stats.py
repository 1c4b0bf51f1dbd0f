"""The statistics behind the dashboards: Welch's t-test from sufficient statistics (so the database
aggregates and Python never loops over raw rows) and the population stability index."""

import math
from dataclasses import dataclass

import numpy as np
from scipy import stats

from apps.core.numbers import finite

CONFIDENCE = 0.95
# DESIGN.md section 3: < 0.1 stable, 0.1-0.25 moderate, > 0.25 significant.
PSI_MODERATE = 0.1
PSI_SIGNIFICANT = 0.25
PSI_EPSILON = 1e-4  # empty bins would make the logarithm infinite


@dataclass(frozen=True)
class GroupStats:
    """Count, mean and sample variance (ddof=1) of one segment, as the database aggregates them."""

    n: int
    mean: float
    variance: float


@dataclass(frozen=True)
class WelchResult:
    difference: float  # mean of a minus mean of b
    low: float
    high: float
    t: float
    p_value: float
    df: float


def welch(a: GroupStats, b: GroupStats, *, confidence: float = CONFIDENCE) -> WelchResult | None:
    """Welch's unequal-variance t-test of a vs b with the confidence interval of the difference.

    Equals ``scipy.stats.ttest_ind(a, b, equal_var=False)`` and its ``confidence_interval()`` on the
    raw data (tested). None when either group has fewer than two observations, or when a mean or a
    variance is not a finite number (NaN, infinity, or overflow of the sums): no interval is claimed
    then. Equal values in both groups (zero variance) give a zero-width interval at the difference."""
    if (a.n or 0) < 2 or (b.n or 0) < 2:
        return None
    numbers = (a.mean, b.mean, a.variance or 0.0, b.variance or 0.0)
    if not all(finite(number) is not None for number in numbers):
        return None
    try:
        result = _welch(a, b, confidence)
    except ArithmeticError:  # overflow of huge variances, or an underflow to zero in the divisor
        return None
    if not all(finite(n) is not None for n in (result.difference, result.low, result.high, result.p_value)):
        return None  # e.g. the difference of two huge means overflowing
    return result


def _welch(a: GroupStats, b: GroupStats, confidence: float) -> WelchResult:
    var_a, var_b = max(a.variance or 0.0, 0.0), max(b.variance or 0.0, 0.0)
    difference = a.mean - b.mean
    se_a, se_b = var_a / a.n, var_b / b.n
    standard_error = math.sqrt(se_a + se_b)
    if standard_error == 0:
        return WelchResult(difference, difference, difference, math.inf, 0.0, float(a.n + b.n - 2))
    t, p_value = stats.ttest_ind_from_stats(
        a.mean, math.sqrt(var_a), a.n, b.mean, math.sqrt(var_b), b.n, equal_var=False
    )
    df = (se_a + se_b) ** 2 / (se_a**2 / (a.n - 1) + se_b**2 / (b.n - 1))
    margin = stats.t.ppf((1 + confidence) / 2, df) * standard_error
    return WelchResult(difference, difference - margin, difference + margin, float(t), float(p_value), df)


def psi_band(psi: float) -> str:
    if psi > PSI_SIGNIFICANT:
        return "significant"
    if psi >= PSI_MODERATE:
        return "moderate"
    return "stable"


def psi(expected: list[float], actual: list[float]) -> float:
    """Population stability index: sum((actual - expected) * ln(actual / expected)) over the bins."""
    e = np.clip(np.nan_to_num(np.asarray(expected, dtype=float), nan=0.0, posinf=1.0), PSI_EPSILON, None)
    a = np.clip(np.nan_to_num(np.asarray(actual, dtype=float), nan=0.0, posinf=1.0), PSI_EPSILON, None)
    return float(np.sum((a - e) * np.log(a / e)))


def _finite_array(values) -> np.ndarray:
    return np.asarray([v for v in values if finite(v) is not None], dtype=float)


def quantile_edges(values: list[float], *, bins: int = 10) -> list[float]:
    """Inner edges of (up to) ``bins`` equal-frequency bins of the reference's finite values; none
    (one bin) when there are no finite values; one edge when all values are equal."""
    array = _finite_array(values)
    if array.size == 0:
        return []
    inner = np.quantile(array, np.linspace(0, 1, bins + 1)[1:-1])
    return sorted({float(edge) for edge in inner})


def numeric_proportions(values: list[float], edges: list[float]) -> list[float]:
    """Share of the finite values in each bin (NaN and infinities are not counted); all zero when no
    value is finite."""
    array = _finite_array(values)
    counts = np.bincount(np.searchsorted(edges, array, side="right"), minlength=len(edges) + 1)
    return (counts / max(array.size, 1)).tolist()


def categorical_proportions(values: list, categories: list[str]) -> list[float]:
    """Share of each known category plus a last "other" bin for categories never seen in training."""
    index = {category: i for i, category in enumerate(categories)}
    counts = np.zeros(len(categories) + 1)
    for value in values:
        counts[index.get(str(value), len(categories))] += 1
    return (counts / max(len(values), 1)).tolist()
