"""Writes for outcomes: KPIs, model costs, observation ingestion (see ``ingest``) and the prediction
monitoring recorder the registry's prediction path calls (see ``monitoring``)."""

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from apps.core.services import apply_and_save
from apps.outcomes.drift import drift_check_version, drift_reference_store  # noqa: F401 - re-exported
from apps.outcomes.ingest import IngestError, IngestResult, observations_ingest, rows_from_csv  # noqa: F401
from apps.outcomes.models import Kpi, ModelCost
from apps.outcomes.monitoring import prediction_record  # noqa: F401 - called by the prediction path
from apps.outcomes.permissions import ensure_can_write_model, ensure_can_write_stream

KPI_FIELDS = ("stream", "name", "description", "unit", "direction", "value_per_unit", "target")
MODEL_COST_FIELDS = ("model", "monthly_running_cost", "monthly_team_effort_cost", "notes")


def kpi_create(*, actor: User, data: dict) -> Kpi:
    if data.get("stream") is None:
        raise ValidationError({"stream": "This field is required."})
    ensure_can_write_stream(actor, data["stream"], action="add KPIs")
    return apply_and_save(Kpi(), data=data, fields=KPI_FIELDS)


@transaction.atomic
def kpi_update(*, actor: User, kpi: Kpi, data: dict) -> Kpi:
    ensure_can_write_stream(actor, kpi.stream, action="change its KPIs")
    if "stream" in data and data["stream"] != kpi.stream:
        ensure_can_write_stream(actor, data["stream"], action="add KPIs")
    return apply_and_save(kpi, data=data, fields=KPI_FIELDS)


def kpi_delete(*, actor: User, kpi: Kpi) -> None:
    ensure_can_write_stream(actor, kpi.stream, action="delete its KPIs")
    kpi.delete()


def _ensure_costs_non_negative(data: dict) -> None:
    negative = {
        name: "Must not be negative."
        for name in ("monthly_running_cost", "monthly_team_effort_cost")
        if data.get(name) is not None and data[name] < 0
    }
    if negative:
        raise ValidationError(negative)


def model_cost_create(*, actor: User, data: dict) -> ModelCost:
    if data.get("model") is None:
        raise ValidationError({"model": "This field is required."})
    ensure_can_write_model(actor, data["model"], action="set its costs")
    _ensure_costs_non_negative(data)
    return apply_and_save(ModelCost(), data=data, fields=MODEL_COST_FIELDS)


@transaction.atomic
def model_cost_update(*, actor: User, cost: ModelCost, data: dict) -> ModelCost:
    ensure_can_write_model(actor, cost.model, action="set its costs")
    if "model" in data and data["model"] != cost.model:
        raise ValidationError({"model": "A cost row belongs to its model; create one for the other model."})
    _ensure_costs_non_negative(data)
    return apply_and_save(cost, data=data, fields=MODEL_COST_FIELDS)


def model_cost_set(*, actor: User, model, data: dict) -> ModelCost:
    """Create or update the model's cost row (the browser form and the demo use this)."""
    existing = ModelCost.objects.filter(model=model).first()
    if existing:
        return model_cost_update(actor=actor, cost=existing, data=data)
    return model_cost_create(actor=actor, data={**data, "model": model})


def model_cost_delete(*, actor: User, cost: ModelCost) -> None:
    ensure_can_write_model(actor, cost.model, action="delete its costs")
    cost.delete()
