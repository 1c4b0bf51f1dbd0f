"""RICE and WSJF exactly as in DESIGN.md section 3, in Python (one request) and as database
expressions (ordering thousands of requests). A request missing an input has no score (None / NULL),
never a made-up one.

Scales are configurable with ``settings.MODELREQUESTS_SCALES`` (same keys as ``DEFAULT_SCALES``).
"""

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import ExpressionWrapper, F, FloatField
from django.db.models.functions import Cast

DEFAULT_SCALES = {
    "impact": (0.25, 0.5, 1, 2, 3),
    "confidence": (0.5, 0.8, 1.0),
    # Each WSJF component and the job size use the modified Fibonacci scale.
    "wsjf": (1, 2, 3, 5, 8, 13, 20),
}

RICE_INPUTS = ("reach", "impact", "confidence", "effort")
WSJF_INPUTS = ("business_value", "time_criticality", "risk_reduction", "job_size")


def scales() -> dict:
    return {**DEFAULT_SCALES, **getattr(settings, "MODELREQUESTS_SCALES", {})}


def rice(reach, impact, confidence, effort) -> float | None:
    if None in (reach, impact, confidence, effort) or effort <= 0:
        return None
    return reach * impact * confidence / effort


def wsjf(business_value, time_criticality, risk_reduction, job_size) -> float | None:
    if None in (business_value, time_criticality, risk_reduction, job_size) or job_size <= 0:
        return None
    return (business_value + time_criticality + risk_reduction) / job_size


def _as_float(name: str):
    return Cast(F(name), FloatField())


def rice_expression():
    """NULL when any input is NULL (SQL arithmetic propagates NULL)."""
    return ExpressionWrapper(
        _as_float("reach") * F("impact") * F("confidence") / F("effort"), output_field=FloatField()
    )


def wsjf_expression():
    return ExpressionWrapper(
        (_as_float("business_value") + F("time_criticality") + F("risk_reduction")) / _as_float("job_size"),
        output_field=FloatField(),
    )


def score_expression(method: str):
    return rice_expression() if method == "rice" else wsjf_expression()


def size_field(method: str) -> str:
    """What a request costs the delivering team's capacity under each method."""
    return "effort" if method == "rice" else "job_size"


def missing_inputs(request, method: str) -> list[str]:
    names = RICE_INPUTS if method == "rice" else WSJF_INPUTS
    return [name.replace("_", " ") for name in names if getattr(request, name) is None]


def validate_inputs(request) -> None:
    """Scores' inputs, when given, must be on their scales (a clear message naming the allowed values)."""
    scale = scales()
    errors = {}

    def on_scale(field: str, allowed) -> None:
        value = getattr(request, field)
        if value is not None and float(value) not in {float(a) for a in allowed}:
            errors[field] = f"Must be one of {', '.join(str(a) for a in allowed)}."

    on_scale("impact", scale["impact"])
    on_scale("confidence", scale["confidence"])
    for field in WSJF_INPUTS:
        on_scale(field, scale["wsjf"])
    if request.effort is not None and request.effort <= 0:
        errors["effort"] = "Effort is in person-weeks and must be greater than 0."
    if errors:
        raise ValidationError(errors)
