"""Plotly figures built on the server; pages render them with the locally served plotly.js."""

import datetime

import plotly.graph_objects as go

from apps.practices.delivery import DELIVERY_KINDS
from apps.practices.models import Level
from apps.practices.rubric import CATEGORIES

LEVEL_TICKS = {"tickvals": [0, 1, 2, 3], "ticktext": [label for _, label in Level.choices]}
# One flat colour per level (None, Bronze, Silver, Gold) on a scale from -0.5 to 3.5.
LEVEL_COLOURS = [
    [edge, colour]
    for index, colour in enumerate(["#eef2f6", "#e3a86b", "#b8c2cc", "#f2cf4a"])
    for edge in (index / 4, (index + 1) / 4)
]


def layout(fig: go.Figure, **kwargs) -> go.Figure:
    base = {"margin": {"l": 50, "r": 20, "t": 30, "b": 40}, "height": 320, "template": "plotly_white"}
    return fig.update_layout(**(base | kwargs))


def level_history(snapshots, *, band: tuple | None = None) -> go.Figure:
    """Overall level (and MLOps level for teams) over time, as steps up to the last recompute;
    ``band`` = (start, end) shades a period such as an engagement's time-box."""
    snapshots = list(snapshots)
    times = [s.computed_at for s in snapshots] + [snapshots[-1].confirmed_at]
    points = [*snapshots, snapshots[-1]]
    fig = go.Figure(
        go.Scatter(x=times, y=[s.level for s in points], mode="lines+markers", line_shape="hv", name="Level")
    )
    if any(s.mlops_level is not None for s in snapshots):
        fig.add_trace(
            go.Scatter(
                x=times,
                y=[s.mlops_level for s in points],
                mode="lines",
                line_shape="hv",
                name="MLOps level (0-2)",
                line={"dash": "dot"},
            )
        )
    fig.add_trace(
        go.Scatter(
            x=times,
            y=[s.passed for s in points],
            name="Checks passing",
            yaxis="y2",
            line_shape="hv",
            line={"color": "#98a2b3", "width": 1},
        )
    )
    if band and band[0]:
        fig.add_vrect(x0=band[0], x1=band[1] or times[-1], fillcolor="#8b5cc4", opacity=0.12, line_width=0)
    most = max(s.passed + s.failed for s in snapshots) or 1
    if times[-1] - times[0] < datetime.timedelta(days=2):  # a new subject: show a readable week
        fig.update_xaxes(
            range=[times[0] - datetime.timedelta(days=6), times[-1] + datetime.timedelta(days=1)]
        )
    return layout(
        fig,
        yaxis={"range": [-0.2, 3.2], **LEVEL_TICKS, "title": "Level"},
        yaxis2={
            "overlaying": "y",
            "side": "right",
            "title": "Checks passing",
            "range": [-0.2 * most / 3, most * 3.2 / 3],
            "showgrid": False,
            "tickformat": "d",
            "dtick": max(1, round(most / 5)),
        },
        legend={"orientation": "h", "y": -0.2},
    )


def heatmap(rows: list) -> go.Figure:
    teams = [row["team"].name for row in rows]
    z = [[cell if cell is not None else None for cell in row["cells"]] for row in rows]
    text = [[Level(cell).label if cell is not None else "—" for cell in row["cells"]] for row in rows]
    fig = go.Figure(
        go.Heatmap(
            z=z,
            x=[name for _, name in CATEGORIES],
            y=teams,
            text=text,
            texttemplate="%{text}",
            colorscale=LEVEL_COLOURS,
            zmin=-0.5,
            zmax=3.5,
            colorbar={"title": "Level", **LEVEL_TICKS},
            customdata=[[row["url"]] * len(CATEGORIES) for row in rows],
            hovertemplate="%{y} · %{x}: %{text}<extra>click for the scorecard</extra>",
            xgap=2,
            ygap=2,
        )
    )
    return layout(
        fig,
        height=max(320, 34 * len(teams) + 90),
        yaxis={"autorange": "reversed"},
        margin={"l": 170, "r": 20, "t": 20, "b": 60},
    )


def survey_trend(results: list) -> go.Figure:
    by_team = {}
    for row in results:
        by_team.setdefault(row["team"].name, []).append(row)
    fig = go.Figure()
    for team, rows in by_team.items():
        fig.add_trace(
            go.Scatter(
                x=[r["round"].closes_on for r in rows],
                y=[r["load"] for r in rows],
                text=[f"{r['round'].name}: {r['respondents']} answer(s)" for r in rows],
                mode="lines+markers",
                name=team,
            )
        )
    return layout(fig, yaxis={"range": [1, 5], "title": "Cognitive load (1-5)"})


def delivery_share(streams: list) -> go.Figure:
    names = [row["stream"].name for row in streams]
    fig = go.Figure(
        [
            go.Bar(name=label, x=names, y=[row["by_kind"][kind] for row in streams])
            for kind, label in DELIVERY_KINDS
        ]
    )
    return layout(
        fig, barmode="stack", yaxis={"title": "Production models"}, legend={"orientation": "h", "y": -0.2}
    )


def promotions(streams: list) -> go.Figure:
    fig = go.Figure()
    for row in streams:
        months = sorted(row["promotions_by_month"])
        fig.add_trace(
            go.Bar(name=row["stream"].name, x=months, y=[row["promotions_by_month"][m] for m in months])
        )
    return layout(
        fig, barmode="group", yaxis={"title": "Production promotions"}, legend={"orientation": "h", "y": -0.2}
    )
