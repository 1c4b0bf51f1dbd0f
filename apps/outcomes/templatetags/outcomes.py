"""Number formats for the dashboards and the one-line include for the registry's model page:
``{% load outcomes %}{% model_outcomes model %}``."""

from django import template

register = template.Library()


@register.filter
def pct(number, digits: int = 1):
    """A fraction as a signed percentage: 0.0123 -> +1.2%."""
    if number is None:
        return "—"
    return f"{number * 100:+.{int(digits)}f}%"


@register.filter
def rate(number, digits: int = 2):
    """A fraction as an unsigned percentage: 0.004 -> 0.40%."""
    if number is None:
        return "—"
    return f"{number * 100:.{int(digits)}f}%"


@register.filter
def count(number):
    return "—" if number is None else f"{int(number):,}"


@register.filter
def money(number):
    if number is None:
        return "—"
    return f"{number:,.0f}"


@register.filter
def num(number, digits: int = 3):
    if number is None:
        return "—"
    return f"{number:.{int(digits)}g}" if abs(number) < 1 else f"{number:,.{int(digits) - 1}f}"


@register.inclusion_tag("outcomes/_model_outcomes_card.html", takes_context=True)
def model_outcomes(context, model):
    """A small card with the model's verdict, realised value and traffic, linking to its outcomes page."""
    from apps.outcomes.dashboards import model_summary

    return {"summary": model_summary(model=model), "model": model, "request": context.get("request")}
