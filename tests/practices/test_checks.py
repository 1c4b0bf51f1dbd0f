"""Every check on data that passes it and data that fails it (real rows, loaded through sources)."""

import datetime

import pytest
from django.utils import timezone

from apps.practices.checks import CHECKS, Status, TeamContext
from apps.practices.sources import load_facts
from apps.registry.models import Feedback
from tests.factories import TeamFactory
from tests.practices.factories import SelfAssessmentFactory
from tests.registry.factories import (
    FULL_CARD,
    FeedbackFactory,
    ModelVersionFactory,
    RegisteredModelFactory,
    age,
    stage_change,
)

pytestmark = pytest.mark.django_db


def run(code, model):
    facts = load_facts([model.pk])
    return CHECKS[code].function(facts.models[model.pk], facts)


def test_owner_and_oncall():
    assert run("owner_and_oncall", RegisteredModelFactory()).status == Status.PASS
    result = run("owner_and_oncall", RegisteredModelFactory(oncall_contact="  "))
    assert result.status == Status.FAIL
    assert "on-call" in result.explanation


def test_consumers_recorded():
    model = RegisteredModelFactory()
    assert run("consumers_recorded", model).status == Status.FAIL
    model.consuming_teams.add(TeamFactory(), TeamFactory())
    result = run("consumers_recorded", model)
    assert result.status == Status.PASS
    assert result.evidence["consumers"] == 2


def test_model_card_complete():
    assert run("model_card_complete", RegisteredModelFactory(**FULL_CARD)).status == Status.PASS
    partial = RegisteredModelFactory(**(FULL_CARD | {"card_caveats": "", "card_factors": ""}))
    result = run("model_card_complete", partial)
    assert result.status == Status.FAIL
    assert result.evidence["filled"] == 6
    assert "Caveats" in result.explanation and "Factors" in result.explanation


def test_beats_baseline_pass_fail_and_not_applicable():
    model = RegisteredModelFactory(baseline_margin=0.05)
    ModelVersionFactory(model=model, stage="staging")
    assert run("beats_baseline", model).status == Status.NOT_APPLICABLE
    good = RegisteredModelFactory(baseline_margin=0.05)
    ModelVersionFactory(
        model=good, stage="production", metrics={"roc_auc": 0.8}, baseline_metrics={"roc_auc": 0.7}
    )
    assert run("beats_baseline", good).status == Status.PASS
    weak = RegisteredModelFactory(baseline_margin=0.05)
    ModelVersionFactory(
        model=weak, stage="production", metrics={"roc_auc": 0.72}, baseline_metrics={"roc_auc": 0.7}
    )
    result = run("beats_baseline", weak)
    assert result.status == Status.FAIL
    assert {k: result.evidence[k] for k in ("value", "baseline", "margin")} == {
        "value": 0.72,
        "baseline": 0.7,
        "margin": 0.05,
    }


def test_beats_baseline_lower_is_better_metric():
    model = RegisteredModelFactory(primary_metric="rmse", baseline_margin=0.0, task="regression")
    ModelVersionFactory(
        model=model, stage="production", metrics={"rmse": 3.0}, baseline_metrics={"rmse": 5.0}
    )
    assert run("beats_baseline", model).status == Status.PASS
    worse = RegisteredModelFactory(primary_metric="rmse", baseline_margin=0.0)
    ModelVersionFactory(
        model=worse, stage="production", metrics={"rmse": 6.0}, baseline_metrics={"rmse": 5.0}
    )
    assert run("beats_baseline", worse).status == Status.FAIL


def test_no_gate_overrides_within_window():
    model = RegisteredModelFactory()
    version = ModelVersionFactory(model=model)
    stage_change(version, is_override=True, days_ago=120)  # outside the 90-day window
    assert run("no_gate_overrides", model).status == Status.PASS
    stage_change(version, is_override=True, days_ago=10)
    result = run("no_gate_overrides", model)
    assert result.status == Status.FAIL
    assert result.evidence["overrides"] == 1


def test_lineage_recorded():
    model = RegisteredModelFactory()
    ModelVersionFactory(model=model)
    assert run("lineage_recorded", model).status == Status.PASS
    bare = RegisteredModelFactory()
    ModelVersionFactory(model=bare, dataset_sha256="", code_version="")
    result = run("lineage_recorded", bare)
    assert result.status == Status.FAIL
    assert "dataset hash" in result.explanation and "code version" in result.explanation
    assert run("lineage_recorded", RegisteredModelFactory()).status == Status.NOT_APPLICABLE


def test_training_reproducible_needs_a_matching_rerun():
    model = RegisteredModelFactory()
    ModelVersionFactory(model=model, number=1)
    result = run("training_reproducible", model)
    assert result.status == Status.FAIL and result.evidence["reruns"] == 0
    ModelVersionFactory(model=model, number=2)  # same dataset, parameters, code and metrics
    result = run("training_reproducible", model)
    assert result.status == Status.PASS and result.evidence["reruns"] == 1


def test_training_reproducible_fails_when_rerun_metrics_differ():
    model = RegisteredModelFactory()
    ModelVersionFactory(model=model, number=1, stage="production", metrics={"roc_auc": 0.8})
    ModelVersionFactory(model=model, number=2, metrics={"roc_auc": 0.75})
    ModelVersionFactory(
        model=model, number=3, parameters={"C": 9.0}, metrics={"roc_auc": 0.9}
    )  # other recipe
    result = run("training_reproducible", model)
    assert result.status == Status.FAIL
    assert result.evidence["differences"] == {"roc_auc": [0.8, 0.75]}


def test_training_reproducible_compares_only_runs_with_the_same_split_and_seed():
    model = RegisteredModelFactory()
    ModelVersionFactory(model=model, number=1, metrics={"roc_auc": 0.8})
    other_seed = {"target": "churned", "seed": 7, "holdout_share": 0.2, "stratified": True, "cv_folds": 5}
    ModelVersionFactory(model=model, number=2, split=other_seed, metrics={"roc_auc": 0.7})
    result = run("training_reproducible", model)  # v2 is another experiment, not a re-run of v1
    assert result.status == Status.FAIL and result.evidence["reruns"] == 0
    assert "No re-run" in result.explanation


def test_training_reproducible_needs_the_split_recorded():
    model = RegisteredModelFactory()
    ModelVersionFactory(model=model, number=1, split={})
    ModelVersionFactory(model=model, number=2, split={})
    result = run("training_reproducible", model)
    assert result.status == Status.FAIL and "split" in result.explanation


def test_training_reproducible_fails_for_a_version_trained_elsewhere():
    model = RegisteredModelFactory()
    ModelVersionFactory(model=model, number=1, origin="external")
    result = run("training_reproducible", model)
    assert result.status == Status.FAIL and "outside the portal" in result.explanation


def test_training_reproducible_fails_without_lineage():
    model = RegisteredModelFactory()
    ModelVersionFactory(model=model, parameters={})
    assert run("training_reproducible", model).status == Status.FAIL


def file_feedback(model, *, hours_ago, acknowledged_after=None, resolved_after=None):
    item = FeedbackFactory(model=model, kind="bug", title=f"Issue {hours_ago}")
    filed = timezone.now() - datetime.timedelta(hours=hours_ago)
    updates = {"filed_at": filed}
    if acknowledged_after is not None:
        updates["acknowledged_at"] = filed + datetime.timedelta(hours=acknowledged_after)
        updates["status"] = "acknowledged"
    if resolved_after is not None:
        updates["resolved_at"] = filed + datetime.timedelta(hours=resolved_after)
        updates["status"] = "resolved"
    Feedback.objects.filter(pk=item.pk).update(**updates)


def test_feedback_answered_against_tier_targets():
    # registry: acknowledge within 24 h, resolve in 7 days
    model = RegisteredModelFactory(support_tier="tier_2")
    assert run("feedback_answered", model).status == Status.NOT_APPLICABLE
    file_feedback(model, hours_ago=100, acknowledged_after=2, resolved_after=50)
    file_feedback(model, hours_ago=5)  # still open but inside its target
    assert run("feedback_answered", model).status == Status.PASS
    file_feedback(model, hours_ago=30)  # open and unacknowledged past 24 h
    result = run("feedback_answered", model)
    assert result.status == Status.FAIL
    assert result.evidence == {"feedback": 3, "late": 1, "tier": "tier_2"}


def test_feedback_targets_depend_on_the_tier():
    lenient = RegisteredModelFactory(support_tier="tier_3")
    file_feedback(lenient, hours_ago=30)
    assert run("feedback_answered", lenient).status == Status.PASS
    strict = RegisteredModelFactory(support_tier="tier_1")
    file_feedback(strict, hours_ago=30, acknowledged_after=6)  # acknowledged, but after the 4 h target
    assert run("feedback_answered", strict).status == Status.FAIL


def test_recently_retrained():
    model = RegisteredModelFactory()
    assert run("recently_retrained", model).status == Status.NOT_APPLICABLE
    old = ModelVersionFactory(model=model, number=1)
    age(old, days=200)
    result = run("recently_retrained", model)
    assert result.status == Status.FAIL and result.evidence["days_since"] == 200
    ModelVersionFactory(model=model, number=2)
    assert run("recently_retrained", model).status == Status.PASS


def test_outcome_and_training_checks_report_no_data_while_those_areas_have_none():
    model = RegisteredModelFactory()
    for code in ("outcome_data_arriving", "control_segment", "retraining_scheduled"):
        result = run(code, model)
        assert result.status == Status.NO_DATA, code


def test_outcome_checks_on_loaded_facts():
    """The outcome checks' rules, on facts as the outcomes area will provide them."""
    model = RegisteredModelFactory()
    facts = load_facts([model.pk])
    facts.observations_available = True
    mf = facts.models[model.pk]
    assert CHECKS["outcome_data_arriving"].function(mf, facts).status == Status.FAIL
    assert CHECKS["control_segment"].function(mf, facts).status == Status.FAIL
    mf.last_observation_at = facts.now - datetime.timedelta(days=20)
    assert CHECKS["outcome_data_arriving"].function(mf, facts).status == Status.FAIL
    mf.last_observation_at = facts.now - datetime.timedelta(days=3)
    mf.control_observations = 12
    assert CHECKS["outcome_data_arriving"].function(mf, facts).status == Status.PASS
    assert CHECKS["control_segment"].function(mf, facts).status == Status.PASS


def team_context(team, **kwargs):
    facts = load_facts(list(team.owned_models.values_list("pk", flat=True)))
    return TeamContext(
        team=team, models=list(facts.models.values()), assessments=kwargs, today=timezone.localdate()
    )


def test_trained_on_platform():
    team = TeamFactory()
    assert CHECKS["trained_on_platform"].function(team_context(team)).status == Status.NOT_APPLICABLE
    ModelVersionFactory(model=RegisteredModelFactory(owning_team=team))
    assert CHECKS["trained_on_platform"].function(team_context(team)).status == Status.PASS
    ModelVersionFactory(model=RegisteredModelFactory(owning_team=team, slug="by-hand"), source_key=None)
    result = CHECKS["trained_on_platform"].function(team_context(team))
    assert result.status == Status.FAIL and "by-hand" in result.explanation


@pytest.mark.parametrize(
    "practice", ["version_control", "ci", "automated_tests", "code_review", "monitoring"]
)
def test_practice_checks_count_only_unexpired_assessments(practice):
    team = TeamFactory()
    code = f"practice_{practice}"
    assert CHECKS[code].function(team_context(team)).status == Status.FAIL
    current = SelfAssessmentFactory(team=team, practice=practice)
    assert CHECKS[code].function(team_context(team, **{practice: current})).status == Status.PASS
    expired = SelfAssessmentFactory.build(
        team=team, practice=practice, expires_on=timezone.localdate() - datetime.timedelta(days=1)
    )
    result = CHECKS[code].function(team_context(team, **{practice: expired}))
    assert result.status == Status.FAIL and "expired" in result.explanation


def test_every_registered_check_is_tested_here():
    tested = {
        "owner_and_oncall",
        "consumers_recorded",
        "model_card_complete",
        "beats_baseline",
        "no_gate_overrides",
        "lineage_recorded",
        "training_reproducible",
        "outcome_data_arriving",
        "control_segment",
        "feedback_answered",
        "recently_retrained",
        "retraining_scheduled",
        "trained_on_platform",
    } | {f"practice_{p}" for p in ["version_control", "ci", "automated_tests", "code_review", "monitoring"]}
    assert set(CHECKS) == tested
