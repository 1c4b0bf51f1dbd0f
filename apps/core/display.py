"""What people read instead of keys and raw floats: the one place pages turn a key (status, estimator,
metric, gate, check, evidence field) into its label, and a number or a date into text.

Labels: each app registers its catalogue's labels at start-up (``register_labels`` in its
``AppConfig.ready``); a key no catalogue names reads as words ("days_since" -> "Days since", with
known abbreviations upper-cased: "cv_roc_auc_std" -> "CV ROC AUC std"). Templates use the filters and
the ``{% when %}`` tag of ``apps/core/templatetags/display.py``.

Numbers by kind: counts as integers with thousands separators ("60,000"), other numbers with four
significant digits (never 17 decimals, never "60000.0"), rates as percentages, money with its unit,
p-values in scientific notation only below 0.001. Dates read "3 Dec 2026" everywhere; a time of day
follows as "3 Dec 2026, 08:40" and the exact instant (with seconds and the time zone) is the tooltip.
"""

import datetime as dt
import math
import re

from django.utils import timezone

from apps.core.numbers import MISSING, display

_LABELS: dict[str, str] = {}

# Abbreviations kept upper-case when a key is turned into words.
ABBREVIATIONS = {
    "api": "API",
    "auc": "AUC",
    "ci": "CI",
    "csv": "CSV",
    "cv": "CV",
    "f1": "F1",
    "id": "ID",
    "kpi": "KPI",
    "mae": "MAE",
    "ml": "ML",
    "mse": "MSE",
    "pm": "PM",
    "r2": "R²",
    "rmse": "RMSE",
    "roc": "ROC",
    "s3": "S3",
    "sla": "SLA",
    "url": "URL",
    "utc": "UTC",
    "wip": "WIP",
    "wsjf": "WSJF",
    "rice": "RICE",
}
_WORD = re.compile(r"[A-Za-z0-9]+")


def register_labels(labels) -> None:
    """Add ``{key: label}`` pairs (a dict, pairs, or a Django ``choices`` class) to the catalogue. A key
    keeps its first label: apps register in INSTALLED_APPS order, so the app that owns a key (the
    registry's gate "beats_baseline") names it before one that reuses it (the practices check)."""
    if hasattr(labels, "choices"):
        labels = labels.choices
    pairs = labels.items() if isinstance(labels, dict) else labels
    for key, text in pairs:
        _LABELS.setdefault(str(key), str(text))


def words(key: str) -> str:
    """A key as words: "days_since" -> "Days since", "cv_roc_auc_std" -> "CV ROC AUC std"."""
    parts = [ABBREVIATIONS.get(part.lower(), part.lower()) for part in _WORD.findall(key)]
    if not parts:
        return key
    parts[0] = parts[0][:1].upper() + parts[0][1:]
    return " ".join(parts)


def label(key) -> str:
    """The label of ``key`` from the registered catalogues, else the key as words."""
    if key is None or key == "":
        return MISSING
    key = str(key)
    if key in _LABELS:
        return _LABELS[key]
    # a name with capitals is a name already (a class such as HistGradientBoostingClassifier)
    return key if key != key.lower() else words(key)


def _separated(number: float, decimals: int) -> str:
    return f"{number:,.{decimals}f}"


def count(value) -> str:
    """A count: "60,000" (a count that is not whole is shown as a number)."""

    def render(number: float) -> str:
        return _separated(number, 0) if number == int(number) else _number(number)

    return display(value, render)


def _number(number: float, digits: int = 4) -> str:
    if number == 0:
        return "0"
    if number == int(number) and abs(number) < 1e15:
        return _separated(number, 0)
    magnitude = math.floor(math.log10(abs(number)))
    decimals = max(0, digits - 1 - magnitude)
    text = _separated(number, decimals)
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def _digits(digits) -> int:
    """A template's digits argument; one that is not a small positive whole number means the default."""
    try:
        return min(max(int(digits), 1), 15)
    except (TypeError, ValueError):
        return 4


def number(value, digits: int = 4) -> str:
    """Any measured value: four significant digits, separators, no trailing zeros ("0.8492", "67.42",
    "60,000", "0.00081")."""
    return display(value, lambda number: _number(number, _digits(digits)))


def signed(value, digits: int = 4) -> str:
    """A difference: "+0.0213", "-0.004", "0"."""

    def render(number: float) -> str:
        text = _number(abs(number), _digits(digits))
        if text == "0":
            return "0"
        return ("+" if number > 0 else "-") + text

    return display(value, render)


def percent(value, decimals: int = 1) -> str:
    """A rate held as a share of 1: 0.1234 -> "12.3%"."""
    return display(value, lambda number: f"{number * 100:,.{int(decimals)}f}%")


def money(value, unit: str = "") -> str:
    """An amount with its unit: "€ 12,400" for a unit that is a currency sign, else "12,400 EUR"."""
    unit = (unit or "").strip()

    def render(number: float) -> str:
        text = _separated(number, 0 if abs(number) >= 100 or number == int(number) else 2)
        if not unit:
            return text
        return f"{unit}\u202f{text}" if len(unit) == 1 and not unit.isalnum() else f"{text} {unit}"

    return display(value, render)


def pvalue(value) -> str:
    """A p-value: three decimals, scientific notation only below 0.001 ("p < 0.001" style: 2.1e-05)."""

    def render(number: float) -> str:
        if number == 0:
            return "0"
        if abs(number) < 0.001:
            mantissa, exponent = f"{number:.1e}".split("e")
            return f"{mantissa.removesuffix('.0')} × 10{_superscript(int(exponent))}"
        return f"{number:.3f}"

    return display(value, render)


_SUPERSCRIPTS = str.maketrans("-0123456789", "⁻⁰¹²³⁴⁵⁶⁷⁸⁹")


def _superscript(exponent: int) -> str:
    return str(exponent).translate(_SUPERSCRIPTS)


def _local(value: dt.datetime) -> dt.datetime:
    return timezone.localtime(value) if timezone.is_aware(value) else value


def day(value) -> str:
    """A date (or the date of a moment): "3 Dec 2026"."""
    if value in (None, ""):
        return MISSING
    if isinstance(value, str):
        value = parse_moment(value)
        if value is None:
            return MISSING
    if isinstance(value, dt.datetime):
        value = _local(value)
    return f"{value.day} {value:%b %Y}"


def moment(value) -> str:
    """A moment to the minute: "3 Dec 2026, 08:40" (a date alone: "3 Dec 2026")."""
    if isinstance(value, str):
        value = parse_moment(value)
    if not isinstance(value, dt.datetime):
        return day(value)
    value = _local(value)
    return f"{day(value)}, {value:%H:%M}"


def exact(value) -> str:
    """The exact moment, for a tooltip: "2026-12-03 08:40:12 UTC"."""
    if isinstance(value, str):
        value = parse_moment(value)
    if not isinstance(value, dt.datetime):
        return value.isoformat() if isinstance(value, dt.date) else ""
    value = _local(value)
    return f"{value:%Y-%m-%d %H:%M:%S} {value.tzname() or ''}".strip()


def parse_moment(text: str) -> dt.datetime | dt.date | None:
    """An ISO date or date-time string (as stored in JSON fields), or None."""
    try:
        parsed = dt.datetime.fromisoformat(text)
    except ValueError:
        return None
    if len(text) == 10:
        return parsed.date()
    return parsed


_KEY = re.compile(r"^[a-z][a-z0-9]*(?:_[a-z0-9]+)+$")


def value(item) -> str:
    """A value of unknown kind (a JSON field's evidence, a parameter): a number formatted, an ISO date
    as a date, a registered or snake_case key as its label, anything else as it is."""
    if item is None or item == "":
        return MISSING
    if isinstance(item, bool):
        return "yes" if item else "no"
    if isinstance(item, int | float):
        return number(item)
    if isinstance(item, dt.date):
        return moment(item)
    if isinstance(item, list | tuple):
        return ", ".join(value(part) for part in item)
    text = str(item)
    if re.fullmatch(r"-?\d+\.\d+", text):  # a decimal written out as text (a CSV cell)
        return number(float(text))
    if text in _LABELS or _KEY.match(text):
        return label(text)
    if re.fullmatch(r"\d{4}-\d\d-\d\d(?:[T ][\d:.]+(?:Z|[+-]\d\d:?\d\d)?)?", text):
        parsed = parse_moment(text)
        if parsed is not None:
            return moment(parsed)
    return text


def signed_percent(item, decimals: int = 1) -> str:
    """A change held as a share of 1, with its sign: 0.0123 -> "+1.2%"."""
    return display(item, lambda number: f"{number * 100:+,.{int(decimals)}f}%")
