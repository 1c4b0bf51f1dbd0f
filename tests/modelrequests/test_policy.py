"""Who sets which side of a score, who edits a request, and the record of who set each input."""

import pytest
from django.core.exceptions import PermissionDenied

from apps.modelrequests import policy, services
from apps.modelrequests.models import ModelRequest, RequestStatus, ScoreInput
from tests.modelrequests.factories import ModelRequestFactory

pytestmark = pytest.mark.django_db

VALUE = {"reach": 500, "impact": 2, "confidence": 0.8, "business_value": 8, "time_criticality": 5}
VALUE_MORE = {"risk_reduction": 3}
SIZE = {"effort": 3, "job_size": 5}
ALL_FIELDS = {**VALUE, **VALUE_MORE, **SIZE}

# role -> the score inputs it may set
SIDES = {
    "stream_pm": set(VALUE) | set(VALUE_MORE),
    "request_pm": set(VALUE) | set(VALUE_MORE),
    "request_lead": set(VALUE) | set(VALUE_MORE),
    "deliver_pm": set(SIZE),
    "deliver_lead": set(SIZE),
    "staff": set(ALL_FIELDS),
    "request_engineer": set(),
    "deliver_engineer": set(),
    "outsider": set(),
}


@pytest.mark.parametrize("role", sorted(SIDES))
@pytest.mark.parametrize("field", sorted(ALL_FIELDS))
def test_each_score_input_is_set_by_its_side_and_records_who_and_when(cast, scored, role, field):
    actor = cast[role]
    request = ModelRequest.objects.select_related("value_stream").get(pk=scored.pk)
    value = ALL_FIELDS[field]
    if field in SIDES[role]:
        services.request_score(actor=actor, request=request, data={field: value})
        assert float(getattr(ModelRequest.objects.get(pk=scored.pk), field)) == float(value)
        record = ScoreInput.objects.get(request=scored, field=field)
        assert record.set_by == actor and record.set_at is not None
    else:
        with pytest.raises(PermissionDenied) as refused:
            services.request_score(actor=actor, request=request, data={field: value})
        assert policy.who_may_set(request, field) in str(refused.value)
        assert getattr(ModelRequest.objects.get(pk=scored.pk), field) is None
        assert not ScoreInput.objects.filter(request=scored).exists()


def test_a_mixed_change_with_one_forbidden_input_writes_nothing(cast, scored):
    with pytest.raises(PermissionDenied):
        services.request_score(actor=cast["request_pm"], request=scored, data={"reach": 9, "effort": 2})
    fresh = ModelRequest.objects.get(pk=scored.pk)
    assert (fresh.reach, fresh.effort) == (None, None)
    assert not ScoreInput.objects.exists()


def test_an_unchanged_input_sent_along_needs_no_right(cast, scored):
    ModelRequest.objects.filter(pk=scored.pk).update(effort=4)
    request = ModelRequest.objects.get(pk=scored.pk)
    services.request_score(actor=cast["request_pm"], request=request, data={"reach": 9, "effort": 4.0})
    assert list(ScoreInput.objects.values_list("field", flat=True)) == ["reach"]


def test_the_filer_edits_the_request_while_it_is_submitted(cast):
    filer = cast["request_engineer"]
    request = ModelRequestFactory(
        requesting_team=cast.requesting, delivering_team=cast.delivering, created_by=filer
    )
    services.request_update(actor=filer, request=request, data={"title": "Sharper title"})
    assert ModelRequest.objects.get(pk=request.pk).title == "Sharper title"
    with pytest.raises(PermissionDenied):  # the value side stays with the PMs and leads
        services.request_update(actor=filer, request=request, data={"reach": 10})
    ModelRequest.objects.filter(pk=request.pk).update(status=RequestStatus.TRIAGED)
    request.refresh_from_db()
    with pytest.raises(PermissionDenied) as refused:
        services.request_update(actor=filer, request=request, data={"title": "Too late"})
    assert "the person who filed it while it is submitted" in str(refused.value)
    assert ModelRequest.objects.get(pk=request.pk).title == "Sharper title"


def test_another_engineer_of_the_team_does_not_edit_it(cast):
    request = ModelRequestFactory(
        requesting_team=cast.requesting, delivering_team=cast.delivering, created_by=cast["request_pm"]
    )
    with pytest.raises(PermissionDenied):
        services.request_update(actor=cast["request_engineer"], request=request, data={"title": "x"})


@pytest.mark.parametrize(
    "role,allowed", [("deliver_pm", True), ("deliver_lead", True), ("staff", True), ("request_pm", False)]
)
def test_who_pins_and_unpins(cast, role, allowed):
    request = ModelRequestFactory(delivering_team=cast.delivering, manual_rank=1, rank_reason="x")
    assert policy.can_rank(cast[role], cast.delivering) is allowed
    if allowed:
        services.request_unpin(actor=cast[role], request=request)
        assert ModelRequest.objects.get(pk=request.pk).manual_rank is None
    else:
        with pytest.raises(PermissionDenied):
            services.backlog_unpin_all(actor=cast[role], team=cast.delivering)
        assert ModelRequest.objects.get(pk=request.pk).manual_rank == 1
