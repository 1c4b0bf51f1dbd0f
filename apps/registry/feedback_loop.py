"""Response targets per support tier, overdue feedback, and feedback-loop timings."""

import datetime
import statistics
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Q
from django.utils import timezone

from apps.registry.models import FeedbackStatus, SupportTier

HOUR = datetime.timedelta(hours=1)
# tier -> (acknowledge within, resolve within). Override with settings.REGISTRY_FEEDBACK_TARGETS.
DEFAULT_TARGETS = {
    SupportTier.TIER_1: (4 * HOUR, 72 * HOUR),
    SupportTier.TIER_2: (24 * HOUR, 7 * 24 * HOUR),
    SupportTier.TIER_3: (72 * HOUR, 30 * 24 * HOUR),
}


def response_targets() -> dict:
    return getattr(settings, "REGISTRY_FEEDBACK_TARGETS", DEFAULT_TARGETS)


def targets_in_hours(tier: str) -> dict:
    acknowledge, resolve = response_targets()[tier]
    return {"acknowledge_within_hours": hours(acknowledge), "resolve_within_hours": hours(resolve)}


def overdue_q(
    now: datetime.datetime | None = None, prefix: str = "", tier_field: str = "model__support_tier"
) -> Q:
    """Feedback not acknowledged / not resolved within its model's support-tier targets.

    ``prefix`` reaches feedback from another model (e.g. ``feedback__`` from RegisteredModel) and
    ``tier_field`` is the path to the support tier from there."""
    now = now or timezone.now()
    condition = Q()
    for tier, (acknowledge, resolve) in response_targets().items():
        condition |= Q(**{tier_field: tier}) & (
            Q(**{f"{prefix}status": FeedbackStatus.OPEN, f"{prefix}filed_at__lt": now - acknowledge})
            | Q(
                **{f"{prefix}filed_at__lt": now - resolve},
                **{f"{prefix}status__in": [FeedbackStatus.OPEN, FeedbackStatus.ACKNOWLEDGED]},
            )
        )
    return condition


def is_overdue(feedback, now: datetime.datetime | None = None) -> bool:
    if feedback.status == FeedbackStatus.RESOLVED:
        return False
    now = now or timezone.now()
    acknowledge, resolve = response_targets()[feedback.model.support_tier]
    age = now - feedback.filed_at
    return age > resolve or (feedback.status == FeedbackStatus.OPEN and age > acknowledge)


def hours(delta: datetime.timedelta | None) -> float | None:
    return None if delta is None else round(delta.total_seconds() / 3600, 2)


@dataclass(frozen=True)
class LoopTimes:
    """Filed -> acknowledged, filed -> resolved, filed -> a newer version in production (hours)."""

    to_acknowledge: float | None
    to_resolve: float | None
    to_next_production: float | None


def loop_times(feedback) -> LoopTimes:
    """Needs ``next_production_at`` annotated by the selector."""
    filed = feedback.filed_at
    return LoopTimes(
        to_acknowledge=hours(feedback.acknowledged_at - filed) if feedback.acknowledged_at else None,
        to_resolve=hours(feedback.resolved_at - filed) if feedback.resolved_at else None,
        to_next_production=hours(feedback.next_production_at - filed)
        if getattr(feedback, "next_production_at", None)
        else None,
    )


def median_or_none(values) -> float | None:
    present = [v for v in values if v is not None]
    return round(statistics.median(present), 2) if present else None


def loop_summary(feedback_items, *, tier: str | None = None) -> dict:
    """Median loop times in hours over some feedback (as the model page and API show them), with the
    support tier's response targets when ``tier`` is given."""
    times = [loop_times(item) for item in feedback_items]
    return {
        **(targets_in_hours(tier) if tier else {}),
        "count": len(times),
        "median_hours_to_acknowledge": median_or_none(t.to_acknowledge for t in times),
        "median_hours_to_resolve": median_or_none(t.to_resolve for t in times),
        "median_hours_to_next_production": median_or_none(t.to_next_production for t in times),
    }
