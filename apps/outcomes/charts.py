"""Plotly figures built on the server (rendered by plotly.js served locally) together with the rows
behind each one, so every chart has a CSV of exactly the numbers it draws."""

import copy
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field

import numpy as np
import plotly.graph_objects as go
from _plotly_utils.utils import to_typed_array_spec
from django.utils.html import json_script
from plotly.utils import PlotlyJSONEncoder

from apps.outcomes.impact import Evidence, ModelImpact, Verdict
from apps.outcomes.models import Segment

VERDICT_COLOURS = {
    Verdict.PAYS_OFF: "#12b76a",
    Verdict.LIFT_UNCOSTED: "#7cd4fd",
    Verdict.NOT_PROVEN: "#98a2b3",
    Verdict.SIMPLER: "#f04438",
}
# Mid tones that read on the light and the dark theme alike.
SEGMENT_COLOURS = {"treatment": "#2e90fa", "control": "#f79009", "all": "#8a94a6"}
EVENT_COLOURS = {"promotion": "#7a5af8", "rollback": "#f04438"}
# A small template instead of plotly's default one: validating that one costs ~20 ms per figure.
GRID = {"gridcolor": "#eaecf0", "zerolinecolor": "#d0d5dd", "automargin": True}
TEMPLATE = go.layout.Template(
    layout={
        "paper_bgcolor": "#fff",
        "plot_bgcolor": "#fff",
        "xaxis": GRID,
        "yaxis": GRID,
        "colorway": ["#2e90fa", "#f79009", "#12b76a", "#7a5af8", "#f04438", "#8a94a6", "#0e9384"],
    }
)


@dataclass
class Chart:
    name: str
    title: str
    figure: go.Figure | dict  # a dict is already plotly JSON
    columns: list[str]
    rows: list[list] | Callable[[], list[list]] = field(default_factory=list)  # callable: built for CSV only
    note: str = ""

    def csv_rows(self) -> list[list]:
        return self.rows() if callable(self.rows) else self.rows

    def script(self) -> str:
        """The figure as a JSON script tag (escaped like Django's json_script)."""
        figure = self.figure if isinstance(self.figure, dict) else self.figure.to_plotly_json()
        return json_script(figure, f"figure-{self.name}", encoder=PlotlyJSONEncoder)


# The hidden axis the promotion/rollback markers sit on (top of the plot, whatever the KPI's scale).
EVENT_AXIS = {"overlaying": "y", "range": [0, 1.05], "visible": False}
TEMPLATE_JSON = TEMPLATE.to_plotly_json()


AXES = ("xaxis", "yaxis")


def _deep_update(target: dict, changes: dict) -> dict:
    """Merge ``changes`` into ``target`` as plotly's ``update_layout`` does (nested dicts merge)."""
    for key, value in changes.items():
        if isinstance(value, dict) and isinstance(target.get(key), dict):
            _deep_update(target[key], value)
        else:
            target[key] = value
    return target


def _layout_props(props: dict) -> dict:
    """``update_layout`` keywords as plotly JSON: ``xaxis_title="t"`` is ``{"xaxis": {"title":
    {"text": "t"}}}`` and an axis title given as a string is ``{"text": ...}``, as plotly.py writes them."""
    result: dict = {}
    for key, value in props.items():
        axis, _, rest = key.partition("_")
        if rest and axis.startswith(AXES):
            value, key = {rest: value}, axis
        if key.startswith(AXES) and isinstance(value, dict) and isinstance(value.get("title"), str):
            value = {**value, "title": {"text": value["title"]}}
        _deep_update(result, {key: value})
    return result


def _layout(figure: go.Figure, *, height: int = 320, right: int = 20, **extra) -> dict:
    """The figure as plotly JSON with the portal's layout. The layout is written as JSON instead of
    through ``update_layout``, whose validation of every property cost ~4 ms of CPU per figure
    (tests/outcomes/test_charts.py pins that the result is the figure ``update_layout`` made)."""
    result = figure.to_plotly_json()
    layout = _deep_update(
        result["layout"],
        _layout_props(
            {
                "yaxis2": copy.deepcopy(EVENT_AXIS),
                "height": height,
                "margin": {"l": 60, "r": right, "t": extra.pop("top", 30), "b": 40},
                "legend": extra.pop("legend", {"orientation": "h", "y": -0.18}),
                "font": {"family": "system-ui, sans-serif", "size": 12},
                **copy.deepcopy(extra),
            }
        ),
    )
    layout["template"] = copy.deepcopy(TEMPLATE_JSON)  # replaces plotly's default, as update_layout does
    return result


def _days(rows: list[dict], key: str = "day") -> np.ndarray:
    """Dates as a numpy array: plotly validates arrays in one step instead of element by element."""
    return np.array([row[key] for row in rows], dtype="datetime64[D]")


def _values(values) -> np.ndarray:
    return np.array([np.nan if v is None else v for v in values], dtype=float)


def _round(number, significant: int = 8):
    """Numbers for the CSVs: enough significant digits to match the API, without float noise."""
    return None if number is None else float(f"{float(number):.{significant}g}")


def _event_kind(change) -> str:
    return "rollback" if change.is_rollback else "promotion"


def add_event_markers(figure: go.Figure, events, *, csv_rows: list | None = None) -> None:
    """Vertical dashed lines at promotions and rollbacks, with a hoverable marker trace per kind."""
    by_kind = defaultdict(list)
    for change in events:
        kind = _event_kind(change)
        by_kind[kind].append(change)
        figure.add_shape(
            type="line",
            x0=change.created_at,
            x1=change.created_at,
            yref="paper",
            y0=0,
            y1=1,
            line={"color": EVENT_COLOURS[kind], "width": 1, "dash": "dash"},
        )
    for kind, changes in by_kind.items():
        figure.add_trace(
            go.Scatter(
                x=[c.created_at for c in changes],
                y=[1.0] * len(changes),
                yaxis="y2",
                mode="markers",
                marker={"symbol": "triangle-down", "size": 11, "color": EVENT_COLOURS[kind]},
                name=f"{kind}s",
                text=[f"{kind}: {c.version.model.name} v{c.version.number}" for c in changes],
                hoverinfo="text+x",
            )
        )
        if csv_rows is not None:
            csv_rows += [
                [kind, c.created_at.isoformat(), c.version.model.slug, c.version.number] for c in changes
            ]


def _typed(values: np.ndarray) -> dict:
    """A numeric array as plotly.js reads it compactly (base64 of the bytes, as plotly.py writes it)."""
    return to_typed_array_spec(values)


def _event_shapes_and_traces(events, csv_rows: list) -> tuple[list[dict], list[dict]]:
    """``add_event_markers`` as plotly JSON: the same dashed lines and hoverable markers."""
    by_kind = defaultdict(list)
    shapes = []
    for change in events:
        kind = _event_kind(change)
        by_kind[kind].append(change)
        when = change.created_at.isoformat()
        shapes.append(
            {
                "line": {"color": EVENT_COLOURS[kind], "dash": "dash", "width": 1},
                "type": "line",
                "x0": when,
                "x1": when,
                "y0": 0,
                "y1": 1,
                "yref": "paper",
            }
        )
    traces = []
    for kind, changes in by_kind.items():
        traces.append(
            {
                "hoverinfo": "text+x",
                "marker": {"color": EVENT_COLOURS[kind], "size": 11, "symbol": "triangle-down"},
                "mode": "markers",
                "name": f"{kind}s",
                "text": [f"{kind}: {c.version.model.name} v{c.version.number}" for c in changes],
                "x": [c.created_at.isoformat() for c in changes],
                "y": [1.0] * len(changes),
                "yaxis": "y2",
                "type": "scatter",
            }
        )
        csv_rows += [
            [kind, c.created_at.isoformat(), c.version.model.slug, c.version.number] for c in changes
        ]
    return shapes, traces


def _layout_json(*, height: int = 320, right: int = 20, top: int = 30, **extra) -> dict:
    """``_layout`` as plotly JSON, for figures built without plotly's per-property validation."""
    return {
        "font": {"family": "system-ui, sans-serif", "size": 12},
        "height": height,
        "legend": {"orientation": "h", "y": -0.18},
        "margin": {"b": 40, "l": 60, "r": right, "t": top},
        "template": TEMPLATE_JSON,
        "yaxis2": EVENT_AXIS,
        **extra,
    }


def kpi_trend_chart(kpi, series: list[dict], events, model_slugs: dict[int, str]) -> Chart:
    """Daily KPI values per segment (and model), the target line and the model promotions.

    The one chart per KPI holds a point per day and series (10,000 for three years of a stream):
    it is written as plotly JSON directly, the same figure plotly.py builds (pinned by
    tests/outcomes/test_charts.py) without validating each property (the dashboard's largest cost)."""
    grouped = defaultdict(list)
    for row in series:
        grouped[(row["segment"], row["model_key"])].append(row)
    traces = []
    for (segment, model_key), points in grouped.items():
        label = segment if not model_key else f"{segment} · {model_slugs.get(model_key, model_key)}"
        line = {"dash": "solid" if segment != Segment.CONTROL else "dot", "width": 1.6}
        if SEGMENT_COLOURS.get(segment) is not None:
            line["color"] = SEGMENT_COLOURS[segment]
        traces.append(
            {
                "line": line,
                "mode": "lines",
                "name": label,
                "x": [p["day"].isoformat() for p in points],  # as plotly.py writes a date array
                "y": _typed(_values(p["value"] for p in points)),
                "type": "scatter",
            }
        )
    layout = _layout_json(yaxis={"title": {"text": f"{kpi.name} ({kpi.unit})"}})
    shapes, annotations = [], []
    if kpi.target is not None:
        target = kpi.target
        shapes.append(
            {
                "line": {"color": "#067647", "dash": "dot"},
                "type": "line",
                "x0": 0,
                "x1": 1,
                "xref": "x domain",
                "y0": target,
                "y1": target,
                "yref": "y",
            }
        )
        annotations.append(
            {
                "showarrow": False,
                "text": f"target {kpi.target:g}",
                "x": 0,
                "xanchor": "left",
                "xref": "x domain",
                "y": target,
                "yanchor": "bottom",
                "yref": "y",
            }
        )
    event_rows: list = []
    event_shapes, event_traces = _event_shapes_and_traces(events, event_rows)
    shapes += event_shapes
    traces += event_traces
    if annotations:
        layout["annotations"] = annotations
    if shapes:
        layout["shapes"] = shapes
    figure = {"data": traces, "layout": layout}

    def rows():
        points = [
            [p["day"].isoformat(), p["segment"], model_slugs.get(p["model_key"], ""), p["value"], p["volume"]]
            for p in series
        ]
        return points + [[when, f"event: {kind}", slug, None, None] for kind, when, slug, _ in event_rows]

    better = "higher" if kpi.sign > 0 else "lower"
    return Chart(
        name=f"kpi-{kpi.pk}",
        title=f"{kpi.name} ({kpi.unit}, {better} is better)",
        figure=figure,
        columns=["day", "segment", "model", "value", "volume"],
        rows=rows,
    )


def _percent(number):
    return None if number is None else number * 100


def impact_chart(impacts: list[ModelImpact], *, name: str = "impact") -> Chart:
    """Relative improvement per model and KPI with its 95% confidence interval, coloured by verdict.
    Improvement is the lift in the KPI's good direction, so a lower-is-better KPI that fell is positive."""
    bars = [(impact, k) for impact in impacts for k in impact.measured]
    labels = [
        f"{impact.model.name}<br>{k.kpi.name}" + (" *" if k.evidence == Evidence.BEFORE_AFTER else "")
        for impact, k in bars
    ]
    values, plus, minus, rows = [], [], [], []
    for impact, k in bars:
        relative = _percent(k.relative_lift) or 0.0
        low, high = (_percent(x) for x in (k.relative_ci or (relative / 100, relative / 100)))
        better = sorted((k.kpi.sign * low, k.kpi.sign * high))
        improvement = k.kpi.sign * relative
        values.append(improvement)
        plus.append(max(better[1] - improvement, 0))
        minus.append(max(improvement - better[0], 0))
        rows.append(
            [
                impact.model.slug,
                k.kpi.name,
                k.kpi.direction,
                k.evidence,
                _round(k.lift),
                _round(k.ci[0]),
                _round(k.ci[1]),
                _round(relative),
                _round(low),
                _round(high),
                _round(improvement),
                _round(k.p_value),
                _round(k.incremental_value),
                impact.verdict,
            ]
        )
    figure = go.Figure(
        go.Bar(
            x=values,
            y=labels,
            orientation="h",
            marker={
                "color": [VERDICT_COLOURS[impact.verdict] for impact, _ in bars],
                "pattern": {"shape": ["/" if k.evidence == Evidence.BEFORE_AFTER else "" for _, k in bars]},
            },
            error_x={
                "type": "data",
                "array": plus,
                "arrayminus": minus,
                "color": "#7b8597",  # reads on both themes
                "thickness": 1.4,
            },
            hovertemplate="%{y}: %{x:+.2f}%<extra></extra>",
        )
    )
    figure.add_vline(x=0, line={"color": "#101828", "width": 1})
    figure = _layout(
        figure,
        height=max(220, 60 + 42 * len(bars)),
        showlegend=False,
        yaxis={"autorange": "reversed"},
        xaxis_title="relative improvement (%), 95% CI",
    )
    return Chart(
        name=name,
        title="Impact per model (relative improvement, 95% CI)",
        figure=figure,
        columns=[
            "model",
            "kpi",
            "direction",
            "evidence",
            "lift",
            "lift_ci_low",
            "lift_ci_high",
            "relative_lift_pct",
            "relative_ci_low_pct",
            "relative_ci_high_pct",
            "improvement_pct",
            "p_value",
            "incremental_value",
            "verdict",
        ],
        rows=rows,
        note="Lift = treatment minus control in KPI units; improvement flips the sign for lower-is-better "
        "KPIs. * before/after the promotion: weaker evidence, no control group. Colour: green pays off, "
        "light blue significant lift with no recorded cost, grey not proven yet, red consider the simpler "
        "alternative.",
    )


def alternative_chart(impacts: list[ModelImpact]) -> Chart:
    """The KPI with the model next to its simplest alternative (control group, or before promotion),
    as a performance index: alternative = 100, higher = better whatever the KPI's direction."""
    bars = [(impact, k) for impact in impacts for k in impact.measured]
    # Two short lines per bar group: horizontal labels, never rotated under the legend.
    labels = [f"{impact.model.name}<br>{k.kpi.name}" for impact, k in bars]
    alternative, model_values, rows = [], [], []
    for impact, k in bars:
        relative = k.relative_lift
        index = None if relative is None else 100 * (1 + k.kpi.sign * relative)
        alternative.append(100.0 if index is not None else None)
        model_values.append(index)
        name = "control (simplest alternative)" if k.evidence == Evidence.CONTROLLED else "before promotion"
        rows.append(
            [
                impact.model.slug,
                k.kpi.name,
                k.kpi.direction,
                name,
                _round(k.control.mean),
                k.control.n,
                _round(k.treatment.mean),
                k.treatment.n,
                _round(index),
            ]
        )
    figure = go.Figure(
        [
            go.Bar(
                name="simplest alternative (control / before)",
                x=labels,
                y=alternative,
                marker_color="#f79009",
            ),
            go.Bar(
                name="with the model (treatment / after)", x=labels, y=model_values, marker_color="#2e90fa"
            ),
        ]
    )
    # Bars compare magnitudes: the axis starts at zero. The legend sits above the plot, clear of the labels.
    figure = _layout(
        figure,
        barmode="group",
        yaxis_title="index (alternative = 100)",
        yaxis_rangemode="tozero",
        xaxis_tickangle=0,
        top=60,
        legend={"orientation": "h", "x": 0, "y": 1.02, "yanchor": "bottom"},
    )
    return Chart(
        name="ml-vs-alternative",
        title="ML vs the simplest alternative",
        figure=figure,
        columns=[
            "model",
            "kpi",
            "direction",
            "alternative",
            "alternative_mean",
            "alternative_n",
            "model_mean",
            "model_n",
            "model_index",
        ],
        rows=rows,
        note="Index: alternative = 100, above 100 the model does better (direction of each KPI applied).",
    )


def portfolio_chart(impacts: list[ModelImpact]) -> Chart:
    """Models across streams ranked by realised value; the ones to reconsider in red."""
    ranked = [i for i in impacts if i.incremental_value is not None]
    ranked.sort(key=lambda i: i.incremental_value, reverse=True)
    labels = [
        f"{i.model.name} ({i.model.value_stream.name})"
        + (" ⚠ reconsider" if i.verdict == Verdict.SIMPLER else "")
        for i in ranked
    ]
    figure = go.Figure(
        [
            go.Bar(
                name="incremental value",
                x=[i.incremental_value for i in ranked],
                y=labels,
                orientation="h",
                marker={
                    "color": [VERDICT_COLOURS[i.verdict] for i in ranked],
                    "line": {
                        "color": [
                            "#7a271a" if i.verdict == Verdict.SIMPLER else "rgba(0,0,0,0)" for i in ranked
                        ],
                        "width": 2,
                    },
                },
                customdata=[i.verdict for i in ranked],
                hovertemplate="%{y}: %{x:,.0f} (%{customdata})<extra></extra>",
            ),
            go.Scatter(
                name="cost over the period",
                x=[i.cost for i in ranked],
                y=labels,
                mode="markers",
                marker={"symbol": "line-ns-open", "size": 18, "color": "#101828", "line": {"width": 3}},
            ),
        ]
    )
    figure = _layout(
        figure,
        height=max(260, 80 + 44 * len(ranked)),
        xaxis_title="incremental value (money)",
        yaxis={"autorange": "reversed"},
    )
    rows = [
        [
            i.model.slug,
            i.model.value_stream.slug,
            i.evidence,
            _round(i.incremental_value),
            _round(i.cost),
            _round(i.roi),
            i.verdict,
        ]
        for i in ranked
    ]
    return Chart(
        name="portfolio",
        title="Models ranked by realised value",
        figure=figure,
        columns=["model", "stream", "evidence", "incremental_value", "cost", "roi", "verdict"],
        rows=rows,
        note="Red: consider the simpler alternative. Tick: cost over the same period.",
    )


def _daily_by_version(daily: list[dict]):
    grouped = defaultdict(list)
    for row in daily:
        grouped[row["version__number"]].append(row)
    return grouped


def traffic_chart(daily: list[dict], events) -> Chart:
    figure = go.Figure()
    for number, rows in _daily_by_version(daily).items():
        figure.add_trace(
            go.Bar(name=f"v{number} requests", x=_days(rows), y=_values(r["requests"] for r in rows))
        )
        figure.add_trace(
            go.Scatter(
                name=f"v{number} rows predicted",
                x=_days(rows),
                y=[r["rows"] for r in rows],
                mode="lines",
                yaxis="y3",
            )
        )
    add_event_markers(figure, events)
    figure = _layout(
        figure,
        barmode="stack",
        right=60,
        yaxis_title="requests per day",
        yaxis3={"title": "rows", "overlaying": "y", "side": "right", "showgrid": False},
    )
    return Chart(
        name="traffic",
        title="Prediction volume",
        figure=figure,
        columns=["day", "version", "requests", "rows"],
        rows=[[r["day"].isoformat(), r["version__number"], r["requests"], r["rows"]] for r in daily],
    )


def latency_chart(daily: list[dict], percentile) -> Chart:
    from apps.outcomes.models import LATENCY_FIELDS

    figure = go.Figure()
    rows = []
    for number, version_rows in _daily_by_version(daily).items():
        days = [r["day"] for r in version_rows]
        for quantile, dash in ((0.5, "solid"), (0.95, "dash"), (0.99, "dot")):
            values = [percentile([r[name] or 0 for name in LATENCY_FIELDS], quantile) for r in version_rows]
            figure.add_trace(
                go.Scatter(
                    name=f"v{number} p{round(quantile * 100)}",
                    x=days,
                    y=values,
                    mode="lines",
                    line={"dash": dash},
                )
            )
            rows += [
                [d.isoformat(), number, f"p{round(quantile * 100)}", _round(v)]
                for d, v in zip(days, values, strict=True)
            ]
    figure = _layout(figure, yaxis_title="latency (ms)")
    return Chart(
        name="latency",
        title="Latency percentiles",
        figure=figure,
        columns=["day", "version", "percentile", "latency_ms"],
        rows=rows,
        note="From the latency histogram, interpolated within its buckets.",
    )


def errors_chart(daily: list[dict]) -> Chart:
    figure = go.Figure()
    for number, rows in _daily_by_version(daily).items():
        figure.add_trace(
            go.Scatter(
                name=f"v{number} error rate",
                x=_days(rows),
                y=[100 * r["errors"] / r["requests"] if r["requests"] else 0 for r in rows],
                mode="lines+markers",
            )
        )
    figure = _layout(figure, yaxis_title="errors (% of requests)")
    return Chart(
        name="errors",
        title="Errors",
        figure=figure,
        columns=["day", "version", "requests", "errors"],
        rows=[[r["day"].isoformat(), r["version__number"], r["requests"], r["errors"]] for r in daily],
    )


def drift_chart(results) -> Chart:
    from apps.outcomes.stats import PSI_MODERATE, PSI_SIGNIFICANT

    grouped = defaultdict(list)
    for result in results:
        grouped[(result.version.number, result.feature)].append(result)
    figure = go.Figure()
    for (number, feature), points in grouped.items():
        figure.add_trace(
            go.Scatter(
                name=f"v{number} {feature}",
                x=[p.window_end for p in points],
                y=[p.psi for p in points],
                mode="lines+markers",
            )
        )
    figure.add_hrect(y0=PSI_MODERATE, y1=PSI_SIGNIFICANT, fillcolor="#fedf89", opacity=0.3, line_width=0)
    figure.add_hline(
        y=PSI_SIGNIFICANT,
        line={"color": "#f04438", "dash": "dash"},
        annotation_text="significant (> 0.25)",
        annotation_position="top left",
    )
    figure = _layout(figure, yaxis_title="population stability index")
    return Chart(
        name="drift",
        title="Input drift per feature (PSI)",
        figure=figure,
        columns=["window_end", "version", "feature", "psi", "band", "sample_size"],
        rows=[
            [r.window_end.isoformat(), r.version.number, r.feature, _round(r.psi), r.band, r.sample_size]
            for r in results
        ],
        note="Bands: < 0.1 stable, 0.1-0.25 moderate (shaded), > 0.25 significant.",
    )
