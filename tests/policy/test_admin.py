"""The admin's per-object change and delete permission follows the policy: a user handed the model
permissions (the Platform staff group's) without being platform staff still changes only what the
policy lets them, and a measured KPI is deleted only by platform staff."""

import pytest
from django.contrib import admin
from django.contrib.auth.models import Group, User
from django.test import RequestFactory
from django.utils import timezone

from apps.accounts import services as accounts_services
from apps.accounts.models import ApiToken, ServiceAccount
from apps.core import policy
from apps.core.admin_base import PolicyAdminMixin, ReadOnlyAdminMixin
from apps.core.models import DemoLoad, WorkerHeartbeat
from apps.modelrequests.models import Board, ModelRequest, RequestComment, SavedView
from apps.notifications.models import Preference, Watch
from apps.outcomes.models import (
    DailyAggregate,
    DriftReference,
    DriftResult,
    InputSample,
    Kpi,
    ModelCost,
    Observation,
    PredictionStats,
)
from apps.practices.models import Engagement, ScorecardSnapshot, SelfAssessment, SurveyResponse, SurveyRound
from apps.registry.models import Feedback, RegisteredModel
from apps.sso.models import IdentityLink
from apps.teams.models import Interaction, MemberRole, Membership, Team, ValueStream
from apps.training.models import DatasetVersion, RetrainingSchedule, TrainingJob
from apps.webhooks.models import Subscription
from tests.factories import (
    InteractionFactory,
    MembershipFactory,
    PlatformTeamFactory,
    StaffFactory,
    TeamFactory,
    UserFactory,
    ValueStreamFactory,
    api_token,
)
from tests.modelrequests.factories import ModelRequestFactory
from tests.outcomes.factories import KpiFactory, ModelCostFactory, observations
from tests.practices.factories import SelfAssessmentFactory, SurveyResponseFactory, SurveyRoundFactory
from tests.registry.factories import FeedbackFactory, ModelVersionFactory, RegisteredModelFactory
from tests.training.factories import DatasetVersionFactory, TrainingJobFactory

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


# --- every portal model's admin ---------------------------------------------------------------

PORTAL_MODEL_ADMINS = {
    model: model_admin
    for model, model_admin in admin.site._registry.items()
    if type(model_admin).__module__.startswith("apps.")
}


def test_every_portal_admin_follows_the_policy():
    """A new admin that checks nothing but the model permission fails here: it must name its rules
    (``PolicyAdminMixin``) or be read-only."""
    for model, model_admin in PORTAL_MODEL_ADMINS.items():
        label = model._meta.label
        if isinstance(model_admin, ReadOnlyAdminMixin):
            continue
        assert isinstance(model_admin, PolicyAdminMixin), f"{label}'s admin does not use the policy"
        named = [model_admin.change_rule, model_admin.delete_rule]
        assert any(named) or type(model_admin).delete_rule_for is not PolicyAdminMixin.delete_rule_for, label
        for name in filter(None, named):
            policy.rule(name)  # a rule the policy has


def _version(w):
    return ModelVersionFactory(model=w["model"])


def _request(w):
    return ModelRequestFactory(requesting_team=w["mine"], delivering_team=w["mine"], value_stream=w["stream"])


def _job(w):
    return TrainingJobFactory(dataset_version=DatasetVersionFactory(team=w["mine"]))


def _interaction(w):
    return InteractionFactory(from_team=w["mine"], to_team=PlatformTeamFactory())


# A row of each editable portal model, in the world of ``world`` (stream with PM ``pm``, its team
# ``mine`` with lead ``lead``), owned by nobody the outsider is.
ROWS = {
    DemoLoad: lambda w: DemoLoad.objects.create(area="teams"),
    WorkerHeartbeat: lambda w: WorkerHeartbeat.objects.create(
        hostname="w1", queue="celery", started_at=timezone.now(), beat_at=timezone.now()
    ),
    ValueStream: lambda w: w["stream"],
    Team: lambda w: w["mine"],
    Membership: lambda w: Membership.objects.get(user=w["lead"]),
    Interaction: _interaction,
    ApiToken: lambda w: ApiToken.objects.get(digest__isnull=False, user=w["lead"]),
    ServiceAccount: lambda w: accounts_services.service_account_create(
        actor=w["staff"], team=w["mine"], username="svc-mine", role="engineer", description=""
    ),
    User: lambda w: w["lead"],
    RegisteredModel: lambda w: w["model"],
    Feedback: lambda w: FeedbackFactory(model=w["model"]),
    DatasetVersion: lambda w: DatasetVersionFactory(team=w["mine"]),
    TrainingJob: _job,
    RetrainingSchedule: lambda w: RetrainingSchedule.objects.create(
        registered_model=w["model"],
        dataset_team=w["mine"],
        dataset_name="d",
        target="y",
        estimator="knn",
        next_run_at=timezone.now(),
    ),
    ModelRequest: _request,
    SavedView: lambda w: SavedView.objects.create(owner=w["lead"], name="mine"),
    RequestComment: lambda w: RequestComment.objects.create(request=_request(w), author=w["lead"], body="Hi"),
    Board: lambda w: Board.objects.create(team=w["mine"]),
    Kpi: lambda w: w["measured"],
    Observation: lambda w: w["measured"].observations.first(),
    ModelCost: lambda w: ModelCostFactory(model=w["model"]),
    PredictionStats: lambda w: PredictionStats.objects.create(
        version=_version(w), bucket_start=timezone.now()
    ),
    InputSample: lambda w: InputSample.objects.create(
        version=_version(w), bucket_start=timezone.now(), slot=0, inputs={}
    ),
    DriftReference: lambda w: DriftReference.objects.create(
        version=_version(w), feature="x", kind="numeric", proportions=[1.0], sample_size=1, source="training"
    ),
    DriftResult: lambda w: DriftResult.objects.create(
        version=_version(w),
        feature="x",
        window_start=timezone.now(),
        window_end=timezone.now(),
        psi=0.0,
        band="stable",
        sample_size=1,
    ),
    DailyAggregate: lambda w: DailyAggregate.objects.create(
        kpi=w["measured"], day=timezone.localdate(), segment="", n=1, total=1, total_sq=1, volume=1
    ),
    SelfAssessment: lambda w: SelfAssessmentFactory(team=w["mine"]),
    ScorecardSnapshot: lambda w: ScorecardSnapshot.objects.create(
        subject_type="team", team=w["mine"], fingerprint="f"
    ),
    Engagement: lambda w: Engagement.objects.create(interaction=_interaction(w)),
    SurveyRound: lambda w: SurveyRoundFactory(),
    SurveyResponse: lambda w: SurveyResponseFactory(team=w["mine"], respondent=w["lead"]),
    Subscription: lambda w: Subscription.objects.create(
        name="hook", team=w["mine"], url="https://example.com/h"
    ),
    IdentityLink: lambda w: IdentityLink.objects.create(
        user=w["lead"], issuer="https://idp.example.com", subject="s1", last_sign_in_at=timezone.now()
    ),
    Watch: lambda w: Watch.objects.create(user=w["lead"], model=w["model"]),
    Preference: lambda w: Preference.objects.create(user=w["lead"]),
}

# What the admin itself never offers, for anybody (the services own these writes).
NEVER_CHANGED = {ApiToken, IdentityLink}  # tokens are revoked, not edited; links are made by signing in
NEVER_DELETED = {ServiceAccount}  # deactivated instead


def test_every_editable_portal_model_has_a_row_here():
    editable = {m for m, a in PORTAL_MODEL_ADMINS.items() if not isinstance(a, ReadOnlyAdminMixin)}
    assert editable - {User} == set(ROWS) - {User}


@pytest.fixture
def admin_world(world):
    outsider = UserFactory()  # the model permissions of platform staff, but no team, stream or row
    outsider.groups.add(Group.objects.get(name="Platform staff"))
    api_token(world["lead"])
    world["model"] = RegisteredModelFactory(owning_team=world["mine"], value_stream=world["stream"])
    return world | {"outsider": outsider}


@pytest.mark.parametrize("model", list(ROWS), ids=lambda model: model._meta.label)
def test_platform_staff_edit_every_portal_model_and_model_permissions_alone_edit_nothing(admin_world, model):
    """Platform staff without superuser rights change and delete every portal model's rows in the
    admin (where the admin offers it), and open each row's page; someone handed the same model
    permissions without being platform staff, in no team, changes and deletes none of them."""
    row = ROWS[model](admin_world)
    model_admin = admin.site._registry[model]
    staff, outsider = admin_world["staff"], admin_world["outsider"]
    assert not staff.is_superuser
    may_change = model not in NEVER_CHANGED and model is not User  # users: view only (no passwords)
    assert model_admin.has_change_permission(as_request(staff), row) is may_change
    assert model_admin.has_delete_permission(as_request(staff), row) is (
        model not in NEVER_DELETED and model is not User
    )
    assert model_admin.has_change_permission(as_request(outsider), row) is False
    assert model_admin.has_delete_permission(as_request(outsider), row) is False
    assert model_admin.has_view_permission(as_request(staff), row) is True


@pytest.mark.parametrize("model", list(ROWS), ids=lambda model: model._meta.label)
def test_platform_staff_open_every_portal_row_in_the_admin(admin_world, client, model):
    row = ROWS[model](admin_world)
    client.force_login(admin_world["staff"])
    meta = model._meta
    page = client.get(f"/admin/{meta.app_label}/{meta.model_name}/{row.pk}/change/")
    assert page.status_code == 200
    if model is User:  # viewed, never given a new password by staff
        assert client.get(f"/admin/auth/user/{row.pk}/password/").status_code == 403
