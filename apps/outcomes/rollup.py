"""Keep the daily sufficient statistics (``DailyAggregate``) in step with the raw observations."""

import datetime
import math

from django.db import transaction
from django.db.models import Case, Count, F, FloatField, Max, Min, Q, Sum, Value, When
from django.db.models.functions import TruncDate

from apps.outcomes.models import DailyAggregate, Kpi, Observation


def _days_filter(days_by_kpi: dict[int, set[datetime.date]]) -> Q:
    query = Q()
    for kpi_id, days in days_by_kpi.items():
        start, end = min(days), max(days) + datetime.timedelta(days=1)
        query |= Q(kpi_id=kpi_id, time__gte=_midnight(start), time__lt=_midnight(end))
    return query


# Observations are summed (values and squares) in double precision: a value whose square overflows
# or underflows would make PostgreSQL refuse the whole roll-up, so the ingest refuses such values.
MAX_MAGNITUDE = 1e100
MIN_MAGNITUDE = 1e-100


def _midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime(day.year, day.month, day.day, tzinfo=datetime.UTC)


def rollup_refresh(*, days_by_kpi: dict[int, set[datetime.date]]) -> int:
    """Recompute the daily rows of these KPIs over the span of the given days (one aggregate query and
    one upsert); days left without observations are removed. Returns the number of daily rows."""
    if not days_by_kpi:
        return 0
    where = _days_filter(days_by_kpi)
    # Values the ingest refuses (written by other means) must not make PostgreSQL refuse the sums: tiny
    # ones count as 0, huge ones, infinities and NaN as NaN (the statistics then report no result).
    value = Case(
        When(Q(value__gt=-MIN_MAGNITUDE, value__lt=MIN_MAGNITUDE), then=Value(0.0)),
        When(Q(value__gt=MAX_MAGNITUDE) | Q(value__lt=-MAX_MAGNITUDE), then=Value(math.nan)),
        default=F("value"),
        output_field=FloatField(),
    )
    rows = (
        Observation.objects.filter(where)
        .annotate(day=TruncDate("time", tzinfo=datetime.UTC))
        .values("kpi_id", "day", "segment", "model_key")
        .annotate(n=Count("id"), total=Sum(value), total_sq=Sum(value * value), volume=Sum("volume"))
        .order_by()
    )
    with transaction.atomic():
        # One writer per KPI at a time (held to the end of the caller's transaction): two ingests of
        # the same KPI would each delete the rows the other has not committed yet and then insert the
        # same daily row (a unique violation); the second now sums after the first has committed.
        list(
            Kpi.objects.select_for_update()
            .filter(pk__in=sorted(days_by_kpi))
            .order_by("pk")
            .values_list("pk")
        )
        aggregates = [DailyAggregate(**row) for row in rows]
        day_where = Q()
        for kpi_id, days in days_by_kpi.items():
            day_where |= Q(kpi_id=kpi_id, day__gte=min(days), day__lte=max(days))
        DailyAggregate.objects.filter(day_where).delete()
        DailyAggregate.objects.bulk_create(aggregates, batch_size=2000)
    return len(aggregates)


def days_of(observations) -> dict[int, set[datetime.date]]:
    days: dict[int, set[datetime.date]] = {}
    for observation in observations:
        days.setdefault(observation.kpi_id, set()).add(observation.time.astimezone(datetime.UTC).date())
    return days


def rollup_rebuild_all() -> int:
    """Recompute every daily row (after bulk loads that bypass the ingestion service)."""
    spans = {
        row["kpi_id"]: {
            row["first"].astimezone(datetime.UTC).date(),
            row["last"].astimezone(datetime.UTC).date(),
        }
        for row in Observation.objects.values("kpi_id")
        .annotate(first=Min("time"), last=Max("time"))
        .order_by()
    }
    return rollup_refresh(days_by_kpi=spans)
