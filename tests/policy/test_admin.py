"""The admin's per-object change and delete permission follows the policy: a user handed the model
permissions (the Platform staff group's) without being platform staff still changes only what the
policy lets them, and a measured KPI is deleted only by platform staff."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group
from django.test import RequestFactory

from apps.outcomes.models import Kpi
from apps.teams.models import MemberRole, Team, ValueStream
from tests.factories import MembershipFactory, StaffFactory, TeamFactory, UserFactory, ValueStreamFactory
from tests.outcomes.factories import KpiFactory, observations

pytestmark = pytest.mark.django_db


def as_request(user):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


@pytest.fixture
def world():
    pm = UserFactory()
    stream = ValueStreamFactory(product_manager=pm)
    mine, other = TeamFactory(value_stream=stream), TeamFactory()
    lead = MembershipFactory(team=mine, role=MemberRole.LEAD).user
    lead.groups.add(Group.objects.get(name="Platform staff"))  # model permissions, not staff status
    pm.groups.add(Group.objects.get(name="Platform staff"))
    measured, fresh = KpiFactory(stream=stream), KpiFactory(stream=stream)
    observations(measured, [1.0])
    return {
        "lead": lead,
        "pm": pm,
        "staff": StaffFactory(),
        "mine": mine,
        "other": other,
        "stream": stream,
        "measured": measured,
        "fresh": fresh,
    }


def permissions(model, user, obj):
    model_admin = admin.site._registry[model]
    request = as_request(user)
    return model_admin.has_change_permission(request, obj), model_admin.has_delete_permission(request, obj)


CASES = [
    # (who, model, object, (may change, may delete))
    ("lead", Team, "mine", (True, False)),
    ("lead", Team, "other", (False, False)),
    ("staff", Team, "other", (True, True)),
    ("pm", ValueStream, "stream", (True, False)),
    ("lead", ValueStream, "stream", (False, False)),
    ("staff", ValueStream, "stream", (True, True)),
    ("pm", Kpi, "fresh", (True, True)),
    ("pm", Kpi, "measured", (True, False)),
    ("lead", Kpi, "fresh", (False, False)),
    ("staff", Kpi, "measured", (True, True)),
]


@pytest.mark.parametrize(("who", "model", "obj", "expected"), CASES)
def test_admin_object_permissions_follow_the_policy(world, who, model, obj, expected):
    assert permissions(model, world[who], world[obj]) == expected
    # the lists themselves stay open to whoever has the model permission
    assert admin.site._registry[model].has_change_permission(as_request(world[who])) is True
