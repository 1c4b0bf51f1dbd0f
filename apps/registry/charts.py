"""Server-side plotly figures for the registry pages (rendered by plotly.js served locally)."""

import json

import plotly.graph_objects as go

from apps.core.display import label
from apps.registry.models import ModelVersion, Stage

STAGE_COLOURS = {
    Stage.CANDIDATE: "#6b7280",
    Stage.STAGING: "#d97706",
    Stage.PRODUCTION: "#15803d",
    Stage.ARCHIVED: "#9ca3af",
}


def primary_metric_figure(versions: list[ModelVersion], metric: str) -> dict | None:
    """The primary metric of each version next to its baseline, as a figure dict for Plotly.newPlot."""
    points = [
        v for v in sorted(versions, key=lambda v: v.number) if isinstance(v.metrics.get(metric), int | float)
    ]
    if not points:
        return None
    numbers = [f"v{v.number}" for v in points]
    figure = go.Figure()
    figure.add_trace(
        go.Scatter(
            x=numbers,
            y=[v.metrics[metric] for v in points],
            mode="lines+markers",
            name=label(metric),
            marker={"size": 11, "color": [STAGE_COLOURS[v.stage] for v in points]},
            text=[v.get_stage_display() for v in points],
            hovertemplate="%{x}: %{y:.4f} (%{text})<extra></extra>",
        )
    )
    figure.add_trace(
        go.Scatter(
            x=numbers,
            y=[v.baseline_metrics.get(metric) for v in points],
            mode="lines+markers",  # markers: a single version's baseline is a point, not a line
            name="baseline",
            line={"dash": "dot", "color": "#9ca3af"},
            marker={"size": 6, "symbol": "line-ew-open", "color": "#9ca3af"},
        )
    )
    figure.update_layout(
        margin={"l": 50, "r": 10, "t": 10, "b": 40},
        height=260,
        yaxis_title=label(metric),
        legend={"orientation": "h", "y": -0.25},
        plot_bgcolor="white",
    )
    return json.loads(figure.to_json())
