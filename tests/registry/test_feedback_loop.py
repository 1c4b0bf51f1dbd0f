import datetime

import pytest
from django.utils import timezone

from apps.registry import selectors, services
from apps.registry.feedback_loop import is_overdue, loop_summary, loop_times
from apps.registry.models import Feedback, ModelVersion, StageChange
from tests.factories import StaffFactory
from tests.registry.factories import CompleteCardModelFactory, FeedbackFactory, register

pytestmark = pytest.mark.django_db

HOUR = datetime.timedelta(hours=1)


def filed(feedback, hours_ago: float, **fields):
    now = timezone.now()
    Feedback.objects.filter(pk=feedback.pk).update(filed_at=now - hours_ago * HOUR, **fields)
    return selectors.feedback_list().get(pk=feedback.pk)


@pytest.mark.parametrize(
    ("tier", "status", "hours_ago", "overdue"),
    [
        ("tier_1", "open", 3, False),
        ("tier_1", "open", 5, True),  # acknowledge within 4 h
        ("tier_1", "acknowledged", 50, False),
        ("tier_1", "acknowledged", 80, True),  # resolve within 72 h
        ("tier_2", "open", 23, False),
        ("tier_2", "open", 25, True),
        ("tier_2", "acknowledged", 24 * 8, True),
        ("tier_3", "open", 60, False),
        ("tier_3", "resolved", 24 * 90, False),  # resolved feedback is never overdue
    ],
)
def test_overdue_per_support_tier_in_python_and_sql(tier, status, hours_ago, overdue):
    model = CompleteCardModelFactory(support_tier=tier)
    feedback = filed(FeedbackFactory(model=model), hours_ago, status=status)
    assert is_overdue(feedback) is overdue
    assert (
        selectors.overdue_feedback_of_team(team=model.owning_team).filter(pk=feedback.pk).exists() is overdue
    )
    assert selectors.model_list().get(pk=model.pk).overdue_feedback == int(overdue)


def test_loop_times_filed_acknowledged_resolved_and_next_production():
    model = CompleteCardModelFactory()
    staff = StaffFactory()
    old = register(model)
    services.version_promote(version=old, actor=staff, to_stage="production", reason="first")
    a_day_ago = timezone.now() - 24 * HOUR
    ModelVersion.objects.filter(pk=old.pk).update(created_at=a_day_ago)
    StageChange.objects.filter(version=old).update(created_at=a_day_ago)
    feedback = filed(FeedbackFactory(model=model), 10)
    assert loop_times(feedback).to_next_production is None  # the old production version does not count
    services.feedback_acknowledge(actor=staff, feedback=feedback)
    new = register(model)
    services.version_promote(version=new, actor=staff, to_stage="production", reason="fix")
    services.feedback_resolve(actor=staff, feedback=feedback)
    times = loop_times(selectors.feedback_list().get(pk=feedback.pk))
    for value in (times.to_acknowledge, times.to_resolve, times.to_next_production):
        assert value == pytest.approx(10, abs=0.05)


def test_rollback_to_an_older_version_is_not_a_new_version_in_production():
    model = CompleteCardModelFactory()
    staff = StaffFactory()
    v1, v2 = register(model), register(model)
    services.version_promote(version=v1, actor=staff, to_stage="production", reason="a")
    services.version_promote(version=v2, actor=staff, to_stage="production", reason="b")
    a_day_ago = timezone.now() - 24 * HOUR
    ModelVersion.objects.filter(model=model).update(created_at=a_day_ago)
    StageChange.objects.filter(version__model=model).update(created_at=a_day_ago)
    feedback = filed(FeedbackFactory(model=model), 2)
    services.version_rollback(registered_model=model, actor=staff, reason="bad")
    assert loop_times(selectors.feedback_list().get(pk=feedback.pk)).to_next_production is None


def test_summary_is_the_median_of_each_loop_time():
    model = CompleteCardModelFactory()
    now = timezone.now()
    for hours in (2, 4, 30):
        filed(FeedbackFactory(model=model), hours, status="acknowledged", acknowledged_at=now)
    summary = loop_summary(selectors.feedback_of_model(registered_model=model))
    assert summary["count"] == 3
    assert summary["median_hours_to_acknowledge"] == pytest.approx(4, abs=0.05)
    assert summary["median_hours_to_resolve"] is None


def test_api_overdue_filter(api_as, outsider):
    model = CompleteCardModelFactory(support_tier="tier_1")
    late = filed(FeedbackFactory(model=model, title="late"), 6)
    filed(FeedbackFactory(model=model, title="fresh"), 1)
    body = api_as(outsider).get("/api/v1/feedback/?overdue=true").json()
    assert [item["id"] for item in body["results"]] == [late.pk] and body["results"][0]["is_overdue"]
