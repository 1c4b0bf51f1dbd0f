"""RICE and WSJF against hand-computed values, in Python and in the database; unscored stays unscored."""

import pytest
from django.core.exceptions import ValidationError

from apps.modelrequests import scoring, selectors
from apps.modelrequests.models import ModelRequest
from tests.modelrequests.factories import ModelRequestFactory, rice_inputs, wsjf_inputs

pytestmark = pytest.mark.django_db

# (reach, impact, confidence, effort, RICE worked out by hand)
RICE_CASES = [
    (1000, 2, 0.8, 4, 400.0),  # 1000 x 2 x 0.8 / 4
    (500, 0.25, 0.5, 0.5, 125.0),  # 500 x 0.25 x 0.5 / 0.5
    (20000, 3, 1.0, 6, 10000.0),  # 20000 x 3 x 1 / 6
]
# (business value, time criticality, risk reduction, job size, WSJF by hand)
WSJF_CASES = [
    (8, 5, 3, 5, 3.2),  # (8 + 5 + 3) / 5
    (20, 13, 1, 2, 17.0),  # 34 / 2
    (1, 1, 1, 20, 0.15),  # 3 / 20
]


@pytest.mark.parametrize("reach,impact,confidence,effort,expected", RICE_CASES)
def test_rice_by_hand(reach, impact, confidence, effort, expected):
    request = ModelRequestFactory(**rice_inputs(reach, impact, confidence, effort))
    assert request.rice_score == pytest.approx(expected)
    assert selectors.request_list().get(pk=request.pk).rice == pytest.approx(expected)


@pytest.mark.parametrize("value,time,risk,size,expected", WSJF_CASES)
def test_wsjf_by_hand(value, time, risk, size, expected):
    request = ModelRequestFactory(**wsjf_inputs(value, time, risk, size))
    assert request.wsjf_score == pytest.approx(expected)
    assert selectors.request_list().get(pk=request.pk).wsjf == pytest.approx(expected)


@pytest.mark.parametrize("missing", scoring.RICE_INPUTS)
def test_missing_rice_input_gives_no_score(missing):
    inputs = rice_inputs(1000, 2, 0.8, 4) | {missing: None}
    request = ModelRequestFactory(**inputs)
    assert request.rice_score is None
    assert selectors.request_list().get(pk=request.pk).rice is None


def test_missing_wsjf_input_gives_no_score():
    request = ModelRequestFactory(**(wsjf_inputs(8, 5, 3, 5) | {"job_size": None}))
    assert request.wsjf_score is None
    assert selectors.request_list().get(pk=request.pk).wsjf is None


@pytest.mark.parametrize(
    "field,value,allowed",
    [
        ("impact", 1.5, "0.25, 0.5, 1, 2, 3"),
        ("confidence", 0.9, "0.5, 0.8, 1.0"),
        ("job_size", 4, "1, 2, 3, 5, 8"),
    ],
)
def test_inputs_off_scale_are_rejected_naming_the_scale(field, value, allowed):
    request = ModelRequestFactory.build(**{field: value})
    with pytest.raises(ValidationError) as error:
        scoring.validate_inputs(request)
    assert allowed in error.value.message_dict[field][0]


def test_effort_must_be_positive():
    with pytest.raises(ValidationError) as error:
        scoring.validate_inputs(ModelRequestFactory.build(effort=0))
    assert "greater than 0" in error.value.message_dict["effort"][0]


def test_scales_are_configurable(settings):
    settings.MODELREQUESTS_SCALES = {"impact": (1, 2, 4, 8)}
    scoring.validate_inputs(ModelRequestFactory.build(impact=4))
    with pytest.raises(ValidationError):
        scoring.validate_inputs(ModelRequestFactory.build(impact=0.25))


def test_backlog_order_follows_the_board_method_and_lists_unscored_apart():
    first = ModelRequestFactory(title="high rice", **rice_inputs(9000), **wsjf_inputs(1))
    team = first.delivering_team
    ModelRequestFactory(title="high wsjf", delivering_team=team, **rice_inputs(10), **wsjf_inputs(20))
    ModelRequestFactory(title="no inputs", delivering_team=team)
    base = selectors.request_list()
    by_rice = [r.title for r in selectors.backlog(base, team=team, method="rice")]
    by_wsjf = [r.title for r in selectors.backlog(base, team=team, method="wsjf")]
    assert by_rice == ["high rice", "high wsjf"]
    assert by_wsjf == ["high wsjf", "high rice"]
    assert [r.title for r in selectors.backlog_unscored(base, team=team, method="rice")] == ["no inputs"]


def test_capacity_line_uses_cumulative_effort(team):
    team.capacity_points = 3
    team.save()
    # RICE 900, 400, 175: in that order, efforts 1, 2, 4 add up to 1, 3, 7
    for reach, effort in ((900, 1), (800, 2), (700, 4)):
        ModelRequestFactory(delivering_team=team, **rice_inputs(reach, effort=effort))
    rows = list(selectors.backlog(ModelRequest.objects.all(), team=team, method="rice"))
    assert [r.cumulative_size for r in rows] == [1, 3, 7]
    assert [r.cumulative_size <= team.capacity_points for r in rows] == [True, True, False]
