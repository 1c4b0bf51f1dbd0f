"""Template side of apps/core/display.py: ``{% load display %}``, then ``{{ key|label }}``,
``{{ value|count }}``, ``{{ value|number }}``, ``{{ value|signed }}``, ``{{ value|percent }}``,
``{{ value|money:unit }}``, ``{{ value|pvalue }}``, and ``{{ moment|when }}`` (or ``|when:"day"``)
for a date shown as "3 Dec 2026" in a ``<time>`` whose tooltip is the exact moment."""

import datetime as dt

from django import template
from django.utils.html import format_html

from apps.core import display
from apps.core.numbers import MISSING

register = template.Library()

register.filter("label", display.label)
register.filter("count", display.count)
register.filter("number", display.number)
register.filter("signed", display.signed)
register.filter("percent", display.percent)
register.filter("money", display.money)
register.filter("pvalue", display.pvalue)
register.filter("day", display.day)
register.filter("moment", display.moment)
register.filter("value", display.value)
register.filter("exact", display.exact)


@register.filter
def when(value, precision: str = "minute"):
    """``<time datetime="..." title="exact">3 Dec 2026, 08:40</time>``; ``"day"``: the date only."""
    if isinstance(value, str):
        value = display.parse_moment(value)
    if not isinstance(value, dt.date):
        return MISSING
    shown = display.day(value) if precision == "day" else display.moment(value)
    exact = display.exact(value)
    return format_html('<time datetime="{}" title="{}">{}</time>', value.isoformat(), exact, shown)


@register.simple_tag
def secondary_metrics(metrics, primary: str = "") -> dict:
    """A version's metrics other than ``primary``: ``main`` (the holdout metrics, shown) and ``more``
    (cross-validation means and spreads, folded behind a "details" toggle), each as (key, value)."""
    main, more = [], []
    for key, number in (metrics or {}).items():
        if key == primary:
            continue
        (more if key.startswith("cv_") or key.endswith("_std") else main).append((key, number))
    return {"main": main, "more": more}
