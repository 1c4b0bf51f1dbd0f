"""Levels, the next-level report, team aggregation, MLOps maturity and the rubric override."""

import pytest

from apps.practices.checks import CheckResult, Status
from apps.practices.models import Level
from apps.practices.rubric import get_rubric
from apps.practices.scoring import aggregate, levels_of, mlops_level_of, next_level_needs
from apps.practices.services import evaluate
from tests.factories import TeamFactory
from tests.practices.factories import SelfAssessmentFactory
from tests.registry.factories import FULL_CARD, ModelVersionFactory, RegisteredModelFactory


def row(check, category, level, status):
    return {"check": check, "category": category, "level": level, "status": status, "title": check,
            "explanation": f"{check} is {status}", "how_to_fix": f"fix {check}"}  # fmt: skip


def test_level_is_highest_whose_checks_and_all_lower_pass():
    rows = [
        row("a", "quality", Level.BRONZE, "pass"),
        row("b", "quality", Level.SILVER, "pass"),
        row("c", "quality", Level.GOLD, "fail"),
        row("d", "ownership", Level.BRONZE, "pass"),
    ]
    categories, level = levels_of(rows)
    assert categories == {"quality": Level.SILVER, "ownership": Level.GOLD}
    assert level == Level.SILVER


def test_a_failing_lower_level_caps_the_level_even_if_higher_pass():
    rows = [row("a", "quality", Level.BRONZE, "fail"), row("b", "quality", Level.GOLD, "pass")]
    assert levels_of(rows) == ({"quality": Level.NONE}, Level.NONE)


def test_not_applicable_and_no_data_do_not_block():
    rows = [
        row("a", "quality", Level.BRONZE, "not_applicable"),
        row("b", "outcomes", Level.SILVER, "no_data"),
        row("c", "quality", Level.GOLD, "pass"),
        row("d", "engineering", Level.BRONZE, "pass"),
        row("e", "engineering", Level.SILVER, "fail"),
    ]
    categories, level = levels_of(rows)
    assert categories == {"quality": Level.GOLD, "engineering": Level.BRONZE}  # outcomes: nothing judged
    assert level == Level.BRONZE


def test_next_level_needs_lists_failing_checks_of_next_level_and_below():
    rows = [
        row("a", "quality", Level.BRONZE, "pass"),
        row("b", "quality", Level.SILVER, "fail"),
        row("c", "outcomes", Level.SILVER, "no_data"),
        row("d", "quality", Level.GOLD, "fail"),
    ]
    level = levels_of(rows)[1]
    needs = next_level_needs(level, rows)
    assert needs["level"] == Level.SILVER and needs["level_name"] == "Silver"
    assert [c["check"] for c in needs["checks"]] == ["b"]
    assert needs["checks"][0]["how_to_fix"] == "fix b"
    assert needs["waiting_for_data"] == ["c"]
    assert next_level_needs(Level.GOLD, rows)["level"] is None


def test_aggregate_over_models():
    ok, bad = CheckResult(Status.PASS, "ok"), CheckResult(Status.FAIL, "bad")
    na = CheckResult(Status.NOT_APPLICABLE, "na")
    assert aggregate([], []).status == Status.NOT_APPLICABLE
    assert aggregate([ok, na], ["m1", "m2"]).status == Status.PASS
    failing = aggregate([ok, bad], ["m1", "m2"])
    assert failing.status == Status.FAIL and "m2: bad" in failing.explanation
    assert failing.evidence == {"models": 2, "passing": 1, "failing": 1}
    assert aggregate([na, na], ["m1", "m2"]).status == Status.NOT_APPLICABLE


def status_rows(**statuses):
    return {code: {"check": code, "status": status} for code, status in statuses.items()}


def test_mlops_levels():
    level1 = {"trained_on_platform": "pass", "recently_retrained": "pass", "practice_monitoring": "fail",
              "outcome_data_arriving": "pass"}  # fmt: skip
    assert mlops_level_of(status_rows(**(level1 | {"trained_on_platform": "fail"}))) == 0
    assert mlops_level_of(status_rows(**level1)) == 1
    level2 = level1 | {"practice_ci": "pass", "practice_automated_tests": "pass", "no_gate_overrides": "pass"}
    assert mlops_level_of(status_rows(**level2)) == 2
    assert mlops_level_of(status_rows(**(level2 | {"outcome_data_arriving": "no_data"}))) == 0


def test_rubric_override_in_settings(settings):
    settings.PRACTICES_RUBRIC = {"model_card_complete": {"level": "gold"}, "consumers_recorded": None}
    rubric = get_rubric()
    assert rubric["model_card_complete"].level == Level.GOLD
    assert rubric["model_card_complete"].category == "documentation"
    assert "consumers_recorded" not in rubric


@pytest.mark.django_db
def test_team_scorecard_end_to_end_reaches_gold():
    team = TeamFactory()
    model = RegisteredModelFactory(owning_team=team, **FULL_CARD)
    model.consuming_teams.add(TeamFactory())
    ModelVersionFactory(model=model, number=1, stage="production")
    ModelVersionFactory(model=model, number=2)
    for practice in ["version_control", "ci", "automated_tests", "code_review", "monitoring"]:
        SelfAssessmentFactory(team=team, practice=practice)
    card = next(c for c in evaluate(teams=[team], models=[]) if c.subject == team)
    assert card.level == Level.GOLD, [r for r in card.results if r["status"] == "fail"]
    assert card.mlops_level == 2


@pytest.mark.django_db
def test_team_without_practices_has_no_level_and_is_told_what_to_do():
    team = TeamFactory()
    card = evaluate(teams=[team], models=[])[0]
    assert card.level == Level.NONE and card.mlops_level == 0
    needs = next_level_needs(card.level, card.results)
    assert {c["check"] for c in needs["checks"]} == {"practice_version_control", "practice_code_review"}
