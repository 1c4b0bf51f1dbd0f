"""Registry demo: six owned models with real small fitted pipelines, cards, consumers, a stage history
with an override and a rollback, and feedback in every status (some overdue). Called by
`manage.py load_demo` after the teams catalogue; idempotent (models by slug, versions by source key)."""

import datetime
import hashlib
from dataclasses import dataclass, field

import numpy as np
from django.utils import timezone

from apps.core.display import label
from apps.registry import demo_data, services
from apps.registry.models import Feedback, ModelVersion, RegisteredModel, StageChange

DAY = datetime.timedelta(days=1)


@dataclass
class Spec:
    slug: str
    name: str
    owner: str
    stream: str
    task: str
    metric: str
    margin: float
    tier: str
    lifecycle: str
    consumers: list
    purpose: str
    data: str  # demo_data generator
    registrar: str  # team member whose training jobs registered the versions
    approver: str  # the owning team's lead or product manager
    factors: str
    ethics: str
    # (estimator level, days ago registered)
    versions: list = field(default_factory=list)
    # (version number, to stage, days ago, reason, override)
    moves: list = field(default_factory=list)
    rollback: tuple | None = None  # (days ago, reason)
    card_complete: bool = True


SPECS = [
    Spec(
        "fraud-scorer",
        "Fraud scorer",
        "fraud-signals",
        "fraud",
        "classification",
        "roc_auc",
        0.02,
        "tier_1",
        "production",
        ["payments", "risk-operations", "checkout-experience"],
        "Scores every card payment for fraud risk before authorisation.",
        "fraud",
        "aisha",
        "lead",
        "Performance is reported per channel (web, app, store) and for new accounts (< 30 days).",
        "False declines block good customers: thresholds are agreed with Risk Operations monthly.",
        versions=[(0, 120), (1, 60), (2, 12)],
        moves=[
            (1, "staging", 118, "Shadow scoring for a week.", False),
            (1, "production", 115, "Beats the rules engine in shadow mode.", False),
            (2, "production", 55, "Better recall on new accounts.", False),
            (3, "production", 10, "Gradient boosting, tested offline.", False),
        ],
        rollback=(8, "v3 declined too many good app payments; back to v2 while we investigate."),
    ),
    Spec(
        "upsell-recommender",
        "Upsell recommender",
        "checkout-experience",
        "checkout",
        "classification",
        "roc_auc",
        0.02,
        "tier_2",
        "production",
        ["personalisation"],
        "Predicts whether a shopper accepts an add-on offer at checkout.",
        "upsell",
        "omar",
        "pm",
        "Members and non-members, web and app shoppers are evaluated separately.",
        "Offers must not pressure vulnerable customers; no offer is shown on essentials-only baskets.",
        versions=[(0, 90), (1, 20), (2, 3)],
        moves=[
            (1, "production", 85, "First model; replaces the 'basket over 50' rule.", False),
            (2, "production", 18, "Adds time on site; better on app.", False),
        ],
    ),
    Spec(
        "demand-forecast",
        "Demand forecast",
        "forecasting-science",
        "supply",
        "regression",
        "mae",
        1.0,
        "tier_2",
        "production",
        ["demand-planning", "fulfilment"],
        "Forecasts daily units per store for replenishment.",
        "demand",
        "scientist",
        "noah",
        "Errors are reported per region and for promotion days.",
        "Under-forecasting empties shelves in small stores first; planners can override any forecast.",
        versions=[(0, 150), (1, 70), (2, 15)],
        moves=[
            (1, "production", 148, "Peak season needs a forecast now; the seasonal rule is retired.", True),
            (2, "production", 65, "Properly regularised; beats the baseline clearly.", False),
            (3, "staging", 14, "Backtest on the last quarter.", False),
            (3, "production", 12, "Backtest passed.", False),
        ],
    ),
    Spec(
        "delivery-eta",
        "Delivery ETA",
        "fulfilment",
        "supply",
        "regression",
        "mae",
        0.3,
        "tier_2",
        "production",
        ["checkout-experience"],
        "Predicts hours to delivery, shown to shoppers at checkout.",
        "delivery",
        "yara",
        "ben",
        "Errors are reported per carrier and for weekend orders.",
        "A missed promise costs trust: the displayed ETA adds the model's 80th percentile error.",
        versions=[(1, 100), (2, 40)],
        moves=[
            (1, "production", 98, "Replaces the fixed 48-hour promise.", False),
            (2, "production", 38, "Warehouse load as a feature.", False),
        ],
    ),
    Spec(
        "search-ranker",
        "Search ranker",
        "search-ranking",
        "growth",
        "classification",
        "roc_auc",
        0.01,
        "tier_1",
        "production",
        ["personalisation"],
        "Predicts the click probability of a product for a search query, to rank results.",
        "search",
        "mei",
        "omar",
        "Evaluated per category and for out-of-stock items.",
        "Ranking must not hide cheaper own-brand items; audited quarterly.",
        versions=[(0, 200), (1, 30)],
        moves=[
            (1, "production", 195, "First learned ranker.", False),
            (2, "production", 28, "Rating and stock as features.", False),
        ],
    ),
    Spec(
        "churn-predictor",
        "Churn predictor",
        "lifecycle-marketing",
        "growth",
        "classification",
        "roc_auc",
        0.02,
        "tier_3",
        "experimental",
        [],
        "Flags customers likely to stop ordering, for win-back campaigns.",
        "churn",
        "ali",
        "ali",
        "",
        "",
        versions=[(1, 5)],
        card_complete=False,
    ),
]

# model slug, from team (None = the platform), kind, severity, title, filed (days ago),
# acknowledged (days ago or None), resolved (days ago or None)
FEEDBACK = [
    (
        "fraud-scorer",
        "payments",
        "wrong_predictions",
        "high",
        "Good app payments declined since v3",
        14,
        13.9,
        8,
    ),
    (
        "fraud-scorer",
        "risk-operations",
        "feature_request",
        "low",
        "Expose the top reasons per score",
        30,
        29,
        None,
    ),
    (
        "fraud-scorer",
        "checkout-experience",
        "bug",
        "critical",
        "Timeouts at peak on predict endpoint",
        0.25,
        None,
        None,
    ),
    (
        "upsell-recommender",
        "personalisation",
        "wrong_predictions",
        "medium",
        "Offers shown on tiny baskets",
        70,
        69,
        17,
    ),
    (
        "upsell-recommender",
        "personalisation",
        "feature_request",
        "low",
        "Add category of basket",
        0.05,
        None,
        None,
    ),
    (
        "demand-forecast",
        "demand-planning",
        "drift",
        "high",
        "Forecast too low after store refits",
        80,
        79,
        64,
    ),
    (
        "demand-forecast",
        "fulfilment",
        "wrong_predictions",
        "medium",
        "Weekend peaks under-forecast south",
        20,
        19,
        None,
    ),
    ("delivery-eta", "checkout-experience", "bug", "medium", "ETA missing for parcelco orders", 50, 49, 41),
    ("delivery-eta", None, "drift", "high", "PSI 0.29 on warehouse_load (significant drift)", 3, None, None),
    (
        "search-ranker",
        "personalisation",
        "wrong_predictions",
        "medium",
        "Out-of-stock items ranked first",
        40,
        39.5,
        29,
    ),
]


def _card(spec: Spec, frame) -> dict:
    columns = ", ".join(f"`{c}`" for c in frame.columns)
    card = {
        "card_model_details": f"**{spec.name}**, owned by {spec.owner}. Scikit-learn pipeline (scaling, "
        f"one-hot encoding, estimator) stored as a skops artefact. Contact: the team's on-call.",
        "card_intended_use": f"{spec.purpose}\n\n- Primary users: {', '.join(spec.consumers) or 'the team'}\n"
        "- Out of scope: any decision without a human-reviewable fallback.",
        "card_factors": spec.factors,
        "card_metrics": f"Primary metric **{label(spec.metric)}**; a version must beat the best baseline "
        f"(dummy predictor or one-rule tree) by {spec.margin}.",
        "card_evaluation_data": "A 30% holdout of the training window, split with a fixed seed.",
        "card_training_data": f"{demo_data.ROWS} rows of order-level data with columns {columns}.",
        "card_ethical_considerations": spec.ethics,
        "card_caveats": "Retrain when drift feedback is opened; use only in the markets it was trained in.",
    }
    if not spec.card_complete:
        card = {
            "card_model_details": card["card_model_details"],
            "card_intended_use": card["card_intended_use"],
        }
    return card


def _since(days: float) -> datetime.datetime:
    return timezone.now() - datetime.timedelta(days=days)


def _backdate_changes(after_id: int, days: float) -> int:
    changes = StageChange.objects.filter(id__gt=after_id)
    changes.update(created_at=_since(days))
    return StageChange.objects.order_by("-id").values_list("id", flat=True).first() or 0


def _load_model(spec: Spec, org) -> RegisteredModel:
    owner = org.teams[spec.owner]
    frame, target = getattr(demo_data, spec.data)(np.random.default_rng(7))
    model = RegisteredModel.objects.filter(slug=spec.slug).first()
    if model is None:
        model = services.registered_model_create(
            actor=org.users["platform"],
            data={
                "name": spec.name,
                "slug": spec.slug,
                "owning_team": owner,
                "value_stream": org.streams[spec.stream],
                "purpose": spec.purpose,
                "consuming_teams": [org.teams[s] for s in spec.consumers],
                "support_tier": spec.tier,
                "oncall_contact": f"#{spec.owner}-oncall",
                "lifecycle": spec.lifecycle,
                "task": spec.task,
                "primary_metric": spec.metric,
                "baseline_margin": spec.margin,
                **_card(spec, frame),
            },
        )
    if model.versions.exists():
        return model
    last_change = StageChange.objects.order_by("-id").values_list("id", flat=True).first() or 0
    events = [(days, "register", level) for level, days in spec.versions]
    events += [(move[2], "move", move) for move in spec.moves]
    events = sorted(events, key=lambda e: -e[0])
    numbers = {}
    baseline = demo_data.baseline_metrics(frame, target, task=spec.task, primary=spec.metric)
    for days, kind, detail in events:
        if kind == "register":
            fitted = demo_data.fit_version(frame, target, task=spec.task, level=detail, baseline=baseline)
            version = services.version_register(
                registered_model=model,
                actor=org.users[spec.registrar],
                pipeline=fitted.pipeline,
                task=spec.task,
                lineage={
                    "dataset_name": f"{spec.data}-orders",
                    "dataset_version": len(numbers) + 1,
                    "dataset_sha256": hashlib.sha256(f"{spec.data}:{days}".encode()).hexdigest(),
                    "features": list(frame.columns),
                    "input_schema": demo_data.input_schema(frame),
                    "estimator": fitted.estimator,
                    "parameters": fitted.parameters,
                    "code_version": f"git:{spec.slug[:4]}{len(numbers) + 1:03d}",
                },
                metrics=fitted.metrics,
                baseline_metrics=fitted.baseline_metrics,
                source_key=f"demo:{spec.slug}:v{len(numbers) + 1}",
            )
            numbers[version.number] = version
            ModelVersion.objects.filter(pk=version.pk).update(created_at=_since(days))
        else:
            number, stage, _, reason, override = detail
            actor = org.users["platform"] if override else org.users[spec.approver]
            services.version_promote(
                version=numbers[number], actor=actor, to_stage=stage, reason=reason, override=override
            )
        last_change = _backdate_changes(last_change, days)
    if spec.rollback:
        days, reason = spec.rollback
        services.version_rollback(registered_model=model, actor=org.users[spec.approver], reason=reason)
        _backdate_changes(last_change, days)
    return model


def _load_feedback(models: dict, org) -> None:
    for slug, team, kind, severity, title, filed, acknowledged, resolved in FEEDBACK:
        model = models[slug]
        if Feedback.objects.filter(model=model, title=title).exists():
            continue
        production = model.versions.filter(stage="production").first()
        if team is None:
            feedback, _ = services.feedback_open_for_platform(
                registered_model=model,
                version=production,
                kind=kind,
                severity=severity,
                title=title,
                description="Opened by the platform's drift monitor.",
                dedupe_key=f"demo:{slug}:{kind}",
            )
        else:
            filer = org.teams[team].memberships.order_by("role").first().user
            feedback = services.feedback_create(
                actor=filer,
                data={
                    "model": model,
                    "from_team": org.teams[team],
                    "kind": kind,
                    "severity": severity,
                    "title": title,
                    "description": f"{title}. Seen in our dashboards; examples attached.",
                    "example_inputs": [],
                },
            )
        Feedback.objects.filter(pk=feedback.pk).update(
            filed_at=_since(filed),
            status="resolved"
            if resolved is not None
            else "acknowledged"
            if acknowledged is not None
            else "open",
            acknowledged_at=_since(acknowledged) if acknowledged is not None else None,
            resolved_at=_since(resolved) if resolved is not None else None,
            response="Fixed in a new version."
            if resolved is not None
            else "Investigating."
            if acknowledged
            else "",
        )


def load(org) -> None:
    """Add the registry's demo models, versions, history and feedback (idempotent)."""
    models = {spec.slug: _load_model(spec, org) for spec in SPECS}
    _load_feedback(models, org)
