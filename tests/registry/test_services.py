import datetime
import hashlib

import numpy as np
import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.utils import timezone

from apps.core import events
from apps.core.exceptions import Conflict
from apps.registry import services
from apps.registry.models import FeedbackStatus, ModelVersion, RegisteredModel, Stage, StageChange
from apps.teams.models import MemberRole
from tests.factories import MembershipFactory, StaffFactory, TeamFactory, UserFactory
from tests.registry.factories import (
    CompleteCardModelFactory,
    FeedbackFactory,
    RegisteredModelFactory,
    fitted_classifier,
    lineage,
    register,
)

pytestmark = pytest.mark.django_db


# --- registered models ---------------------------------------------------------------------------


def model_data(team, **extra):
    return {
        "name": "Basket scorer",
        "slug": "basket-scorer",
        "owning_team": team,
        "value_stream": team.value_stream,
        **extra,
    }


def test_lead_registers_a_model_with_consumers(team, team_lead):
    consumer = TeamFactory()
    model = services.registered_model_create(
        actor=team_lead, data=model_data(team, consuming_teams=[consumer])
    )
    assert list(model.consuming_teams.all()) == [consumer]
    assert model.owning_team == team


def test_engineer_and_outsider_may_not_register_a_model(team, team_engineer, outsider):
    for actor in (team_engineer, outsider):
        with pytest.raises(PermissionDenied):
            services.registered_model_create(actor=actor, data=model_data(team))


@pytest.mark.parametrize("slug", ["new", "feedback"])
def test_slugs_of_registry_pages_are_refused(team, team_lead, slug):
    with pytest.raises(ValidationError) as error:
        services.registered_model_create(actor=team_lead, data=model_data(team, slug=slug))
    assert "reserved" in error.value.message_dict["slug"][0]
    assert not RegisteredModel.objects.exists()


def test_update_validates_and_keeps_row_unchanged(team, team_pm):
    model = RegisteredModelFactory(owning_team=team)
    with pytest.raises(ValidationError) as error:
        services.registered_model_update(
            actor=team_pm, registered_model=model, data={"support_tier": "platinum"}
        )
    assert "support_tier" in error.value.message_dict
    model.refresh_from_db()
    assert model.support_tier == "tier_2"


# --- registration ------------------------------------------------------------------------------------


def test_register_stores_a_skops_artefact_with_its_sha256(platform_storage):
    model = RegisteredModelFactory()
    version = register(model)
    path = platform_storage / version.artefact_key
    assert version.number == 1 and version.stage == Stage.CANDIDATE
    assert version.artefact_key.startswith(f"registry/{model.pk}/") and path.suffix == ".skops"
    assert hashlib.sha256(path.read_bytes()).hexdigest() == version.artefact_sha256
    assert version.artefact_size == path.stat().st_size
    change = version.stage_changes.get()
    assert (change.from_stage, change.to_stage) == ("", Stage.CANDIDATE)
    assert register(model).number == 2


def test_register_is_idempotent_on_source_key(platform_storage):
    model = RegisteredModelFactory()
    first = register(model, source_key="training-job:7")
    again = register(model, source_key="training-job:7")
    assert again.pk == first.pk
    assert ModelVersion.objects.filter(model=model).count() == 1
    assert len(list((platform_storage / "registry").rglob("*.skops"))) == 1


def test_register_rejects_bad_schema_and_leaves_nothing(platform_storage):
    model = RegisteredModelFactory()
    with pytest.raises(ValidationError) as error:
        register(model, input_schema=[{"name": "x", "type": "datetime"}])
    assert "input_schema" in error.value.message_dict
    assert not ModelVersion.objects.exists()
    assert not list(platform_storage.rglob("*.skops"))


def test_register_refuses_outsiders_and_wrong_task():
    model = RegisteredModelFactory()
    with pytest.raises(PermissionDenied):
        register(model, actor=UserFactory())
    with pytest.raises(ValidationError):
        services.version_register(
            registered_model=model,
            actor=None,
            pipeline=fitted_classifier(),
            task="regression",
            lineage=lineage(),
            metrics={},
            baseline_metrics={},
        )


def test_any_member_of_the_owning_team_may_register(team, team_engineer):
    assert register(RegisteredModelFactory(owning_team=team), actor=team_engineer).created_by == team_engineer


def test_version_is_immutable():
    version = register(RegisteredModelFactory())
    version.metrics = {"roc_auc": 0.99}
    with pytest.raises(ValidationError) as error:
        version.save()
    assert "metrics" in error.value.message_dict
    version.refresh_from_db()
    assert version.metrics == {"roc_auc": 0.8}


def test_stage_history_is_append_only():
    change = register(RegisteredModelFactory()).stage_changes.get()
    change.reason = "rewritten"
    with pytest.raises(ValidationError):
        change.save()
    with pytest.raises(ValidationError):
        change.delete()
    assert StageChange.objects.get(pk=change.pk).reason == "Registered."


# --- promotion and gates ---------------------------------------------------------------------------


def test_promote_to_production_archives_the_previous_one(team, team_lead):
    model = CompleteCardModelFactory(owning_team=team)
    v1, v2 = register(model), register(model)
    services.version_promote(version=v1, actor=team_lead, to_stage=Stage.PRODUCTION, reason="first")
    services.version_promote(version=v2, actor=team_lead, to_stage=Stage.PRODUCTION, reason="better")
    v1.refresh_from_db(), v2.refresh_from_db()
    assert (v1.stage, v2.stage) == (Stage.ARCHIVED, Stage.PRODUCTION)
    superseded = v1.stage_changes.first()
    assert superseded.to_stage == Stage.ARCHIVED and "v2" in superseded.reason
    assert superseded.actor == team_lead


def test_baseline_gate_refuses_and_names_the_gate(team, team_lead):
    model = CompleteCardModelFactory(owning_team=team, baseline_margin=0.05)
    version = register(model, score=0.53, baseline=0.5)
    with pytest.raises(services.GatesFailed) as error:
        services.version_promote(version=version, actor=team_lead, to_stage="production", reason="go")
    assert [g["gate"] for g in error.value.failed_gates] == ["beats_baseline"]
    assert "margin 0.05" in error.value.message
    # the metric by its label, the numbers in the portal's format
    (failed,) = error.value.failed_gates
    assert failed["message"].startswith("ROC AUC 0.53 vs baseline 0.5: improvement +0.03"), failed["message"]
    assert "roc_auc" not in failed["message"]
    version.refresh_from_db()
    assert version.stage == Stage.CANDIDATE


def test_lower_is_better_metric_gate():
    model = CompleteCardModelFactory(task="regression", primary_metric="rmse", baseline_margin=1.0)
    staff = StaffFactory()
    worse = register(model, score=12.0, baseline=12.5)  # improves by 0.5 < margin 1
    with pytest.raises(services.GatesFailed):
        services.version_promote(version=worse, actor=staff, to_stage="production", reason="go")
    better = register(model, score=10.0, baseline=12.5)
    services.version_promote(version=better, actor=staff, to_stage="production", reason="go")
    assert better.stage == Stage.PRODUCTION


def test_card_gate_names_the_missing_sections(team, team_lead):
    model = RegisteredModelFactory(owning_team=team, card_model_details="Details.")
    version = register(model)
    with pytest.raises(services.GatesFailed) as error:
        services.version_promote(version=version, actor=team_lead, to_stage="production", reason="go")
    (failed,) = error.value.failed_gates
    assert failed["gate"] == "card_complete"
    assert "Intended use" in failed["message"] and "Model details" not in failed["message"]
    assert "Metrics" not in failed["message"]  # filled in from the version's metrics


def test_both_gates_fail_together(team, team_lead):
    version = register(RegisteredModelFactory(owning_team=team), score=0.4, baseline=0.5)
    with pytest.raises(services.GatesFailed) as error:
        services.version_promote(version=version, actor=team_lead, to_stage="production", reason="go")
    assert {g["gate"] for g in error.value.failed_gates} == {"beats_baseline", "card_complete"}


def test_staff_override_is_recorded(team_lead):
    staff = StaffFactory()
    version = register(RegisteredModelFactory(), score=0.4, baseline=0.5)
    services.version_promote(
        version=version, actor=staff, to_stage="production", reason="incident", override=True
    )
    change = version.stage_changes.first()
    assert change.is_override and {g["gate"] for g in change.failed_gates} == {
        "beats_baseline",
        "card_complete",
    }


def test_override_by_a_team_lead_is_refused(team, team_lead):
    version = register(RegisteredModelFactory(owning_team=team), score=0.4, baseline=0.5)
    with pytest.raises(PermissionDenied):
        services.version_promote(
            version=version, actor=team_lead, to_stage="production", reason="go", override=True
        )


def test_override_when_gates_pass_is_not_flagged():
    version = register(CompleteCardModelFactory())
    services.version_promote(
        version=version, actor=StaffFactory(), to_stage="production", reason="go", override=True
    )
    assert not version.stage_changes.first().is_override


def test_disallowed_move_names_the_allowed_ones(team, team_lead):
    version = register(CompleteCardModelFactory(owning_team=team))
    services.version_promote(version=version, actor=team_lead, to_stage="archived", reason="old")
    services.version_promote(version=version, actor=team_lead, to_stage="staging", reason="retry")
    with pytest.raises(Conflict) as error:
        services.version_promote(version=version, actor=team_lead, to_stage="staging", reason="again")
    assert set(error.value.allowed) == {"production", "candidate", "archived"}


def test_promote_needs_a_reason_and_a_known_stage(team, team_lead):
    version = register(RegisteredModelFactory(owning_team=team))
    with pytest.raises(ValidationError) as error:
        services.version_promote(version=version, actor=team_lead, to_stage="staging", reason=" ")
    assert "reason" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        services.version_promote(version=version, actor=team_lead, to_stage="live", reason="x")
    assert "to_stage" in error.value.message_dict


def test_engineer_may_not_promote(team, team_engineer):
    version = register(CompleteCardModelFactory(owning_team=team))
    with pytest.raises(PermissionDenied):
        services.version_promote(version=version, actor=team_engineer, to_stage="staging", reason="x")


def test_rollback_restores_the_previous_production_version(team, team_pm):
    model = CompleteCardModelFactory(owning_team=team)
    v1, v2 = register(model), register(model)
    for version in (v1, v2):
        services.version_promote(version=version, actor=team_pm, to_stage="production", reason="ship")
    restored = services.version_rollback(registered_model=model, actor=team_pm, reason="v2 misbehaves")
    v2.refresh_from_db()
    assert restored == v1 and restored.stage == Stage.PRODUCTION and v2.stage == Stage.ARCHIVED
    rollbacks = StageChange.objects.filter(is_rollback=True)
    assert {(c.version.number, c.to_stage) for c in rollbacks} == {(1, "production"), (2, "archived")}


def test_rollback_without_history_conflicts(team, team_pm):
    model = CompleteCardModelFactory(owning_team=team)
    with pytest.raises(Conflict):
        services.version_rollback(registered_model=model, actor=team_pm, reason="x")
    services.version_promote(version=register(model), actor=team_pm, to_stage="production", reason="x")
    with pytest.raises(Conflict):
        services.version_rollback(registered_model=model, actor=team_pm, reason="x")


# --- feedback ------------------------------------------------------------------------------------


@pytest.fixture
def consumed_model(team):
    model = RegisteredModelFactory()
    model.consuming_teams.add(team)
    return model


def test_consumer_files_feedback_for_their_team(consumed_model, team, team_engineer):
    feedback = services.feedback_create(
        actor=team_engineer,
        data={
            "model": consumed_model,
            "kind": "drift",
            "severity": "high",
            "title": "Scores moved",
            "example_inputs": [{"basket_value": 3}],
        },
    )
    assert feedback.from_team == team and feedback.status == FeedbackStatus.OPEN
    assert feedback.filed_by == team_engineer


def test_non_consumers_may_not_file(consumed_model):
    with pytest.raises(PermissionDenied):
        services.feedback_create(
            actor=UserFactory(), data={"model": consumed_model, "kind": "bug", "title": "x"}
        )


def test_feedback_rejects_a_team_that_does_not_consume(consumed_model, team_engineer):
    other = TeamFactory()
    with pytest.raises(ValidationError) as error:
        services.feedback_create(
            actor=team_engineer,
            data={"model": consumed_model, "from_team": other, "kind": "bug", "title": "x"},
        )
    assert "from_team" in error.value.message_dict


def test_owner_acknowledges_then_resolves_with_timings(consumed_model):
    owner = MembershipFactory(team=consumed_model.owning_team, role=MemberRole.ENGINEER).user
    feedback = FeedbackFactory(model=consumed_model)
    feedback = services.feedback_acknowledge(actor=owner, feedback=feedback, response="Looking.")
    assert feedback.status == FeedbackStatus.ACKNOWLEDGED and feedback.acknowledged_at
    with pytest.raises(Conflict) as error:
        services.feedback_acknowledge(actor=owner, feedback=feedback)
    assert error.value.allowed == ["resolved"]
    feedback = services.feedback_resolve(actor=owner, feedback=feedback, response="Retrained.")
    assert feedback.status == FeedbackStatus.RESOLVED and feedback.resolved_at >= feedback.acknowledged_at
    with pytest.raises(Conflict):
        services.feedback_resolve(actor=owner, feedback=feedback)


def test_consumers_may_not_acknowledge(consumed_model, team_lead):
    with pytest.raises(PermissionDenied):
        services.feedback_acknowledge(actor=team_lead, feedback=FeedbackFactory(model=consumed_model))


def test_resolving_open_feedback_also_acknowledges_it():
    feedback = FeedbackFactory()
    feedback = services.feedback_resolve(actor=StaffFactory(), feedback=feedback)
    assert feedback.acknowledged_at == feedback.resolved_at


def test_platform_feedback_is_opened_once_per_key():
    model = RegisteredModelFactory()
    version = register(model)
    kwargs = dict(
        registered_model=model,
        version=version,
        kind="drift",
        severity="high",
        title="PSI 0.31 on basket_value",
        description="Significant drift.",
        dedupe_key=f"drift:{version.pk}:basket_value",
    )
    first, created = services.feedback_open_for_platform(**kwargs)
    again, created_again = services.feedback_open_for_platform(**kwargs)
    assert created and not created_again and first.pk == again.pk
    assert first.from_team is None and first.filed_by is None


def test_filed_at_is_set_by_the_database_time():
    feedback = FeedbackFactory()
    assert abs(feedback.filed_at - timezone.now()) < datetime.timedelta(seconds=30)


def test_register_stores_numpy_metrics_and_object_parameters_as_plain_json():
    model = RegisteredModelFactory()
    version = services.version_register(
        registered_model=model, actor=None, pipeline=fitted_classifier(), task="classification",
        lineage=lineage(parameters={"C": np.float64(0.5), "max_iter": np.int64(200), "penalty": None,
                                    "class_weight": {np.int64(1): 2.0}, "solver": object()}),
        metrics={"roc_auc": np.float32(0.8125)}, baseline_metrics={"roc_auc": np.float64(0.5)},
    )  # fmt: skip
    version.refresh_from_db()
    assert version.metrics == {"roc_auc": 0.8125} and version.parameters["max_iter"] == 200
    assert version.parameters["class_weight"] == {"1": 2.0} and version.parameters["solver"].startswith(
        "<object"
    )


@pytest.mark.django_db
def test_registering_announces_the_version_and_its_judgement_against_the_baseline(
    django_capture_on_commit_callbacks,
):
    model = RegisteredModelFactory(primary_metric="roc_auc", baseline_margin=0.02)
    heard = []

    def listen(sender, event, **kwargs):
        heard.append(event)

    events.published.connect(listen)
    try:
        with django_capture_on_commit_callbacks(execute=True):
            register(model, score=0.81, baseline=0.8)  # better, but by less than the margin
    finally:
        events.published.disconnect(listen)
    assert [event.type for event in heard] == ["version.registered", "version.evaluated"]
    judged = heard[1].data
    assert (judged["metric"], judged["value"], judged["baseline"]) == ("roc_auc", 0.81, 0.8)
    assert judged["improvement"] == 0.01 and judged["beats_baseline"] is False
    assert judged["origin"] == "portal" and judged["summary"].endswith(
        "does not beat its best baseline on ROC AUC"
    )
    assert heard[1].model_ids == (model.pk,)


def test_registering_a_version_reads_its_audience_once_per_event(team, django_capture_on_commit_callbacks):
    """A registration announces two events (registered, evaluated); each reads the matching webhook
    subscriptions and its audience (the owning team's members, the model's watches and slug) in one
    query, where three were made per event before (20 statements in all, 16 now)."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from apps.notifications.models import Notification, Watch

    model = RegisteredModelFactory(owning_team=team)
    member, watcher, muted = UserFactory(), UserFactory(), UserFactory()
    MembershipFactory(team=team, user=member)
    MembershipFactory(team=team, user=muted)
    Watch.objects.create(user=watcher, model=model, watching=True)
    Watch.objects.create(user=muted, model=model, watching=False)
    actor = StaffFactory()
    register(model, actor=actor)  # the content types and the actor's permissions, read once per process
    with CaptureQueriesContext(connection) as queries, django_capture_on_commit_callbacks(execute=True):
        version = register(model, actor=actor)
    statements = [
        query["sql"]
        for query in queries.captured_queries
        if "SAVEPOINT" not in query["sql"] and "django_content_type" not in query["sql"]
    ]
    inserts = [sql.split('"')[1] for sql in statements if sql.startswith("INSERT")]
    assert inserts == [
        "registry_modelversion",
        "audit_auditevent",
        "registry_stagechange",
        "audit_auditevent",
        "notifications_notification",  # version.registered: both audiences, with their e-mail choices
        "notifications_notification",  # version.evaluated
    ]
    audiences = [sql for sql in statements if "UNION ALL" in sql]
    assert len(audiences) == 2
    # lock, next number, 4 inserts, then per event: subscriptions, audience, the notifications,
    # their e-mail choices and the ids of those to e-mail at once (everybody here: the default)
    assert len(statements) == 16, "\n".join(sql[:100] for sql in statements)
    told = Notification.objects.filter(
        event_type="version.registered", summary__contains=f"v{version.number}"
    )
    assert dict(told.values_list("user_id", "reason")) == {
        member.pk: "your team owns this model",
        watcher.pk: "you watch this model",
    }
    assert set(told.values_list("url", flat=True)) == {f"/models/{model.slug}/"}
