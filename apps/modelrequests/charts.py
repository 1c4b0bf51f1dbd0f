"""Plotly figures built server-side (``fig.to_json()``); the page renders them with Plotly.newPlot."""

import json

import plotly.graph_objects as go

from apps.modelrequests.flow_metrics import CFD_ORDER
from apps.modelrequests.models import RequestStatus

COLOURS = {
    "retired": "#98a2b3",
    "in_production": "#067647",
    "delivered": "#32d583",
    "in_progress": "#2f5bd3",
    "self_service": "#8b5cc4",
    "accepted": "#84adff",
    "triaged": "#fdb022",
    "submitted": "#f97066",
    "rejected": "#d0d5dd",
}
LAYOUT = {"margin": {"l": 50, "r": 20, "t": 30, "b": 40}, "legend": {"orientation": "h", "y": -0.15}}


def cumulative_flow_figure(cfd: dict) -> dict:
    labels = dict(RequestStatus.choices)
    fig = go.Figure()
    for status in CFD_ORDER:
        fig.add_trace(
            go.Scatter(
                x=[d.isoformat() for d in cfd["days"]],
                y=cfd["series"][status],
                name=labels[status],
                stackgroup="flow",
                mode="lines",
                line={"width": 0.5, "color": COLOURS[status]},
            )
        )
    fig.update_layout(**LAYOUT, yaxis_title="requests", height=380)
    return json.loads(fig.to_json())


def throughput_figure(weekly: list[dict]) -> dict:
    fig = go.Figure(
        go.Bar(
            x=[w["week"].isoformat() for w in weekly],
            y=[w["delivered"] for w in weekly],
            marker_color="#2f5bd3",
            name="delivered",
        )
    )
    fig.update_layout(**LAYOUT, yaxis_title="delivered per week", height=260)
    return json.loads(fig.to_json())
