"""Writes for the model registry. Every service checks who acts, validates, and saves atomically.

Versions are created only by ``version_register`` (the platform, e.g. a finished training job); their
stage moves only through ``version_promote`` / ``version_rollback``, which keep an append-only
``StageChange`` history.
"""

import re

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from apps.core.exceptions import Conflict
from apps.core.policy import allowed, ensure
from apps.core.services import apply_and_save, changed_fields, stored
from apps.registry import announcements, artefacts
from apps.registry.gates import ALLOWED_MOVES, FailedGate, failed_production_gates
from apps.registry.models import (
    CARD_SECTIONS,
    LINEAGE_FIELDS,
    Feedback,
    FeedbackStatus,
    ModelVersion,
    Origin,
    RegisteredModel,
    Stage,
    StageChange,
)
from apps.registry.serving import forget_serving_versions
from apps.teams.models import Team

CARD_FIELDS = tuple(field for field, _ in CARD_SECTIONS)
MODEL_FIELDS = (
    "name",
    "slug",
    "owning_team",
    "value_stream",
    "purpose",
    "consuming_teams",
    "support_tier",
    "oncall_contact",
    "lifecycle",
    "task",
    "primary_metric",
    "baseline_margin",
    *CARD_FIELDS,
)
INPUT_TYPES = ("number", "integer", "string", "boolean")
LINEAGE_KEYS = LINEAGE_FIELDS
# Lineage a team states about a version trained elsewhere: (key, longest length).
EXTERNAL_TEXT_LINEAGE = (
    ("source_repository", 300),
    ("source_commit", 64),
    ("framework", 60),
    ("framework_version", 40),
)
FEEDBACK_FIELDS = (
    "model",
    "version",
    "from_team",
    "kind",
    "severity",
    "title",
    "description",
    "example_inputs",
)


class GatesFailed(Conflict):
    """Promotion to production refused; ``failed_gates`` names each gate and why."""

    def __init__(self, failed: list[FailedGate]):
        super().__init__(
            "Promotion to production refused: " + " ".join(f"[{f.gate}] {f.message}" for f in failed),
            allowed=[],
        )
        self.failed_gates = [f.as_dict() for f in failed]


# --- registered models ---------------------------------------------------------------------------


def _save_model(model: RegisteredModel, data: dict) -> RegisteredModel:
    data = dict(data)
    consumers = data.pop("consuming_teams", None)
    if consumers is None:  # one write: no transaction (and savepoint) around apply_and_save's own
        return apply_and_save(model, data=data, fields=MODEL_FIELDS)
    with transaction.atomic():
        apply_and_save(model, data=data, fields=MODEL_FIELDS)
        if consumers is not None:
            model.consuming_teams.set(consumers)
    return model


def registered_model_create(*, actor: User, data: dict) -> RegisteredModel:
    """Register a model owned by a team; its lead or product manager (or platform staff) may."""
    ensure(actor, "registry.register_model", data.get("owning_team"))
    if data.get("value_stream") is not None and not _serves(data.get("owning_team"), data["value_stream"]):
        ensure(actor, "registry.attribute_model", data["value_stream"])
    return _save_model(RegisteredModel(), data)


def _serves(team, stream) -> bool:
    return team is not None and team.value_stream_id == stream.pk


@transaction.atomic
def registered_model_update(*, actor: User, registered_model: RegisteredModel, data: dict) -> RegisteredModel:
    before = stored(registered_model)
    ensure(actor, "registry.change_model", before.owning_team)
    changed = changed_fields(registered_model, data, before=before)
    if "owning_team" in changed:
        ensure(actor, "registry.receive_model", data["owning_team"])
    if "value_stream" in changed:
        ensure(actor, "registry.attribute_model", data["value_stream"])
    return _save_model(registered_model, data)


def registered_model_delete(*, actor: User, registered_model: RegisteredModel) -> None:
    ensure(actor, "registry.delete_model")
    if registered_model.versions.exists():
        raise Conflict(
            "A model with versions keeps its history; set its lifecycle to retired instead.",
            allowed=["retire"],
        )
    registered_model.delete()


# --- versions ------------------------------------------------------------------------------------


def json_safe(value):
    """Metrics and parameters as plain JSON: numpy scalars become numbers, other objects their repr."""
    if isinstance(value, dict):
        return {str(key): json_safe(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [json_safe(item) for item in value]
    if value is None or isinstance(value, bool | int | float | str):
        return value
    if hasattr(value, "item") and callable(value.item):  # numpy scalar
        return value.item()
    return repr(value)


def _validated_lineage(lineage: dict) -> dict:
    unknown = sorted(set(lineage) - set(LINEAGE_KEYS))
    if unknown:
        raise ValidationError(
            {key: f"Unknown lineage key. Allowed: {', '.join(LINEAGE_KEYS)}." for key in unknown}
        )
    schema = lineage.get("input_schema") or []
    errors = []
    for index, column in enumerate(schema):
        if not isinstance(column, dict) or not isinstance(column.get("name"), str) or not column["name"]:
            errors.append(f"Column {index}: needs a name.")
        elif column.get("type") not in INPUT_TYPES:
            errors.append(f"Column {column['name']}: type must be one of {', '.join(INPUT_TYPES)}.")
    names = [c.get("name") for c in schema if isinstance(c, dict)]
    if len(names) != len(set(names)):
        errors.append("Column names must be unique.")
    if not schema:
        errors.append("A version needs the input schema its prediction endpoint validates against.")
    if errors:
        raise ValidationError({"input_schema": errors})
    sha = lineage.get("dataset_sha256") or ""
    if sha and not re.fullmatch(r"[0-9a-f]{64}", sha):
        raise ValidationError({"dataset_sha256": "Must be 64 lowercase hex digits."})
    return {
        "dataset_name": lineage.get("dataset_name") or "",
        "dataset_version": lineage.get("dataset_version"),
        "dataset_sha256": sha,
        "features": list(lineage.get("features") or [c["name"] for c in schema]),
        "input_schema": [{"name": c["name"], "type": c["type"]} for c in schema],
        "estimator": lineage.get("estimator") or "",
        "parameters": json_safe(lineage.get("parameters") or {}),
        "code_version": lineage.get("code_version") or "",
        "code_commit": lineage.get("code_commit") or "",
        "package_version": lineage.get("package_version") or "",
        "library_versions": json_safe(lineage.get("library_versions") or {}),
        "split": json_safe(lineage.get("split") or {}),
        "origin": lineage.get("origin") or Origin.PORTAL,
        "training_data": lineage.get("training_data") or "",
        "class_labels": json_safe(list(lineage.get("class_labels") or [])),
        **_external_text(lineage),
    }


def _external_text(lineage: dict) -> dict:
    values = {}
    for key, longest in EXTERNAL_TEXT_LINEAGE:
        value = lineage.get(key) or ""
        if not isinstance(value, str):
            raise ValidationError({key: "Must be text."})
        if len(value) > longest:
            raise ValidationError({key: f"At most {longest} characters (got {len(value)})."})
        values[key] = value.strip()
    return values


def _ensure_can_register(actor, registered_model: RegisteredModel) -> None:
    """The platform registers on behalf of a user: any member of the owning team, or platform staff.
    ``actor=None`` means the platform itself (e.g. a scheduled job)."""
    if actor is not None:
        ensure(actor, "registry.register_version", registered_model.owning_team)


def version_register(
    *,
    registered_model: RegisteredModel,
    actor: User | None,
    pipeline=None,
    artefact: artefacts.StoredArtefact | None = None,
    task: str,
    lineage: dict,
    metrics: dict,
    baseline_metrics: dict,
    source_key: str | None = None,
) -> ModelVersion:
    """Store a fitted pipeline (skops, server-generated key) as the model's next version, a candidate;
    or register an ``artefact`` already in platform storage (a version trained elsewhere, evaluated
    by the platform), which this version then owns.

    Idempotent on ``source_key``: a redelivered job gets the version it registered the first time.
    """
    if source_key and (existing := ModelVersion.objects.filter(source_key=source_key).first()):
        return existing
    _ensure_can_register(actor, registered_model)
    if task != registered_model.task:
        raise ValidationError({"task": f"The model is a {registered_model.task} model, not {task}."})
    fields = _validated_lineage(lineage)
    if (pipeline is None) == (artefact is None):
        raise ValueError("Register either a fitted pipeline or a stored artefact.")
    stored = artefact or artefacts.save_pipeline(pipeline, model_id=registered_model.pk)

    def discard() -> None:  # an artefact given to it stays its job's, whatever happens here
        if artefact is None:
            artefacts.delete_artefact(stored.key)

    try:
        with transaction.atomic():
            RegisteredModel.objects.select_for_update().get(pk=registered_model.pk)
            if source_key and (existing := ModelVersion.objects.filter(source_key=source_key).first()):
                discard()
                return existing
            last = registered_model.versions.order_by("-number").values_list("number", flat=True).first()
            version = ModelVersion.objects.create(
                model=registered_model,
                number=(last or 0) + 1,
                stage=Stage.CANDIDATE,
                task=task,
                metrics=json_safe(dict(metrics)),
                baseline_metrics=json_safe(dict(baseline_metrics)),
                artefact_key=stored.key,
                artefact_sha256=stored.sha256,
                artefact_size=stored.size,
                source_key=source_key or None,
                created_by=actor,
                **fields,
            )
            StageChange.objects.create(
                version=version, from_stage="", to_stage=Stage.CANDIDATE, actor=actor, reason="Registered."
            )
    except IntegrityError:
        discard()
        if source_key and (existing := ModelVersion.objects.filter(source_key=source_key).first()):
            return existing
        raise
    except BaseException:
        discard()
        raise
    announcements.version_registered(version)
    return version


def _move(version: ModelVersion, *, to_stage: str, actor, reason: str, **flags) -> StageChange:
    forget_serving_versions()
    transaction.on_commit(forget_serving_versions)
    change = StageChange(
        version=version, from_stage=version.stage, to_stage=to_stage, actor=actor, reason=reason, **flags
    )
    version.stage = to_stage
    version.save(update_fields=["stage"])
    change.save()
    announcements.stage_changed(change)
    return change


def _require_reason(reason: str) -> str:
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": "Say why: every stage change keeps its reason."})
    return reason


@transaction.atomic
def version_promote(
    *, version: ModelVersion, actor: User, to_stage: str, reason: str, override: bool = False
) -> ModelVersion:
    """Move a version to another stage. Production archives the current production version and is
    refused unless every gate passes; platform staff may override, and the override is recorded."""
    ensure(actor, "registry.promote_version", version.model.owning_team)
    reason = _require_reason(reason)
    if to_stage not in Stage.values:
        raise ValidationError({"to_stage": f"Must be one of {', '.join(Stage.values)}."})
    if override:
        ensure(actor, "registry.override_gates", version.model)
    RegisteredModel.objects.select_for_update().get(pk=version.model_id)  # serialises stage moves
    version.refresh_from_db()  # the stage as of now, under the lock
    allowed = ALLOWED_MOVES[version.stage]
    if to_stage not in allowed:
        raise Conflict(
            f"Version {version.number} is {version.stage}; it can move to {', '.join(allowed)}.",
            allowed=list(allowed),
        )
    flags = {}
    if to_stage == Stage.PRODUCTION:
        failed = failed_production_gates(version)
        if failed and not override:
            raise GatesFailed(failed)
        flags = {"is_override": bool(failed), "failed_gates": [f.as_dict() for f in failed]}
        current = version.model.versions.filter(stage=Stage.PRODUCTION).first()
        if current:
            _move(current, to_stage=Stage.ARCHIVED, actor=actor, reason=f"Superseded by v{version.number}.")
    _move(version, to_stage=to_stage, actor=actor, reason=reason, **flags)
    return version


@transaction.atomic
def version_rollback(*, registered_model: RegisteredModel, actor: User, reason: str) -> ModelVersion:
    """One action: archive the production version and put the previous production version back."""
    ensure(actor, "registry.promote_version", registered_model.owning_team)
    reason = _require_reason(reason)
    RegisteredModel.objects.select_for_update().get(pk=registered_model.pk)
    current = registered_model.versions.filter(stage=Stage.PRODUCTION).first()
    if current is None:
        raise Conflict(f"{registered_model} has no version in production to roll back.", allowed=["promote"])
    previous_change = (
        StageChange.objects.filter(version__model=registered_model, to_stage=Stage.PRODUCTION)
        .exclude(version=current)
        .select_related("version")
        .order_by("-created_at", "-id")
        .first()
    )
    if previous_change is None:
        raise Conflict(
            f"{registered_model} v{current.number} is the only version that was ever in production.",
            allowed=["archive"],
        )
    previous = ModelVersion.objects.get(pk=previous_change.version_id)
    _move(current, to_stage=Stage.ARCHIVED, actor=actor, reason=reason, is_rollback=True)
    _move(previous, to_stage=Stage.PRODUCTION, actor=actor, reason=reason, is_rollback=True)
    return previous


# --- feedback ------------------------------------------------------------------------------------


def _eligible_team_ids(model: RegisteredModel) -> list[int]:
    return [model.owning_team_id, *(team.pk for team in model.consuming_teams.all())]


def can_file_feedback(user, model: RegisteredModel) -> bool:
    """Platform staff, or a member of a team that consumes or owns the model."""
    return allowed(user, "registry.file_feedback", model)


def _filing_team(actor, model: RegisteredModel, team: Team | None) -> Team | None:
    """The team a user files for: one that consumes (or owns) the model and that they belong to."""
    eligible = _eligible_team_ids(model)
    if team is not None:
        if team.pk not in eligible:
            raise ValidationError({"from_team": f"{team} neither consumes nor owns {model}."})
        ensure(actor, "registry.file_feedback_for", team)
        return team
    ensure(actor, "registry.file_feedback", model)
    return Team.objects.filter(pk__in=eligible, memberships__user=actor).order_by("name").first()


def feedback_create(*, actor: User, data: dict) -> Feedback:
    """A consuming team files feedback on a model (platform staff may file for anyone)."""
    data = dict(data)
    model = data.get("model")
    if model is None:
        raise ValidationError({"model": "Which model is this feedback about?"})
    data["from_team"] = _filing_team(actor, model, data.get("from_team"))
    version = data.get("version")
    if version is not None and version.model_id != model.pk:
        raise ValidationError({"version": f"Version {version.number} belongs to another model."})
    with transaction.atomic():
        feedback = apply_and_save(
            Feedback(filed_by=actor, status=FeedbackStatus.OPEN), data=data, fields=FEEDBACK_FIELDS
        )
        announcements.feedback_changed(feedback, opened=True)
    return feedback


def _ensure_can_respond(actor, feedback: Feedback) -> None:
    ensure(actor, "registry.respond_to_feedback", feedback.model.owning_team)


def _locked(feedback: Feedback) -> Feedback:
    return Feedback.objects.select_for_update().select_related("model__owning_team").get(pk=feedback.pk)


@transaction.atomic
def feedback_acknowledge(*, actor: User, feedback: Feedback, response: str = "") -> Feedback:
    feedback = _locked(feedback)
    _ensure_can_respond(actor, feedback)
    if feedback.status != FeedbackStatus.OPEN:
        raise Conflict(f"This feedback is already {feedback.status}.", allowed=_next_statuses(feedback))
    feedback.status = FeedbackStatus.ACKNOWLEDGED
    feedback.acknowledged_at = timezone.now()
    if response:
        feedback.response = response
    feedback.save(update_fields=["status", "acknowledged_at", "response"])
    announcements.feedback_changed(feedback, opened=False)
    return feedback


@transaction.atomic
def feedback_resolve(*, actor: User, feedback: Feedback, response: str = "") -> Feedback:
    """Resolve open or acknowledged feedback (resolving open feedback acknowledges it too)."""
    feedback = _locked(feedback)
    _ensure_can_respond(actor, feedback)
    if feedback.status == FeedbackStatus.RESOLVED:
        raise Conflict("This feedback is already resolved.", allowed=[])
    now = timezone.now()
    feedback.status = FeedbackStatus.RESOLVED
    feedback.acknowledged_at = feedback.acknowledged_at or now
    feedback.resolved_at = now
    if response:
        feedback.response = response
    feedback.save(update_fields=["status", "acknowledged_at", "resolved_at", "response"])
    announcements.feedback_changed(feedback, opened=False)
    return feedback


def _next_statuses(feedback: Feedback) -> list[str]:
    moves: dict[str, list[str]] = {
        FeedbackStatus.OPEN: [FeedbackStatus.ACKNOWLEDGED, FeedbackStatus.RESOLVED],
        FeedbackStatus.ACKNOWLEDGED: [FeedbackStatus.RESOLVED],
    }
    return moves.get(feedback.status, [])


def feedback_open_for_platform(
    *,
    registered_model: RegisteredModel,
    version: ModelVersion | None,
    kind: str,
    severity: str,
    title: str,
    description: str,
    dedupe_key: str,
) -> tuple[Feedback, bool]:
    """Feedback the platform opens itself (e.g. drift); once per ``dedupe_key``. Returns (row, created)."""
    if not dedupe_key:
        raise ValidationError({"dedupe_key": "Platform feedback needs a dedupe key."})
    existing = Feedback.objects.filter(dedupe_key=dedupe_key).first()
    if existing:
        return existing, False
    feedback = Feedback(
        model=registered_model,
        version=version,
        kind=kind,
        severity=severity,
        title=title[:200],
        description=description,
        dedupe_key=dedupe_key,
    )
    feedback.full_clean()
    try:
        with transaction.atomic():
            feedback.save()
    except IntegrityError:  # a concurrent run opened it first
        return Feedback.objects.get(dedupe_key=dedupe_key), False
    announcements.feedback_changed(feedback, opened=True)
    return feedback, True


def can_change_model(user, registered_model: RegisteredModel) -> bool:
    return allowed(user, "registry.change_model", registered_model.owning_team)
