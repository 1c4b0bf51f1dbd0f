"""`{% chart figure "id" %}`: the one way a page shows a plotly figure.

It renders ``<div class="chart" data-chart="id">`` and the figure as ``<script type="application/json"
id="id">`` (encoded once, numpy and NaN handled by plotly's encoder); static/js/charts.js draws every
such element, loading plotly.js only on pages that have one, and follows the light/dark theme.
"""

from django import template
from django.utils.html import format_html, json_script
from plotly.utils import PlotlyJSONEncoder

from apps.core.staticfiles import served_plotly_skipped_style_ids

register = template.Library()


@register.simple_tag
def chart(figure, element_id: str, size: str = "", label: str = ""):
    """``figure``: a plotly Figure or its dict (None: nothing). ``size="small"``: a shorter box."""
    if figure is None:
        return ""
    data = figure.to_plotly_json() if hasattr(figure, "to_plotly_json") else figure
    classes = "chart small-chart" if size == "small" else "chart"
    return format_html(
        '<div class="{}" data-chart="{}"{}></div>{}',
        classes,
        element_id,
        format_html(' role="img" aria-label="{}"', label) if label else "",
        json_script(data, element_id, encoder=PlotlyJSONEncoder),
    )


@register.simple_tag
def plotly_skipped_style_ids() -> str:
    """The ids of the style elements plotly.js must not add (apps/core/staticfiles.py), space-separated."""
    return " ".join(served_plotly_skipped_style_ids())
