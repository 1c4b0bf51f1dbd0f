"""Number formats for the dashboards and the one-line include for the registry's model page:
``{% load outcomes %}{% model_outcomes model %}``."""

from django import template

from apps.core import display

register = template.Library()

# The dashboards' names for the portal's number formats (apps/core/display.py, the one implementation).
register.filter("pct", display.signed_percent)  # a change as a share of 1: 0.0123 -> +1.2%
register.filter("rate", display.percent)  # a share of 1: 0.004 -> 0.4%
register.filter("count", display.count)
register.filter("money", display.money)
register.filter("num", display.number)


@register.inclusion_tag("outcomes/_model_outcomes_card.html", takes_context=True)
def model_outcomes(context, model):
    """A small card with the model's verdict, realised value and traffic, linking to its outcomes page."""
    from apps.outcomes.dashboards import model_summary

    return {"summary": model_summary(model=model), "model": model, "request": context.get("request")}


@register.inclusion_tag("outcomes/_request_impact.html")
def request_impact(model_request, model):
    """The realised impact of the model answering a model request (the request page's "The work"):
    its verdict and realised value, and the measured change of the KPI the request named next to the
    change it expected. No query without a model."""
    if model is None:
        return {"model": None}
    from apps.outcomes.impact import Period, model_impacts
    from apps.registry.models import RegisteredModel

    impacts = model_impacts(
        streams=[model.value_stream_id], period=Period(), models=RegisteredModel.objects.filter(pk=model.pk)
    )
    impact = impacts[0] if impacts else None
    named = [k for k in impact.measured if k.kpi.name == model_request.kpi] if impact else []
    return {
        "model": model,
        "impact": impact,
        "kpi": named[0] if named else None,
        "kpi_name": model_request.kpi,
        "expected": None if model_request.expected_change is None else model_request.expected_change / 100,
    }
