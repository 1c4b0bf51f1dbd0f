"""Numbers that may be missing: a template, a chart or a JSON answer gets ``None`` (shown as "—")
instead of NaN, an empty string, a value that is not a number, or an infinity where none is meant."""

import math

from rest_framework import serializers

MISSING = "—"


def _as_float(value) -> float | None:
    if value is None or isinstance(value, bool):
        return None
    try:
        return float(value)
    except (TypeError, ValueError, OverflowError):
        return None


def finite(value) -> float | None:
    """``value`` as a finite float, or None (None, "", NaN, +-infinity, text that is no number)."""
    number = _as_float(value)
    return number if number is not None and math.isfinite(number) else None


def display(value, render) -> str:
    """``render(number)`` for a finite number, "∞" or "−∞" for an infinity, "—" for anything else."""
    number = _as_float(value)
    if number is None or math.isnan(number):
        return MISSING
    if math.isinf(number):
        return "∞" if number > 0 else "−∞"
    return render(number)


class FiniteFloatField(serializers.FloatField):
    """A read-side float that is ``null`` when the number is missing, NaN or infinite: strict JSON has
    no NaN or Infinity, and the schema says the field is nullable."""

    def __init__(self, **kwargs):
        kwargs.setdefault("allow_null", True)
        super().__init__(**kwargs)

    def to_representation(self, value):
        return finite(value)
