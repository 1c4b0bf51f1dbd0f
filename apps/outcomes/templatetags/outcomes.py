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
