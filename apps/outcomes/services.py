"""Writes for outcomes: KPIs, model costs, observation ingestion (see ``ingest``) and the prediction
monitoring recorder the registry's prediction path calls (see ``monitoring``)."""

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from apps.core.exceptions import Conflict
from apps.core.policy import ensure
from apps.core.services import apply_and_save, changed_fields, stored
from apps.outcomes.drift import drift_check_version, drift_reference_store  # noqa: F401 - re-exported
from apps.outcomes.ingest import (  # noqa: F401 - re-exported
    IngestError,
    IngestResult,
    observation_save,
    observations_delete,
    observations_ingest,
    rows_from_csv,
)
from apps.outcomes.models import Kpi, ModelCost
from apps.outcomes.monitoring import prediction_record  # noqa: F401 - called by the prediction path

KPI_FIELDS = ("stream", "name", "description", "unit", "direction", "value_per_unit", "target")
MODEL_COST_FIELDS = ("model", "monthly_running_cost", "monthly_team_effort_cost", "notes")


def kpi_create(*, actor: User, data: dict) -> Kpi:
    if data.get("stream") is None:
        raise ValidationError({"stream": "This field is required."})
    ensure(actor, "outcomes.change_kpi", data["stream"])
    return apply_and_save(Kpi(), data=data, fields=KPI_FIELDS)


@transaction.atomic
def kpi_update(*, actor: User, kpi: Kpi, data: dict) -> Kpi:
    before = stored(kpi)
    ensure(actor, "outcomes.change_kpi", before.stream)
    if "stream" in changed_fields(kpi, data, before=before):
        if data["stream"] is None:
            raise ValidationError({"stream": "This field is required."})
        ensure(actor, "outcomes.change_kpi", data["stream"])
    return apply_and_save(kpi, data=data, fields=KPI_FIELDS)


@transaction.atomic
def kpi_retire(*, actor: User, kpi: Kpi) -> Kpi:
    """Retire the KPI: it keeps its observations and dashboards, and takes no new observations."""
    kpi = Kpi.objects.select_for_update().select_related("stream").get(pk=kpi.pk)
    ensure(actor, "outcomes.change_kpi", kpi.stream)
    if kpi.retired_at is None:
        kpi.retired_at = timezone.now()
        kpi.save(update_fields=["retired_at", "updated_at"])
    return kpi


@transaction.atomic
def kpi_delete(*, actor: User, kpi: Kpi, confirm: bool = False) -> None:
    """Delete a KPI. One with observations is refused (retire it instead) unless platform staff
    confirm, since its observations go with it."""
    kpi = Kpi.objects.select_for_update().select_related("stream").get(pk=kpi.pk)
    ensure(actor, "outcomes.change_kpi", kpi.stream)
    measured = kpi.observations.count()
    if measured:
        if not confirm:
            raise Conflict(
                f"{kpi.name} has {measured} observation{'s' if measured != 1 else ''}; deleting it deletes "
                "them too. Retire it instead (platform staff may delete it, confirming with confirm=true).",
                allowed=["retire"],
            )
        ensure(actor, "outcomes.delete_measured_kpi", kpi.stream)
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
    ensure(actor, "outcomes.write_model_outcomes", data["model"])
    _ensure_costs_non_negative(data)
    return apply_and_save(ModelCost(), data=data, fields=MODEL_COST_FIELDS)


@transaction.atomic
def model_cost_update(*, actor: User, cost: ModelCost, data: dict) -> ModelCost:
    ensure(actor, "outcomes.write_model_outcomes", stored(cost).model)
    if "model" in changed_fields(cost, data):
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
    ensure(actor, "outcomes.write_model_outcomes", stored(cost).model)
    cost.delete()
