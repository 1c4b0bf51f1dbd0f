"""Bulk ingestion of KPI observations (API and CSV): validate every row first, then upsert them all in
one transaction. A bad row rejects the whole batch with errors by row number and field."""

import contextlib
import csv
import datetime
import io
import math
from dataclasses import dataclass, field

from django.db import transaction
from django.utils import timezone
from django.utils.dateparse import parse_date, parse_datetime

from apps.core.api.exceptions import PayloadTooLarge
from apps.core.policy import ensure
from apps.core.validation import detected_encoding, moment_problem
from apps.outcomes.models import Kpi, Observation, Segment
from apps.outcomes.rollup import MAX_MAGNITUDE, MIN_MAGNITUDE, days_of, rollup_refresh
from apps.registry.models import ModelVersion, RegisteredModel

MAX_ROWS = 10_000
ROW_FIELDS = ("kpi", "time", "value", "volume", "segment", "model", "version")
REQUIRED_FIELDS = ("kpi", "time", "value")
UNIQUE_FIELDS = ["kpi", "time", "segment", "model_key"]
UPDATE_FIELDS = ["value", "volume", "model", "version", "updated_at"]


class IngestError(Exception):
    """The batch was rejected; ``errors`` lists ``{"row", "field", "message"}`` (rows count from 1)."""

    def __init__(self, errors: list[dict]):
        super().__init__(f"{len(errors)} error(s); nothing was saved.")
        self.errors = errors


@dataclass
class IngestResult:
    saved: int
    kpis: list[int] = field(default_factory=list)


def ensure_row_limit(count: int) -> None:
    if count > MAX_ROWS:
        raise PayloadTooLarge(f"At most {MAX_ROWS} rows per call; this batch has {count}. Split it.")


def _number(raw, *, name: str, minimum: float | None = None) -> float:
    if isinstance(raw, bool):
        raise ValueError(f"{name} must be a number.")
    try:
        number = float(raw)
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be a number, got {raw!r}.") from None
    if not math.isfinite(number):
        raise ValueError(f"{name} must be a finite number.")
    if abs(number) > MAX_MAGNITUDE or 0 < abs(number) < MIN_MAGNITUDE:
        raise ValueError(
            f"{name} must be 0 or between {MIN_MAGNITUDE:g} and {MAX_MAGNITUDE:g} in size "
            "(its square must fit a database float)."
        )
    if minimum is not None and number < minimum:
        raise ValueError(f"{name} must be at least {minimum}.")
    return number


def _time(raw):
    text = str(raw or "").strip()
    moment = parse_datetime(text) if "T" in text or " " in text or ":" in text else None
    if moment is None:
        day = parse_date(text) if text else None
        if day is None:
            raise ValueError(f"Enter an ISO 8601 date or date-time, got {raw!r}.")
        return datetime.datetime(day.year, day.month, day.day, tzinfo=datetime.UTC)
    if timezone.is_naive(moment):
        moment = moment.replace(tzinfo=datetime.UTC)
    problem = moment_problem(moment)
    if problem:
        raise ValueError(problem)
    return moment


def _integer(raw, *, name: str) -> int:
    try:
        if isinstance(raw, bool) or float(raw) != int(float(raw)):
            raise ValueError
        return int(float(raw))
    except (TypeError, ValueError):
        raise ValueError(f"{name} must be an integer id, got {raw!r}.") from None


class _Lookups:
    """KPIs, models and versions the batch names, fetched with one query each."""

    def __init__(self, rows: list[dict]):
        kpi_ids, slugs = set(), set()
        for row in rows:
            if not isinstance(row, dict):
                continue  # reported by _build, row by row
            with contextlib.suppress(ValueError):
                kpi_ids.add(_integer(row.get("kpi"), name="kpi"))
            if row.get("model") not in (None, ""):
                slugs.add(str(row["model"]))
        self.kpis = Kpi.objects.select_related("stream").in_bulk(kpi_ids)
        self.models = {
            m.slug: m
            for m in RegisteredModel.objects.select_related("value_stream", "owning_team").filter(
                slug__in=slugs
            )
        }
        self.versions = {
            (v.model_id, v.number): v
            for v in ModelVersion.objects.filter(model__slug__in=slugs).only("id", "model_id", "number")
        }


def _build(row: dict, lookups: _Lookups) -> tuple[Observation | None, list[tuple[str, str]]]:
    """One row as an unsaved Observation, or the (field, message) errors it has."""
    if not isinstance(row, dict):
        return None, [("row", "Each row must be an object with the fields " + ", ".join(ROW_FIELDS) + ".")]
    errors = [
        (name, f"Unknown field. Allowed fields: {', '.join(ROW_FIELDS)}.")
        for name in row
        if name not in ROW_FIELDS
    ]
    errors += [(name, "This field is required.") for name in REQUIRED_FIELDS if row.get(name) in (None, "")]
    values: dict = {}

    def check(name, parse):
        if row.get(name) in (None, ""):
            return
        try:
            values[name] = parse(row[name])
        except ValueError as error:
            errors.append((name, str(error)))

    check("kpi", lambda raw: _integer(raw, name="kpi"))
    if "kpi" in values:
        values["kpi"] = lookups.kpis.get(values["kpi"])
        if values["kpi"] is None:
            errors.append(("kpi", f"No KPI with id {row['kpi']}."))
        elif values["kpi"].retired_at is not None:
            errors.append(("kpi", f"{values['kpi'].name} is retired and takes no new observations."))
    check("time", _time)
    check("value", lambda raw: _number(raw, name="value"))
    check("volume", lambda raw: _number(raw, name="volume", minimum=0))
    segment = str(row.get("segment") or Segment.ALL)
    if segment not in Segment.values:
        errors.append(("segment", f"{segment!r} is not one of {', '.join(Segment.values)}."))
    model = None
    if row.get("model") not in (None, ""):
        model = lookups.models.get(str(row["model"]))
        if model is None:
            errors.append(("model", f"No registered model with slug {row['model']!r}."))
        elif values.get("kpi") and model.value_stream_id != values["kpi"].stream_id:
            errors.append(("model", f"{model.slug} belongs to another value stream than the KPI."))
    version = None
    if row.get("version") not in (None, ""):
        if model is None and not row.get("model"):
            errors.append(("version", "A version needs its model."))
        elif model is not None:
            try:
                version = lookups.versions.get((model.pk, _integer(row["version"], name="version")))
                if version is None:
                    errors.append(("version", f"{model.slug} has no version {row['version']}."))
            except ValueError as error:
                errors.append(("version", str(error)))
    if errors:
        return None, errors
    return (
        Observation(
            kpi=values["kpi"],
            time=values["time"],
            value=values["value"],
            volume=values.get("volume", 1.0),
            segment=segment,
            model=model,
            model_key=model.pk if model else 0,
            version=version,
        ),
        [],
    )


def _check_permissions(actor, observations: list[Observation]) -> None:
    for stream in {o.kpi.stream_id: o.kpi.stream for o in observations}.values():
        models = {o.model_id: o.model for o in observations if o.model and o.kpi.stream_id == stream.pk}
        if models:
            for model in models.values():
                ensure(actor, "outcomes.write_model_outcomes", model)
        if any(o.model is None for o in observations if o.kpi.stream_id == stream.pk):
            ensure(actor, "outcomes.post_observations", stream)


def observations_ingest(*, actor, rows: list) -> IngestResult:
    """Validate all rows, then upsert them in one transaction (re-sent rows update, never duplicate).

    Raises PayloadTooLarge (> 10,000 rows), IngestError (any bad row: nothing is written) or
    PermissionDenied (a row targets a stream or model the actor may not write)."""
    if not isinstance(rows, list):
        raise IngestError([{"row": 0, "field": "rows", "message": "Send a JSON list of observation rows."}])
    ensure_row_limit(len(rows))
    if not rows:
        raise IngestError([{"row": 0, "field": "rows", "message": "The batch is empty."}])
    lookups = _Lookups(rows)
    observations, errors, seen = [], [], {}
    for number, row in enumerate(rows, start=1):
        observation, row_errors = _build(row, lookups)
        errors += [{"row": number, "field": name, "message": message} for name, message in row_errors]
        if observation is None:
            continue
        key = (observation.kpi_id, observation.time, observation.segment, observation.model_key)
        if key in seen:
            errors.append(
                {
                    "row": number,
                    "field": "time",
                    "message": f"Same KPI, time, segment and model as row {seen[key]}.",
                }
            )
        seen[key] = number
        observations.append(observation)
    if errors:
        raise IngestError(errors)
    _check_permissions(actor, observations)
    now = timezone.now()
    for observation in observations:
        observation.updated_at = now
    with transaction.atomic():
        Observation.objects.bulk_create(
            observations,
            batch_size=2000,
            update_conflicts=True,
            unique_fields=UNIQUE_FIELDS,
            update_fields=UPDATE_FIELDS,
        )
        rollup_refresh(days_by_kpi=days_of(observations))
    return IngestResult(saved=len(observations), kpis=sorted({o.kpi_id for o in observations}))


def observation_save(*, actor, observation: Observation) -> Observation:
    """Save one observation edited by hand (the admin): checked against the same permissions as an
    ingest, and the daily aggregates of its day (and of the day it moved from) follow."""
    _check_permissions(actor, [observation])
    days = days_of([observation])
    if observation.pk is not None:
        for kpi, moved_from in days_of(Observation.objects.filter(pk=observation.pk)).items():
            days.setdefault(kpi, set()).update(moved_from)
    with transaction.atomic():
        observation.save()
        rollup_refresh(days_by_kpi=days)
    return observation


def observations_delete(*, actor, observations) -> int:
    """Delete observations (a queryset) and refresh the daily aggregates of the days they were in."""
    chosen = list(observations.select_related("kpi__stream", "model"))
    _check_permissions(actor, chosen)
    days = days_of(chosen)
    with transaction.atomic():
        deleted, _ = Observation.objects.filter(pk__in=[o.pk for o in chosen]).delete()
        rollup_refresh(days_by_kpi=days)
    return deleted


def rows_from_csv(upload) -> list[dict]:
    """The rows of an uploaded CSV file (header: kpi,time,value[,volume,segment,model,version]).

    Counts rows while reading and stops at the limit, so a huge file is refused without parsing it all."""
    encoding = detected_encoding(upload.read(4096))
    upload.seek(0)
    if encoding:
        message = f"The file is {encoding} text, not UTF-8: save it as UTF-8 and upload it again."
        raise IngestError([{"row": 0, "field": "file", "message": message}])
    text = io.TextIOWrapper(upload, encoding="utf-8-sig", newline="")
    reader = csv.DictReader(text)
    header = reader.fieldnames or []
    unknown = [name for name in header if name not in ROW_FIELDS]
    missing = [name for name in REQUIRED_FIELDS if name not in header]
    if unknown or missing:
        message = []
        if missing:
            message.append(f"missing column(s) {', '.join(missing)}")
        if unknown:
            message.append(f"unknown column(s) {', '.join(unknown)}")
        raise IngestError(
            [
                {
                    "row": 0,
                    "field": "header",
                    "message": f"{'; '.join(message)}. Columns: {', '.join(ROW_FIELDS)}.",
                }
            ]
        )
    rows = []
    try:
        for row in reader:
            rows.append({name: value for name, value in row.items() if value not in (None, "")})
            if len(rows) > MAX_ROWS:
                ensure_row_limit(len(rows))
    except (csv.Error, UnicodeDecodeError) as error:
        raise IngestError(
            [{"row": len(rows) + 1, "field": "file", "message": f"Not a CSV file: {error}"}]
        ) from None
    return rows
