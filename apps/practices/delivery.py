"""Per value stream: who delivers production models (stream-aligned teams through the platform vs
complicated-subsystem teams) and the model delivery keys (DORA for models):

- production promotions per month: stage changes to production that are not rollbacks;
- request lead time: median days from a model request's submission to its delivery (apps.modelrequests);
- rollback rate: rollbacks (the move back to production) / production promotions over the window;
- time to restore: median hours from a high or critical feedback item being filed to its resolution.
"""

import datetime
import statistics
from collections import Counter, defaultdict

from django.db.models import Count, Exists, OuterRef
from django.db.models.functions import TruncMonth
from django.utils import timezone

from apps.modelrequests import selectors as requests_selectors
from apps.practices.sources import PLATFORM_SOURCE_PREFIX
from apps.registry.models import Feedback, ModelVersion, RegisteredModel, Severity, Stage, StageChange
from apps.teams.models import TeamType, ValueStream

WINDOW_DAYS = 180
DELIVERY_KINDS = [
    ("stream_platform", "Stream-aligned, through the platform"),
    ("stream_other", "Stream-aligned, outside the platform"),
    ("complicated_subsystem", "Complicated-subsystem"),
    ("other", "Other teams"),
]


def delivery_kind(team_type: str, on_platform: bool) -> str:
    if team_type == TeamType.STREAM_ALIGNED:
        return "stream_platform" if on_platform else "stream_other"
    if team_type == TeamType.COMPLICATED_SUBSYSTEM:
        return "complicated_subsystem"
    return "other"


def production_models_by_kind() -> dict:
    """stream id -> Counter of delivery kinds over models with a production version."""
    versions = ModelVersion.objects.filter(model=OuterRef("pk"))
    rows = (
        RegisteredModel.objects.annotate(
            in_production=Exists(versions.filter(stage=Stage.PRODUCTION)),
            on_platform=Exists(versions.filter(source_key__startswith=PLATFORM_SOURCE_PREFIX)),
        )
        .filter(in_production=True)
        .values("value_stream_id", "owning_team__team_type", "on_platform")
    )
    counts = defaultdict(Counter)
    for row in rows:
        counts[row["value_stream_id"]][delivery_kind(row["owning_team__team_type"], row["on_platform"])] += 1
    return counts


def promotions_by_month(since: datetime.datetime) -> dict:
    rows = (
        StageChange.objects.filter(to_stage=Stage.PRODUCTION, is_rollback=False, created_at__gte=since)
        .annotate(month=TruncMonth("created_at"))
        .values("version__model__value_stream_id", "month")
        .annotate(n=Count("id"))
        .order_by("month")
    )
    result = defaultdict(dict)
    for row in rows:
        result[row["version__model__value_stream_id"]][row["month"].date().isoformat()[:7]] = row["n"]
    return result


def rollbacks(since: datetime.datetime) -> dict:
    rows = (
        StageChange.objects.filter(is_rollback=True, to_stage=Stage.PRODUCTION, created_at__gte=since)
        .values("version__model__value_stream_id")
        .annotate(n=Count("id"))
    )
    return {row["version__model__value_stream_id"]: row["n"] for row in rows}


def restore_hours(since: datetime.datetime) -> dict:
    rows = Feedback.objects.filter(
        severity__in=[Severity.HIGH, Severity.CRITICAL], resolved_at__isnull=False, filed_at__gte=since
    ).values_list("model__value_stream_id", "filed_at", "resolved_at")
    hours = defaultdict(list)
    for stream_id, filed, resolved in rows:
        hours[stream_id].append((resolved - filed).total_seconds() / 3600)
    return {stream_id: round(statistics.median(values), 1) for stream_id, values in hours.items()}


def request_lead_days(since: datetime.datetime) -> dict | None:
    """Median lead time per stream, or None while the requests area has no data."""
    if not requests_selectors.any_requests():
        return None
    rows = requests_selectors.delivered_since(since=since)
    days = defaultdict(list)
    for stream_id, submitted, delivered in rows:
        days[stream_id].append((delivered - submitted).total_seconds() / 86400)
    return {stream_id: round(statistics.median(values), 1) for stream_id, values in days.items()}


def stream_delivery(*, now: datetime.datetime | None = None) -> list[dict]:
    now = now or timezone.now()
    since = now - datetime.timedelta(days=WINDOW_DAYS)
    kinds = production_models_by_kind()
    promotions = promotions_by_month(since)
    rollback_counts = rollbacks(since)
    restore = restore_hours(since)
    lead = request_lead_days(since)
    months = max(1, WINDOW_DAYS // 30)
    streams = []
    for stream in ValueStream.objects.order_by("name"):
        counts = kinds.get(stream.pk, Counter())
        total = sum(counts.values())
        promoted = sum(promotions.get(stream.pk, {}).values())
        rolled_back = rollback_counts.get(stream.pk, 0)
        streams.append(
            {
                "stream": stream,
                "production_models": total,
                "by_kind": {kind: counts.get(kind, 0) for kind, _ in DELIVERY_KINDS},
                "self_service_share": round(counts.get("stream_platform", 0) / total, 3) if total else None,
                "promotions_by_month": promotions.get(stream.pk, {}),
                "promotions_per_month": round(promoted / months, 2),
                "rollbacks": rolled_back,
                "rollback_rate": round(rolled_back / promoted, 3) if promoted else None,
                "time_to_restore_hours": restore.get(stream.pk),
                "request_lead_time_days": None if lead is None else lead.get(stream.pk),
                "requests_available": lead is not None,
            }
        )
    return streams
