"""`{% chart figure "id" %}`: the one way a page shows a plotly figure.

It renders ``<div class="chart" data-chart="id">`` and the figure as ``<script type="application/json"
id="id">`` (encoded once, numpy and NaN handled by plotly's encoder); static/js/charts.js draws every
such element, loading plotly.js only on pages that have one, and follows the light/dark theme.

Every chart has two downloads above it: PNG (drawn by plotly.js) and CSV: the rows behind the chart from
``csv`` (a URL, e.g. the outcomes charts' own exports) or, without one, the figure's own numbers, one
row per point (static/js/charts.js).
"""

from django import template
from django.utils.html import format_html, json_script
from plotly.utils import PlotlyJSONEncoder

from apps.core.middleware import CHART_FLAG
from apps.core.staticfiles import served_plotly_skipped_style_ids

register = template.Library()


@register.simple_tag(takes_context=True)
def chart(context, figure, element_id: str, size: str = "", label: str = "", csv: str = "", title: str = ""):
    """``figure``: a plotly Figure or its dict (None: nothing). ``size="small"``: a shorter box.
    ``label``: the chart's accessible name (it becomes an image); ``title``: what the downloads are
    named ("Download Cumulative flow as PNG")."""
    if figure is None:
        return ""
    request = context.get("request")
    if request is not None:
        setattr(request, CHART_FLAG, True)  # the page may load the data: image of a PNG download
    data = figure.to_plotly_json() if hasattr(figure, "to_plotly_json") else figure
    classes = "chart small-chart" if size == "small" else "chart"
    what = title or label or "this chart"
    if csv:
        csv_control = format_html(
            '<a class="btn tiny" href="{}" download aria-label="Download {} as CSV">CSV</a>', csv, what
        )
    else:
        csv_control = format_html(
            '<button type="button" class="btn tiny" data-chart-csv aria-label="Download {} as CSV">'
            "CSV</button>",
            what,
        )
    return format_html(
        '<div class="chart-export" data-chart-export="{}" hidden>'
        '<button type="button" class="btn tiny" data-chart-png aria-label="Download {} as PNG">PNG</button>'
        " {}</div>"
        '<div class="{}" data-chart="{}"{}></div>{}',
        element_id,
        what,
        csv_control,
        classes,
        element_id,
        format_html(' role="img" aria-label="{}"', label) if label else "",
        json_script(data, element_id, encoder=PlotlyJSONEncoder),
    )


@register.simple_tag
def plotly_skipped_style_ids() -> str:
    """The ids of the style elements plotly.js must not add (apps/core/staticfiles.py), space-separated."""
    return " ".join(served_plotly_skipped_style_ids())
