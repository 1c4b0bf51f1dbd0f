"""Server-side plotly figures for the training pages (rendered by plotly.js from a json_script)."""

import plotly.graph_objects as go
from plotly.subplots import make_subplots

from apps.training.engine import CLASSIFICATION, CLASSIFICATION_METRICS, REGRESSION_METRICS

SERIES = (
    ("model", "Model", "#2f5bd3"),
    ("dummy", "Dummy baseline", "#98a2b3"),
    ("one_rule", "One-rule baseline", "#d9733b"),
)
METRIC_NAMES = {
    "accuracy": "Accuracy",
    "balanced_accuracy": "Balanced accuracy",
    "f1": "F1",
    "roc_auc": "ROC AUC",
    "log_loss": "Log loss",
    "mae": "MAE",
    "rmse": "RMSE",
    "r2": "R²",
}
LOWER_IS_BETTER = ("log_loss", "mae", "rmse")
LABELS = {
    key: f"{name} (lower is better)" if key in LOWER_IS_BETTER else name for key, name in METRIC_NAMES.items()
}


def metric_rows(job) -> list[dict]:
    """One row per holdout metric: the model, each baseline, and the lift over the best baseline."""
    names = CLASSIFICATION_METRICS if job.task == CLASSIFICATION else REGRESSION_METRICS
    per_metric = (job.lift or {}).get("per_metric", {})
    return [
        {
            "metric": name,
            "label": LABELS[name],
            "model": job.metrics.get(name),
            "dummy": job.baseline_metrics.get("dummy", {}).get(name),
            "one_rule": job.baseline_metrics.get("one_rule", {}).get(name),
            "cv_model": job.metrics.get(f"cv_{name}"),
            "lift": per_metric.get(name),
        }
        for name in names
    ]


def metrics_figure(job) -> go.Figure:
    """Small multiples, one bar group per metric (scales differ): model beside both baselines."""
    rows = metric_rows(job)
    figure = make_subplots(rows=1, cols=len(rows), subplot_titles=[row["label"] for row in rows])
    for column, row in enumerate(rows, start=1):
        for key, label, colour in SERIES:
            figure.add_trace(
                go.Bar(
                    x=[label],
                    y=[row[key]],
                    name=label,
                    marker_color=colour,
                    showlegend=column == 1,
                    legendgroup=key,
                    text=[f"{row[key]:.3f}" if row[key] is not None else "n/a"],
                    textposition="outside",
                    cliponaxis=False,
                ),
                row=1,
                col=column,
            )
        figure.update_xaxes(showticklabels=False, row=1, col=column)
    figure.update_layout(
        height=340,
        margin={"l": 40, "r": 20, "t": 50, "b": 20},
        legend={"orientation": "h", "y": -0.05},
        bargap=0.25,
        font={"size": 12},
    )
    return figure.update_annotations(font_size=12)
