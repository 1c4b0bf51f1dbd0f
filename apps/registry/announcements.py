"""The events the registry announces (apps.core.events): subscribers such as webhooks hear them."""

from apps.core import events
from apps.core.display import label
from apps.registry.gates import metric_gain
from apps.registry.models import Feedback, ModelVersion, Stage, StageChange


def _about(model) -> dict:
    return {"teams": [model.owning_team_id], "streams": [model.value_stream_id], "models": [model.pk]}


def _version(version: ModelVersion) -> dict:
    return {"model": version.model.slug, "version": version.number, "stage": version.stage}


def version_registered(version: ModelVersion) -> None:
    events.publish(
        "version.registered",
        data={
            "summary": f"{version.model.name} v{version.number} registered",
            **_version(version),
            "metrics": version.metrics,
        },
        **_about(version.model),
    )
    version_evaluated(version)


def version_evaluated(version: ModelVersion) -> None:
    """Every version is judged when it is registered: the portal's own on the holdout after training,
    one trained elsewhere by its evaluation job on the same split; both against the best baseline."""
    model = version.model
    metric = model.primary_metric
    value, baseline = version.metrics.get(metric), version.baseline_metrics.get(metric)
    improvement = metric_gain(metric, value, baseline)
    beats = improvement is not None and improvement >= model.baseline_margin
    events.publish(
        "version.evaluated",
        data={
            "summary": f"{model.name} v{version.number} "
            + ("beats" if beats else "does not beat")
            + f" its best baseline on {label(metric)}",
            **_version(version),
            "origin": version.origin,
            "metric": metric,
            "value": value,
            "baseline": baseline,
            "improvement": None if improvement is None else round(improvement, 6),
            "beats_baseline": beats,
            "metrics": version.metrics,
            "baseline_metrics": version.baseline_metrics,
        },
        **_about(model),
    )


def stage_changed(change: StageChange) -> None:
    version = change.version
    data = {
        **_version(version),
        "from_stage": change.from_stage,
        "to_stage": change.to_stage,
        "reason": change.reason,
        "actor": getattr(change.actor, "username", None),
    }
    if change.is_rollback and change.to_stage == Stage.PRODUCTION:
        kind, summary = "version.rolled_back", f"{version.model.name} rolled back to v{version.number}"
    else:
        kind = "version.promoted"
        summary = f"{version.model.name} v{version.number}: {change.from_stage} → {change.to_stage}"
    events.publish(kind, data={"summary": summary, **data}, **_about(version.model))
    if change.is_override:
        events.publish(
            "version.gate_override",
            data={
                "summary": f"{version.model.name} v{version.number} promoted past failing gates "
                f"by {data['actor']}",
                **data,
                "failed_gates": change.failed_gates,
            },
            **_about(version.model),
        )


def feedback_changed(feedback: Feedback, *, opened: bool) -> None:
    events.publish(
        "feedback.opened" if opened else "feedback.answered",
        data={
            "summary": f"{feedback.model.name}: {feedback.title} ({feedback.get_status_display()})",
            "feedback": feedback.pk,
            "model": feedback.model.slug,
            "title": feedback.title,
            "status": feedback.status,
            "response": feedback.response,
        },
        **_about(feedback.model),
    )
