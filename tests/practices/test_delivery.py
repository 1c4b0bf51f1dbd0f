"""Per value stream: who delivers production models and the model delivery keys."""

import datetime

import pytest
from django.utils import timezone

from apps.practices.delivery import stream_delivery
from apps.registry.models import Feedback
from apps.teams.models import TeamType
from tests.factories import TeamFactory, ValueStreamFactory
from tests.modelrequests.factories import ModelRequestFactory
from tests.registry.factories import (
    FeedbackFactory,
    ModelVersionFactory,
    RegisteredModelFactory,
    stage_change,
)

pytestmark = pytest.mark.django_db


def in_production(team, *, on_platform=True):
    model = RegisteredModelFactory(owning_team=team, value_stream=team.value_stream or ValueStreamFactory())
    version = ModelVersionFactory(model=model, stage="production", source_key=None)
    if on_platform:
        ModelVersionFactory(model=model)  # a platform-trained candidate counts as "through the platform"
    return model, version


def row_of(stream):
    return next(r for r in stream_delivery() if r["stream"] == stream)


def test_share_of_production_models_by_who_delivers_them():
    stream = ValueStreamFactory()
    aligned = TeamFactory(value_stream=stream)
    specialist = TeamFactory(team_type=TeamType.COMPLICATED_SUBSYSTEM, value_stream=stream)
    in_production(aligned)
    in_production(aligned)
    in_production(aligned, on_platform=False)
    in_production(specialist)
    RegisteredModelFactory(owning_team=aligned)  # not in production: not counted
    row = row_of(stream)
    assert row["production_models"] == 4
    assert row["by_kind"] == {
        "stream_platform": 2,
        "stream_other": 1,
        "complicated_subsystem": 1,
        "other": 0,
    }
    assert row["self_service_share"] == 0.5


def test_delivery_keys_promotions_rollbacks_and_time_to_restore():
    team = TeamFactory()
    model, version = in_production(team)
    older = ModelVersionFactory(model=model, stage="archived")
    stage_change(older, days_ago=40)
    stage_change(version, days_ago=10)
    stage_change(version, days_ago=400)  # outside the window
    stage_change(older, days_ago=5, is_rollback=True)  # back to production
    stage_change(version, to_stage="archived", days_ago=5, is_rollback=True)
    filed = timezone.now() - datetime.timedelta(days=3)
    for hours, severity in ((6, "critical"), (10, "high"), (1, "low")):
        item = FeedbackFactory(model=model, kind="bug", title="down", severity=severity)
        Feedback.objects.filter(pk=item.pk).update(
            filed_at=filed, resolved_at=filed + datetime.timedelta(hours=hours), status="resolved"
        )
    row = row_of(team.value_stream)
    assert sum(row["promotions_by_month"].values()) == 2
    assert row["promotions_per_month"] == round(2 / 6, 2)
    assert row["rollbacks"] == 1 and row["rollback_rate"] == 0.5
    assert row["time_to_restore_hours"] == 8.0  # median of the high and critical items only


def test_request_lead_time_is_no_data_while_requests_has_none():
    stream = ValueStreamFactory()
    row = row_of(stream)
    assert row["requests_available"] is False and row["request_lead_time_days"] is None


def test_request_lead_time_is_the_median_from_submission_to_delivery():
    team = TeamFactory()
    now = timezone.now()
    for days in (10, 20, 60):
        ModelRequestFactory(
            requesting_team=team,
            status="delivered",
            submitted_at=now - datetime.timedelta(days=days + 5),
            delivered_at=now - datetime.timedelta(days=5),
        )
    ModelRequestFactory(requesting_team=team)  # not delivered: no lead time yet
    other = ValueStreamFactory()
    row = row_of(team.value_stream)
    assert row["requests_available"] is True and row["request_lead_time_days"] == 20.0
    assert row_of(other)["request_lead_time_days"] is None
