"""The KPI trend chart is written as plotly JSON directly (plotly.py validates every property it is
given, the stream dashboard's largest cost at volume): it must be the figure plotly.py builds."""

import datetime
import json
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
    charts._layout(figure, yaxis_title=f"{kpi.name} ({kpi.unit})")
    return json.loads(json.dumps(figure.to_plotly_json(), cls=PlotlyJSONEncoder))


def change(day: int, *, rollback: bool, slug: str, number: int):
    return types.SimpleNamespace(
        created_at=datetime.datetime(2026, 1, 1, 12, 30, tzinfo=UTC) + datetime.timedelta(days=day),
        is_rollback=rollback,
        version=types.SimpleNamespace(number=number, model=types.SimpleNamespace(slug=slug)),
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
