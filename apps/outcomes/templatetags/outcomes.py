"""Number formats for the dashboards and the one-line include for the registry's model page:
``{% load outcomes %}{% model_outcomes model %}``."""

from django import template

from apps.core.numbers import display

register = template.Library()


def _digits(digits, default: int) -> int:
    try:
        return min(max(int(digits), 0), 12)
    except (TypeError, ValueError):
        return default


@register.filter
def pct(number, digits: int = 1):
    """A fraction as a signed percentage: 0.0123 -> +1.2%."""
    return display(number, lambda n: f"{n * 100:+.{_digits(digits, 1)}f}%")


@register.filter
def rate(number, digits: int = 2):
    """A fraction as an unsigned percentage: 0.004 -> 0.40%."""
    return display(number, lambda n: f"{n * 100:.{_digits(digits, 2)}f}%")


@register.filter
def count(number):
    return display(number, lambda n: f"{round(n):,}")


@register.filter
def money(number):
    return display(number, lambda n: f"{n:,.0f}")


@register.filter
def num(number, digits: int = 3):
    """Three significant digits below 1, two decimals above: 0.01234 -> 0.0123, 1234.5 -> 1,234.50."""
    places = max(_digits(digits, 3), 1)
    return display(number, lambda n: f"{n:.{places}g}" if abs(n) < 1 else f"{n:,.{places - 1}f}")


@register.inclusion_tag("outcomes/_model_outcomes_card.html", takes_context=True)
def model_outcomes(context, model):
    """A small card with the model's verdict, realised value and traffic, linking to its outcomes page."""
    from apps.outcomes.dashboards import model_summary

    return {"summary": model_summary(model=model), "model": model, "request": context.get("request")}
