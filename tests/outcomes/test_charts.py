"""The KPI trend chart is written as plotly JSON directly (plotly.py validates every property it is
given, the stream dashboard's largest cost at volume): it must be the figure plotly.py builds."""

import datetime
import json
import re
import types
from collections import defaultdict

import numpy as np
import plotly.graph_objects as go
import pytest
from plotly.utils import PlotlyJSONEncoder

from apps.outcomes import charts
from apps.outcomes.models import Segment

UTC = datetime.UTC


def plotly_built(kpi, series, events, model_slugs) -> dict:
    """The chart as it was built through plotly.py's figure API (the reference)."""
    figure = go.Figure()
    grouped = defaultdict(list)
    for row in series:
        grouped[(row["segment"], row["model_key"])].append(row)
    for (segment, model_key), points in grouped.items():
        label = segment if not model_key else f"{segment} · {model_slugs.get(model_key, model_key)}"
        figure.add_trace(
            go.Scatter(
                x=charts._days(points),
                y=charts._values(p["value"] for p in points),
                mode="lines",
                name=label,
                line={
                    "color": charts.SEGMENT_COLOURS.get(segment),
                    "width": 1.6,
                    "dash": "solid" if segment != Segment.CONTROL else "dot",
                },
            )
        )
    if kpi.target is not None:
        figure.add_hline(
            y=kpi.target,
            line={"color": "#067647", "dash": "dot"},
            annotation_text=f"target {kpi.target:g}",
            annotation_position="top left",
        )
    charts.add_event_markers(figure, events, csv_rows=[])
    return layout_by_plotly(figure, yaxis_title=f"{kpi.name} ({kpi.unit})")


def change(day: int, *, rollback: bool, slug: str, number: int):
    return types.SimpleNamespace(
        created_at=datetime.datetime(2026, 1, 1, 12, 30, tzinfo=UTC) + datetime.timedelta(days=day),
        is_rollback=rollback,
        version=types.SimpleNamespace(
            number=number, model=types.SimpleNamespace(slug=slug, name=f"Model {slug}")
        ),
    )


def kpi(target):
    return types.SimpleNamespace(pk=7, name="Conversion", unit="rate", target=target, sign=1)


def series(days: int = 40) -> list[dict]:
    rows = []
    for segment, model_key in [("all", 0), ("treatment", 5), ("control", 5), ("odd", 0)]:
        for day in range(days):
            value = None if day == 3 else 0.05 + np.sin(day) / 100
            rows.append(
                {
                    "kpi_id": 7,
                    "segment": segment,
                    "model_key": model_key,
                    "day": datetime.date(2026, 1, 1) + datetime.timedelta(days=day),
                    "value": value,
                    "volume": 100.0,
                }
            )
    return rows


EVENTS = [
    change(1, rollback=False, slug="m1", number=1),
    change(3, rollback=True, slug="m1", number=2),
    change(5, rollback=False, slug="m2", number=3),
]


@pytest.mark.parametrize(
    "target, rows, events, slugs",
    [
        (None, series(), [], {5: "m-five"}),
        (0.06, series(), EVENTS, {5: "m-five"}),
        (-2, series(400), EVENTS[:1], {}),
        (0.5, [], EVENTS, {}),
        (None, [], [], {}),
    ],
)
def test_kpi_trend_chart_is_the_figure_plotly_builds(target, rows, events, slugs):
    chart = charts.kpi_trend_chart(kpi(target), rows, events, slugs)
    script = chart.script()
    assert script.startswith('<script id="figure-kpi-7" type="application/json">')
    written = json.loads(script.split(">", 1)[1].rsplit("<", 1)[0])
    assert written == plotly_built(kpi(target), rows, events, slugs)
    hover = [text for trace in written["data"] if trace.get("yaxis") == "y2" for text in trace["text"]]
    assert all(re.fullmatch(r"\w+: Model m\d v\d+", text) for text in hover), hover  # names, not slugs


def layout_by_plotly(figure, *, height: int = 320, right: int = 20, **extra) -> dict:
    """What ``charts._layout`` did through plotly.py's ``update_layout`` (the reference)."""
    figure.update_layout(
        yaxis2=charts.EVENT_AXIS,
        template=charts.TEMPLATE,
        height=height,
        margin={"l": 60, "r": right, "t": extra.pop("top", 30), "b": 40},
        legend=extra.pop("legend", {"orientation": "h", "y": -0.18}),
        font={"family": "system-ui, sans-serif", "size": 12},
        **extra,
    )
    return json.loads(json.dumps(figure.to_plotly_json(), cls=PlotlyJSONEncoder))


def figure_with_everything():
    figure = go.Figure(
        [
            go.Bar(x=[1.5, -2.0], y=["a", "b"], orientation="h", error_x={"type": "data", "array": [1, 2]}),
            go.Scatter(x=charts._days([{"day": datetime.date(2026, 1, 2)}]), y=np.array([0.5]), yaxis="y3"),
        ]
    )
    figure.add_vline(x=0, line={"color": "#101828", "width": 1})
    charts.add_event_markers(figure, EVENTS)
    return figure


# Every set of layout arguments the charts pass.
LAYOUTS = [
    {},
    {"yaxis_title": "latency (ms)"},
    {"height": 400, "showlegend": False, "yaxis": {"autorange": "reversed"}, "xaxis_title": "x (%)"},
    {
        "barmode": "group",
        "yaxis_title": "index (alternative = 100)",
        "yaxis_rangemode": "tozero",
        "xaxis_tickangle": 0,
        "top": 60,
        "legend": {"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
    },
    {
        "barmode": "stack",
        "right": 60,
        "yaxis_title": "requests per day",
        "yaxis3": {"title": "rows", "overlaying": "y", "side": "right", "showgrid": False},
    },
]


@pytest.mark.parametrize("arguments", LAYOUTS)
def test_layout_is_the_one_update_layout_made(arguments):
    written = charts._layout(figure_with_everything(), **dict(arguments))
    written = json.loads(json.dumps(written, cls=PlotlyJSONEncoder))
    assert written == layout_by_plotly(figure_with_everything(), **dict(arguments))
    assert charts.EVENT_AXIS == {"overlaying": "y", "range": [0, 1.05], "visible": False}  # not mutated


def test_every_outcomes_chart_goes_through_the_layout():
    import inspect

    source = inspect.getsource(charts)
    assert source.count("figure = _layout(") == source.count("_layout(") - 1  # all but the definition
