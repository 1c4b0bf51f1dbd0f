"""The permission matrix of every write: each non-GET operation of the OpenAPI schema and each
browser form (a view that takes POST) x the eight kinds of caller, with the answer the policy gives
written out and the row read before and after (changed exactly when the write was allowed).

The world (``world``): value streams Checkout (PM ``stream_pm``) and Fraud (PM ``other_pm``); the
team Payments in Checkout (lead ``owning_lead``, engineer ``member``) owns the model ``basket-score``
and what hangs off it (versions, feedback, costs, schedule, webhook, datasets, jobs, requests, its
self-assessment, its interaction with ML Platform); the team Signals in Fraud has the engineer
``other_member``; ``read_only`` is Payments' service account (its product manager) calling with a read-only
token; ``staff`` is platform staff. ``spare`` is a user nobody else is, for the account endpoints.

Each write runs for every caller inside a savepoint that is rolled back, so each caller meets the
same world. ``test_every_write_is_in_the_matrix`` fails when a write appears that the matrix does not
cover."""

import datetime
import functools
import inspect
import io
import re
from dataclasses import dataclass, field
from html.parser import HTMLParser

import pandas
import pytest
import skops.io
import yaml
from axes.models import AccessAttempt
from django.contrib.auth.tokens import default_token_generator
from django.contrib.messages import get_messages
from django.core import mail
from django.core.management import call_command
from django.db import transaction
from django.test import Client, TestCase
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone
from django.utils.encoding import force_bytes
from django.utils.http import urlsafe_base64_encode
from rest_framework.test import APIClient
from sklearn.linear_model import LogisticRegression
from sklearn.pipeline import Pipeline

from apps.accounts import services as account_services
from apps.accounts.models import ApiToken, ServiceAccount
from apps.modelrequests.models import Board, ModelRequest, RequestComment, SavedView
from apps.notifications.models import Notification, Preference, Watch
from apps.outcomes.models import Kpi, ModelCost, Observation
from apps.practices.models import Engagement, SelfAssessment, SurveyResponse, SurveyRound
from apps.registry import services as registry_services
from apps.registry.models import Feedback, ModelVersion, RegisteredModel
from apps.teams.models import Interaction, MemberRole, Membership, Team, TeamType, ValueStream
from apps.training.models import DatasetVersion, RetrainingSchedule, TrainingJob
from apps.webhooks.models import Delivery, Subscription
from tests.factories import (
    PASSWORD,
    MembershipFactory,
    StaffFactory,
    TeamFactory,
    UserFactory,
    ValueStreamFactory,
    api_token,
)
from tests.modelrequests.factories import ModelRequestFactory
from tests.outcomes.factories import KpiFactory, ModelCostFactory
from tests.practices.factories import SelfAssessmentFactory, SurveyResponseFactory, SurveyRoundFactory
from tests.registry.factories import FeedbackFactory, RegisteredModelFactory, register
from tests.training.factories import DatasetVersionFactory, TrainingJobFactory

pytestmark = pytest.mark.django_db

ROLES = ("anonymous", "member", "other_member", "owning_lead", "stream_pm", "other_pm", "read_only", "staff")
PEOPLE = {"member", "other_member", "owning_lead", "stream_pm", "other_pm", "staff"}  # signed-in persons
SIGNED_IN = PEOPLE | {"read_only"}
EVERYONE = set(ROLES)


@dataclass
class Write:
    """One write: ``url(w)``, ``body(w, role)``, who may (``allowed``), the status they get, and the row
    (``read(w, role)``) that changes only for them. ``refused`` is the status of a signed-in caller
    the policy refuses (403, or 404 where the caller cannot even see the row)."""

    url: object
    allowed: set
    read: object
    body: object = None
    status: int = 200
    refused: int = 403
    multipart: bool = False
    refused_by: dict = field(default_factory=dict)  # role -> status, where it is not ``refused``
    changes: bool = True  # False: a read sent as POST, which changes no row for anybody


def fixed(text):
    return lambda w: text


# --- the world ----------------------------------------------------------------------------------


@pytest.fixture
def world(tmp_path, settings):
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    staff = StaffFactory(username="staff")
    stream_pm, other_pm = UserFactory(username="stream_pm"), UserFactory(username="other_pm")
    checkout = ValueStreamFactory(name="Checkout", slug="checkout", product_manager=stream_pm)
    fraud = ValueStreamFactory(name="Fraud", slug="fraud", product_manager=other_pm)
    spare_stream = ValueStreamFactory(name="Spare", slug="spare")
    payments = TeamFactory(name="Payments", slug="payments", value_stream=checkout)
    signals = TeamFactory(name="Signals", slug="signals", value_stream=fraud)
    platform = TeamFactory(
        name="ML Platform", slug="ml-platform", team_type=TeamType.PLATFORM, value_stream=None
    )
    enabling = TeamFactory(name="Coaches", slug="coaches", team_type=TeamType.ENABLING, value_stream=None)
    spare_team = TeamFactory(name="Spare team", slug="spare-team", value_stream=checkout)
    member = MembershipFactory(
        team=payments, role=MemberRole.ENGINEER, user=UserFactory(username="member")
    ).user
    owning_lead = MembershipFactory(
        team=payments, role=MemberRole.LEAD, user=UserFactory(username="lead")
    ).user
    other_member = MembershipFactory(
        team=signals, role=MemberRole.ENGINEER, user=UserFactory(username="other")
    ).user
    service = account_services.service_account_create(
        actor=staff, team=payments, username="svc-payments", role="product_manager", description="CI"
    )
    idle_service = account_services.service_account_create(
        actor=staff, team=payments, username="svc-idle", role="engineer", description="Old CI"
    )
    account_services.service_account_deactivate(actor=staff, account=idle_service)
    spare = UserFactory(username="spare")
    AccessAttempt.objects.create(  # a lockout for platform staff to lift
        username="gone",
        ip_address="10.0.0.9",
        user_agent="",
        http_accept="",
        path_info="/login/",
        get_data="",
        post_data="",
        failures_since_start=10,
    )
    gone = UserFactory(username="gone", is_active=False)
    users = {
        "member": member,
        "other_member": other_member,
        "owning_lead": owning_lead,
        "stream_pm": stream_pm,
        "other_pm": other_pm,
        "read_only": service.user,
        "staff": staff,
    }
    tokens = {role: api_token(user) for role, user in users.items() if role != "read_only"}
    tokens["read_only"] = account_services.token_create(  # issued by the team's lead, as the portal does
        actor=owning_lead, owner=service.user, name="read-only", read_only=True
    )[1]
    model = RegisteredModelFactory(
        name="Basket score", slug="basket-score", owning_team=payments, value_stream=checkout
    )
    costed = RegisteredModelFactory(
        name="Basket cost", slug="basket-cost", owning_team=payments, value_stream=checkout
    )
    bare = RegisteredModelFactory(name="Unused", slug="unused", owning_team=payments, value_stream=checkout)
    v1, v2 = register(model), register(model)
    for version in (v1, v2):  # v2 in production after v1: a roll back has somewhere to go
        registry_services.version_promote(
            version=version, actor=staff, to_stage="production", reason="matrix", override=True
        )
    candidate = register(model)
    kpi = KpiFactory(stream=checkout, name="Conversion")
    fresh_kpi = KpiFactory(stream=checkout, name="Fresh")
    dataset = DatasetVersionFactory(team=payments, name="orders")
    queued_job = TrainingJobFactory(dataset_version=dataset, status="queued", progress=0)
    trained_job = TrainingJobFactory(dataset_version=dataset, registered_model=model)  # succeeded
    request = ModelRequestFactory(
        requesting_team=payments, delivering_team=payments, value_stream=checkout, created_by=member
    )
    pinned = ModelRequestFactory(
        requesting_team=payments, delivering_team=payments, value_stream=checkout, manual_rank=1
    )
    facilitating, unstarted = (
        Interaction.objects.create(
            from_team=enabling,
            to_team=payments,
            mode="facilitating",
            purpose=purpose,
            start_date=timezone.localdate() - datetime.timedelta(days=5),
            expected_end=timezone.localdate() + datetime.timedelta(days=30),
        )
        for purpose in ("Teach monitoring.", "Teach testing.")
    )
    engagement = Engagement.objects.create(interaction=facilitating, goals=["practice_ci"])
    round_one, round_two = SurveyRoundFactory(), SurveyRoundFactory()
    response = SurveyResponseFactory(round=round_one, team=payments, respondent=member)
    hook = Subscription.objects.create(
        name="CI", team=payments, url="https://ci.example.com/hook", created_by=owning_lead
    )
    delivery = Delivery.objects.create(subscription=hook, event_type="model.promoted", event_id="e1", body={})
    for user in [*users.values(), spare]:
        Notification.objects.create(user=user, event_type="x", event_id="e", summary="Hi", reason="you")
    w = {
        "users": users,
        "tokens": tokens,
        "spare": spare,
        "gone": gone,
        "service": service,
        "idle_service": idle_service,
        "checkout": checkout,
        "spare_stream": spare_stream,
        "payments": payments,
        "platform": platform,
        "spare_team": spare_team,
        "membership": Membership.objects.get(user=member),
        "interaction": Interaction.objects.create(
            from_team=payments,
            to_team=platform,
            mode="x_as_a_service",
            purpose="Use the platform.",
            start_date=timezone.localdate() - datetime.timedelta(days=10),
        ),
        "model": model,
        "costed": costed,
        "cost": ModelCostFactory(model=costed),
        "bare": bare,
        "candidate": candidate,
        "kpi": kpi,
        "fresh_kpi": fresh_kpi,
        "dataset": dataset,
        "job": queued_job,
        "trained_job": trained_job,
        "schedule": RetrainingSchedule.objects.create(
            registered_model=model,
            dataset_team=payments,
            dataset_name="orders",
            target="y",
            estimator="knn",
            next_run_at=timezone.now(),
        ),
        "request": request,
        "pinned": pinned,
        "feedback": FeedbackFactory(model=model, from_team=payments),
        "assessment": SelfAssessmentFactory(team=payments),
        "facilitating": facilitating,
        "unstarted": unstarted,
        "engagement": engagement,
        "round": round_one,
        "round_two": round_two,
        "response": response,
        "view": SavedView.objects.create(owner=member, name="Mine", kind="list", query="status=submitted"),
        "token": ApiToken.objects.filter(user=member).get(),
        "watch": Watch.objects.create(user=member, model=model, watching=True),
        "hook": hook,
        "delivery": delivery,
        "tmp": tmp_path,
    }
    return w


def user_of(w, role):
    return w["users"].get(role)


# --- reading the row ----------------------------------------------------------------------------


def value(model, pk_key, *fields):
    return lambda w, role: model.objects.filter(pk=w[pk_key].pk).values_list(*fields).first()


def count(model, **filters):
    return lambda w, role: model.objects.filter(
        **{k: (v(w) if callable(v) else v) for k, v in filters.items()}
    ).count()


def own(model, *fields, by="user"):
    """The caller's own rows of ``model`` (nothing for the anonymous caller)."""

    def read(w, role):
        user = user_of(w, role)
        if user is None:
            return None
        return sorted(model.objects.filter(**{by: user}).values_list(*fields), key=repr)

    return read


def password_of(username):
    return lambda w, role: type(w["spare"]).objects.get(username=username).password


def own_password(w, role):
    user = user_of(w, role)
    return None if user is None else type(user).objects.get(pk=user.pk).password


QUEUED = "the work it queued once the request commits (no row changes before)"


def put_body(resource, **changes):
    """A PUT body: the row as the API shows it (to platform staff), with ``changes``."""

    def body(w, role):
        client = APIClient()
        client.credentials(HTTP_AUTHORIZATION=f"Token {w['tokens']['staff']}")
        shown = client.get(resource(w)).json()
        fields = client.options(resource(w)).json()["actions"]["PUT"]
        writable = {name for name, about in fields.items() if not about.get("read_only")}
        return {k: v for k, v in shown.items() if v is not None and k in writable} | changes

    return body


def named_file(name: str, content: bytes):
    upload = io.BytesIO(content)
    upload.name = name
    return upload


def csv_file(w, role):
    return {
        "team": "payments",
        "name": "orders-new",
        "file": named_file("orders.csv", b"x,y\n1,0\n2,1\n3,0\n4,1\n"),
    }


@functools.cache
def notebook_model() -> bytes:
    """A version trained outside the portal on the world's dataset (x -> y): a skops file."""
    frame = pandas.DataFrame({"x": [1.0, 2.0, 3.0, 4.0, 5.0, 6.0], "y": ["a", "b", "a", "b", "a", "b"]})
    return skops.io.dumps(Pipeline([("model", LogisticRegression())]).fit(frame[["x"]], frame["y"]))


def external_version(w, role, **fields):
    return {
        "dataset_version": w["dataset"].pk,
        "target": "y",
        "features": "x",
        "artefact": named_file("notebook.skops", notebook_model()),
        "framework": "scikit-learn",
    } | fields


TEAM = fixed("/api/v1/teams/payments/")
STREAM = fixed("/api/v1/streams/checkout/")
MODEL = fixed("/api/v1/models/basket-score/")


def at(prefix, key):
    return lambda w: f"{prefix}{w[key].pk}/"


def then(prefix, key, suffix):
    return lambda w: f"{prefix}{w[key].pk}/{suffix}"


TEAM_EDITORS = {"owning_lead", "staff"}
TEAM_MEMBERS = {"member", "owning_lead", "staff"}
STREAM_EDITORS = {"stream_pm", "staff"}
STAFF = {"staff"}
PEOPLE_ONLY = PEOPLE  # anyone signed in as a person, for themselves
NOT_IN_PAYMENTS = ("other_member", "stream_pm", "other_pm")

# --- the API's writes: (method, schema path) -> Write ------------------------------------------

API = {
    # teams, streams, members, interactions
    ("post", "/api/v1/teams/"): Write(
        fixed("/api/v1/teams/"),
        STAFF,
        count(Team),
        body=lambda w, r: {"name": "New", "slug": "new"},
        status=201,
    ),
    ("put", "/api/v1/teams/{slug}/"): Write(
        TEAM, TEAM_EDITORS, value(Team, "payments", "focus"), body=put_body(TEAM, focus="Put focus")
    ),
    ("patch", "/api/v1/teams/{slug}/"): Write(
        TEAM, TEAM_EDITORS, value(Team, "payments", "focus"), body=lambda w, r: {"focus": "Patched"}
    ),
    ("delete", "/api/v1/teams/{slug}/"): Write(
        fixed("/api/v1/teams/spare-team/"), STAFF, count(Team), status=204
    ),
    ("post", "/api/v1/streams/"): Write(
        fixed("/api/v1/streams/"),
        STAFF,
        count(ValueStream),
        body=lambda w, r: {"name": "New", "slug": "new"},
        status=201,
    ),
    ("put", "/api/v1/streams/{slug}/"): Write(
        STREAM,
        STREAM_EDITORS,
        value(ValueStream, "checkout", "description"),
        body=put_body(STREAM, description="Put."),
    ),
    ("patch", "/api/v1/streams/{slug}/"): Write(
        STREAM,
        STREAM_EDITORS,
        value(ValueStream, "checkout", "description"),
        body=lambda w, r: {"description": "Ours."},
    ),
    ("delete", "/api/v1/streams/{slug}/"): Write(
        fixed("/api/v1/streams/spare/"), STAFF, count(ValueStream), status=204
    ),
    ("post", "/api/v1/members/"): Write(
        fixed("/api/v1/members/"),
        TEAM_EDITORS,
        count(Membership, team__slug="payments"),
        body=lambda w, r: {"team": "payments", "user": "spare", "role": "engineer"},
        status=201,
    ),
    ("put", "/api/v1/members/{id}/"): Write(
        at("/api/v1/members/", "membership"),
        TEAM_EDITORS,
        value(Membership, "membership", "role"),
        body=put_body(at("/api/v1/members/", "membership"), role="data_scientist"),
    ),
    ("patch", "/api/v1/members/{id}/"): Write(
        at("/api/v1/members/", "membership"),
        TEAM_EDITORS,
        value(Membership, "membership", "role"),
        body=lambda w, r: {"role": "data_scientist"},
    ),
    ("delete", "/api/v1/members/{id}/"): Write(
        at("/api/v1/members/", "membership"),
        TEAM_EDITORS,
        count(Membership, team__slug="payments"),
        status=204,
    ),
    ("post", "/api/v1/interactions/"): Write(
        fixed("/api/v1/interactions/"),
        TEAM_EDITORS,
        count(Interaction),
        body=lambda w, r: {
            "from_team": "payments",
            "to_team": "ml-platform",
            "mode": "collaboration",
            "purpose": "Build it together.",
            "start_date": str(timezone.localdate()),
            "expected_end": str(timezone.localdate() + datetime.timedelta(days=30)),
        },
        status=201,
    ),
    ("put", "/api/v1/interactions/{id}/"): Write(
        at("/api/v1/interactions/", "interaction"),
        TEAM_EDITORS,
        value(Interaction, "interaction", "purpose"),
        body=put_body(at("/api/v1/interactions/", "interaction"), purpose="Put purpose."),
    ),
    ("patch", "/api/v1/interactions/{id}/"): Write(
        at("/api/v1/interactions/", "interaction"),
        TEAM_EDITORS,
        value(Interaction, "interaction", "purpose"),
        body=lambda w, r: {"purpose": "Patched purpose."},
    ),
    ("delete", "/api/v1/interactions/{id}/"): Write(
        at("/api/v1/interactions/", "interaction"), TEAM_EDITORS, count(Interaction), status=204
    ),
    # outcomes
    ("post", "/api/v1/kpis/"): Write(
        fixed("/api/v1/kpis/"),
        STREAM_EDITORS,
        count(Kpi),
        body=lambda w, r: {"stream": "checkout", "name": "Basket size", "unit": "items"},
        status=201,
    ),
    ("put", "/api/v1/kpis/{id}/"): Write(
        at("/api/v1/kpis/", "kpi"),
        STREAM_EDITORS,
        value(Kpi, "kpi", "target"),
        body=put_body(at("/api/v1/kpis/", "kpi"), target=0.7),
    ),
    ("patch", "/api/v1/kpis/{id}/"): Write(
        at("/api/v1/kpis/", "kpi"),
        STREAM_EDITORS,
        value(Kpi, "kpi", "target"),
        body=lambda w, r: {"target": 0.5},
    ),
    ("delete", "/api/v1/kpis/{id}/"): Write(
        at("/api/v1/kpis/", "fresh_kpi"), STREAM_EDITORS, count(Kpi), status=204
    ),
    ("post", "/api/v1/kpis/{id}/retire/"): Write(
        then("/api/v1/kpis/", "kpi", "retire/"), STREAM_EDITORS, value(Kpi, "kpi", "retired_at")
    ),
    ("post", "/api/v1/observations/"): Write(
        fixed("/api/v1/observations/"),
        {"member", "owning_lead", "stream_pm", "staff"},
        count(Observation),
        body=lambda w, r: [{"kpi": w["kpi"].pk, "time": "2026-01-01", "value": 1}],
        status=201,
    ),
    ("post", "/api/v1/model-costs/"): Write(
        fixed("/api/v1/model-costs/"),
        {"member", "owning_lead", "stream_pm", "staff"},
        count(ModelCost),
        body=lambda w, r: {"model": "basket-score", "monthly_running_cost": 10},
        status=201,
    ),
    ("put", "/api/v1/model-costs/{model}/"): Write(
        fixed("/api/v1/model-costs/basket-cost/"),
        {"member", "owning_lead", "stream_pm", "staff"},
        value(ModelCost, "cost", "monthly_running_cost"),
        body=put_body(fixed("/api/v1/model-costs/basket-cost/"), monthly_running_cost=55),
    ),
    ("patch", "/api/v1/model-costs/{model}/"): Write(
        fixed("/api/v1/model-costs/basket-cost/"),
        {"member", "owning_lead", "stream_pm", "staff"},
        value(ModelCost, "cost", "monthly_running_cost"),
        body=lambda w, r: {"monthly_running_cost": 77},
    ),
    ("delete", "/api/v1/model-costs/{model}/"): Write(
        fixed("/api/v1/model-costs/basket-cost/"),
        {"member", "owning_lead", "stream_pm", "staff"},
        count(ModelCost),
        status=204,
    ),
    # registry
    ("post", "/api/v1/models/"): Write(
        fixed("/api/v1/models/"),
        TEAM_EDITORS,
        count(RegisteredModel),
        body=lambda w, r: {
            "name": "Fresh",
            "slug": "fresh",
            "owning_team": "payments",
            "value_stream": "checkout",
        },
        status=201,
    ),
    ("put", "/api/v1/models/{slug}/"): Write(
        MODEL,
        TEAM_EDITORS,
        value(RegisteredModel, "model", "purpose"),
        body=lambda w, r: {
            "name": "Basket score",
            "slug": "basket-score",
            "owning_team": "payments",
            "value_stream": "checkout",
            "purpose": "Put purpose.",
            "task": "classification",
            "primary_metric": "roc_auc",
        },
    ),
    ("patch", "/api/v1/models/{slug}/"): Write(
        MODEL,
        TEAM_EDITORS,
        value(RegisteredModel, "model", "purpose"),
        body=lambda w, r: {"purpose": "Rank baskets."},
    ),
    ("delete", "/api/v1/models/{slug}/"): Write(
        fixed("/api/v1/models/unused/"), STAFF, count(RegisteredModel), status=204
    ),
    ("post", "/api/v1/models/{model_slug}/versions/{number}/promote/"): Write(
        lambda w: f"/api/v1/models/basket-score/versions/{w['candidate'].number}/promote/",
        TEAM_EDITORS,
        value(ModelVersion, "candidate", "stage"),
        body=lambda w, r: {"to_stage": "staging", "reason": "Try it."},
    ),
    ("post", "/api/v1/models/{slug}/rollback/"): Write(
        fixed("/api/v1/models/basket-score/rollback/"),
        TEAM_EDITORS,
        lambda w, r: list(
            ModelVersion.objects.filter(model=w["model"]).order_by("number").values_list("stage")
        ),
        body=lambda w, r: {"reason": "Worse."},
    ),
    ("post", "/api/v1/models/{model_slug}/predict/"): Write(  # a read sent as POST: everyone signed in
        fixed("/api/v1/models/basket-score/predict/"),
        PEOPLE,
        lambda w, r: ModelVersion.objects.filter(model=w["model"]).count(),
        body=lambda w, r: {
            "records": [{"basket_value": 50.0, "items": 2, "is_member": True, "channel": "web"}]
        },
        changes=False,
    ),
    ("post", "/api/v1/feedback/"): Write(
        fixed("/api/v1/feedback/"),
        TEAM_MEMBERS,
        count(Feedback),
        body=lambda w, r: {"model": "basket-score", "kind": "wrong_predictions", "title": "Odd"},
        status=201,
    ),
    ("post", "/api/v1/feedback/{id}/acknowledge/"): Write(
        then("/api/v1/feedback/", "feedback", "acknowledge/"),
        TEAM_MEMBERS,
        value(Feedback, "feedback", "status"),
    ),
    ("post", "/api/v1/feedback/{id}/resolve/"): Write(
        then("/api/v1/feedback/", "feedback", "resolve/"), TEAM_MEMBERS, value(Feedback, "feedback", "status")
    ),
    # model requests
    ("post", "/api/v1/model-requests/"): Write(
        fixed("/api/v1/model-requests/"),
        TEAM_MEMBERS,
        count(ModelRequest),
        body=lambda w, r: {
            "title": "Spot fraud",
            "problem_statement": "Losses.",
            "requesting_team": "payments",
            "delivering_team": "payments",
            "value_stream": "checkout",
            "kpi": "Conversion",
            "expected_change": 1.0,
            "affected_volume": 100,
            "simplest_alternative": "A rule.",
        },
        status=201,
    ),
    ("put", "/api/v1/model-requests/{id}/"): Write(
        at("/api/v1/model-requests/", "request"),
        {"member", "owning_lead", "staff"},  # the filer while submitted, the teams' leads
        value(ModelRequest, "request", "title"),
        body=lambda w, r: {
            "title": "Put title",
            "problem_statement": "Losses.",
            "requesting_team": "payments",
            "delivering_team": "payments",
            "value_stream": "checkout",
            "kpi": "Conversion",
            "expected_change": 1.0,
            "affected_volume": 100,
            "simplest_alternative": "A rule.",
        },
    ),
    ("patch", "/api/v1/model-requests/{id}/"): Write(
        at("/api/v1/model-requests/", "request"),
        {"member", "owning_lead", "staff"},
        value(ModelRequest, "request", "title"),
        body=lambda w, r: {"title": "Patched title"},
    ),
    ("delete", "/api/v1/model-requests/{id}/"): Write(
        at("/api/v1/model-requests/", "request"), TEAM_EDITORS, count(ModelRequest), status=204
    ),
    ("post", "/api/v1/model-requests/{id}/comments/"): Write(
        then("/api/v1/model-requests/", "request", "comments/"),
        {"member", "owning_lead", "stream_pm", "staff"},
        count(RequestComment),
        body=lambda w, r: {"body": "Looks useful."},
        status=201,
    ),
    ("post", "/api/v1/model-requests/{id}/rank/"): Write(
        then("/api/v1/model-requests/", "request", "rank/"),
        TEAM_EDITORS,
        value(ModelRequest, "request", "manual_rank"),
        body=lambda w, r: {"position": 1, "reason": "Most urgent."},
    ),
    ("post", "/api/v1/model-requests/{id}/score/"): Write(
        then("/api/v1/model-requests/", "request", "score/"),
        {"owning_lead", "stream_pm", "staff"},  # the value side: the stream's PM, the requesting team's lead
        value(ModelRequest, "request", "reach"),
        body=lambda w, r: {"reach": 1234},
    ),
    ("post", "/api/v1/model-requests/{id}/transition/"): Write(
        then("/api/v1/model-requests/", "request", "transition/"),
        TEAM_EDITORS,  # submitted -> triaged: the delivering team's lead or PM
        value(ModelRequest, "request", "status"),
        body=lambda w, r: {"to": "triaged", "note": "Looked at it."},
    ),
    ("post", "/api/v1/model-requests/{id}/unpin/"): Write(
        then("/api/v1/model-requests/", "pinned", "unpin/"),
        TEAM_EDITORS,
        value(ModelRequest, "pinned", "manual_rank"),
    ),
    ("post", "/api/v1/model-requests/bulk-score/"): Write(
        fixed("/api/v1/model-requests/bulk-score/"),
        TEAM_EDITORS,
        value(ModelRequest, "request", "effort"),
        body=lambda w, r: {"delivering_team": "payments", "rows": [{"id": w["request"].pk, "effort": 3}]},
    ),
    ("post", "/api/v1/model-requests/unpin-all/"): Write(
        fixed("/api/v1/model-requests/unpin-all/"),
        TEAM_EDITORS,
        value(ModelRequest, "pinned", "manual_rank"),
        body=lambda w, r: {"delivering_team": "payments"},
    ),
    ("post", "/api/v1/saved-views/"): Write(
        fixed("/api/v1/saved-views/"),
        PEOPLE_ONLY,
        own(SavedView, "name", by="owner"),
        body=lambda w, r: {"name": "Triage", "kind": "list", "query": "status=triaged"},
        status=201,
    ),
    ("put", "/api/v1/saved-views/{id}/"): Write(
        at("/api/v1/saved-views/", "view"),
        {"member", "staff"},
        value(SavedView, "view", "name"),
        body=lambda w, r: {"name": "Put", "kind": "list", "query": "status=triaged"},
        refused=404,  # a row the caller cannot see
    ),
    ("patch", "/api/v1/saved-views/{id}/"): Write(
        at("/api/v1/saved-views/", "view"),
        {"member", "staff"},
        value(SavedView, "view", "name"),
        body=lambda w, r: {"name": "Patched"},
        refused=404,  # a row the caller cannot see
    ),
    ("delete", "/api/v1/saved-views/{id}/"): Write(
        at("/api/v1/saved-views/", "view"), {"member", "staff"}, count(SavedView), status=204, refused=404
    ),
    # training
    ("post", "/api/v1/datasets/"): Write(
        fixed("/api/v1/datasets/"),
        TEAM_MEMBERS,
        count(DatasetVersion),
        body=csv_file,
        status=202,
        multipart=True,
    ),
    ("post", "/api/v1/training-jobs/"): Write(
        fixed("/api/v1/training-jobs/"),
        TEAM_MEMBERS,
        count(TrainingJob),
        body=lambda w, r: {
            "dataset_version": w["dataset"].pk,
            "target": "y",
            "estimator": "knn",
            "features": ["x"],
        },
        status=201,
    ),
    ("post", "/api/v1/external-versions/"): Write(  # the evaluation job is queued; no worker runs it here
        fixed("/api/v1/external-versions/"),
        TEAM_MEMBERS,
        count(TrainingJob, kind="evaluate"),
        body=lambda w, r: external_version(w, r, registered_model="basket-score"),
        status=201,
        multipart=True,
    ),
    ("post", "/api/v1/training-jobs/{id}/cancel/"): Write(
        then("/api/v1/training-jobs/", "job", "cancel/"), TEAM_MEMBERS, value(TrainingJob, "job", "status")
    ),
    ("post", "/api/v1/retraining-schedules/"): Write(
        fixed("/api/v1/retraining-schedules/"),
        TEAM_MEMBERS,
        count(RetrainingSchedule),
        body=lambda w, r: {
            "registered_model": "basket-cost",
            "dataset_team": "payments",
            "dataset_name": "orders",
            "target": "y",
            "estimator": "knn",
        },
        status=201,
    ),
    ("put", "/api/v1/retraining-schedules/{id}/"): Write(
        at("/api/v1/retraining-schedules/", "schedule"),
        TEAM_MEMBERS,
        value(RetrainingSchedule, "schedule", "interval_hours"),
        body=put_body(at("/api/v1/retraining-schedules/", "schedule"), interval_hours=48),
    ),
    ("patch", "/api/v1/retraining-schedules/{id}/"): Write(
        at("/api/v1/retraining-schedules/", "schedule"),
        TEAM_MEMBERS,
        value(RetrainingSchedule, "schedule", "interval_hours"),
        body=lambda w, r: {"interval_hours": 72},
    ),
    ("delete", "/api/v1/retraining-schedules/{id}/"): Write(
        at("/api/v1/retraining-schedules/", "schedule"), TEAM_MEMBERS, count(RetrainingSchedule), status=204
    ),
    # practices
    ("post", "/api/v1/engagements/"): Write(
        fixed("/api/v1/engagements/"),
        TEAM_EDITORS,
        count(Engagement),
        body=lambda w, r: {"interaction": w["unstarted"].pk, "goals": ["practice_ci"]},
        status=201,
    ),
    ("put", "/api/v1/engagements/{id}/"): Write(
        at("/api/v1/engagements/", "engagement"),
        TEAM_EDITORS,
        value(Engagement, "engagement", "notes"),
        body=lambda w, r: {"interaction": w["facilitating"].pk, "goals": ["practice_ci"], "notes": "Put."},
    ),
    ("patch", "/api/v1/engagements/{id}/"): Write(
        at("/api/v1/engagements/", "engagement"),
        TEAM_EDITORS,
        value(Engagement, "engagement", "notes"),
        body=lambda w, r: {"notes": "Patched."},
    ),
    ("delete", "/api/v1/engagements/{id}/"): Write(
        at("/api/v1/engagements/", "engagement"), TEAM_EDITORS, count(Engagement), status=204
    ),
    ("post", "/api/v1/engagements/{id}/complete/"): Write(
        then("/api/v1/engagements/", "engagement", "complete/"),
        TEAM_EDITORS,
        value(Engagement, "engagement", "completed_at"),
    ),
    ("post", "/api/v1/scorecards/recompute/"): Write(
        fixed("/api/v1/scorecards/recompute/"),
        TEAM_EDITORS,
        lambda w, r: w["payments"].scorecard_snapshots.count(),
        body=lambda w, r: {"team": "payments"},
    ),
    ("post", "/api/v1/self-assessments/"): Write(
        fixed("/api/v1/self-assessments/"),
        TEAM_EDITORS,
        count(SelfAssessment),
        body=lambda w, r: {
            "team": "payments",
            "practice": "ci",
            "evidence_url": "https://ci.example.com",
            "expires_on": str(timezone.localdate() + datetime.timedelta(days=60)),
        },
        status=201,
    ),
    ("put", "/api/v1/self-assessments/{id}/"): Write(
        at("/api/v1/self-assessments/", "assessment"),
        TEAM_EDITORS,
        value(SelfAssessment, "assessment", "notes"),
        body=put_body(at("/api/v1/self-assessments/", "assessment"), notes="Put."),
    ),
    ("patch", "/api/v1/self-assessments/{id}/"): Write(
        at("/api/v1/self-assessments/", "assessment"),
        TEAM_EDITORS,
        value(SelfAssessment, "assessment", "notes"),
        body=lambda w, r: {"notes": "Patched."},
    ),
    ("delete", "/api/v1/self-assessments/{id}/"): Write(
        at("/api/v1/self-assessments/", "assessment"), TEAM_EDITORS, count(SelfAssessment), status=204
    ),
    ("post", "/api/v1/survey-responses/"): Write(
        fixed("/api/v1/survey-responses/"),
        TEAM_MEMBERS,
        count(SurveyResponse),
        body=lambda w, r: {
            "round": w["round_two"].pk,
            "team": "payments",
            **dict.fromkeys(
                [
                    "owned_scope",
                    "extraneous_work",
                    "specialist_knowledge",
                    "waiting_on_others",
                    "onboarding",
                    "context_switching",
                ],
                4,
            ),
        },
        status=201,
    ),
    ("put", "/api/v1/survey-responses/{id}/"): Write(
        at("/api/v1/survey-responses/", "response"),
        {"member", "staff"},
        value(SurveyResponse, "response", "onboarding"),
        body=put_body(at("/api/v1/survey-responses/", "response"), onboarding=5),
        refused=404,  # a row the caller cannot see
    ),
    ("patch", "/api/v1/survey-responses/{id}/"): Write(
        at("/api/v1/survey-responses/", "response"),
        {"member", "staff"},
        value(SurveyResponse, "response", "onboarding"),
        body=lambda w, r: {"onboarding": 1},
        refused=404,  # a row the caller cannot see
    ),
    ("delete", "/api/v1/survey-responses/{id}/"): Write(
        at("/api/v1/survey-responses/", "response"),
        {"member", "staff"},
        count(SurveyResponse),
        status=204,
        refused=404,  # a row the caller cannot see
    ),
    ("post", "/api/v1/survey-rounds/"): Write(
        fixed("/api/v1/survey-rounds/"),
        STAFF,
        count(SurveyRound),
        body=lambda w, r: {"name": "Q3", "opens_on": "2026-07-01", "closes_on": "2026-07-15"},
        status=201,
    ),
    ("put", "/api/v1/survey-rounds/{id}/"): Write(
        at("/api/v1/survey-rounds/", "round"),
        STAFF,
        value(SurveyRound, "round", "name"),
        body=put_body(at("/api/v1/survey-rounds/", "round"), name="Put round"),
    ),
    ("patch", "/api/v1/survey-rounds/{id}/"): Write(
        at("/api/v1/survey-rounds/", "round"),
        STAFF,
        value(SurveyRound, "round", "name"),
        body=lambda w, r: {"name": "Renamed"},
    ),
    ("delete", "/api/v1/survey-rounds/{id}/"): Write(
        at("/api/v1/survey-rounds/", "round_two"), STAFF, count(SurveyRound), status=204
    ),
    # webhooks
    ("post", "/api/v1/webhooks/"): Write(
        fixed("/api/v1/webhooks/"),
        TEAM_EDITORS,
        count(Subscription),
        body=lambda w, r: {"name": "Deploys", "team": "payments", "url": "https://deploy.example.com/hook"},
        status=201,
    ),
    ("put", "/api/v1/webhooks/{id}/"): Write(
        at("/api/v1/webhooks/", "hook"),
        TEAM_EDITORS,
        value(Subscription, "hook", "name"),
        body=lambda w, r: {"name": "Put", "team": "payments", "url": "https://ci.example.com/hook"},
    ),
    ("patch", "/api/v1/webhooks/{id}/"): Write(
        at("/api/v1/webhooks/", "hook"),
        TEAM_EDITORS,
        value(Subscription, "hook", "name"),
        body=lambda w, r: {"name": "Patched"},
    ),
    ("delete", "/api/v1/webhooks/{id}/"): Write(
        at("/api/v1/webhooks/", "hook"), TEAM_EDITORS, count(Subscription), status=204
    ),
    ("post", "/api/v1/webhooks/{id}/rotate-secret/"): Write(
        then("/api/v1/webhooks/", "hook", "rotate-secret/"),
        TEAM_EDITORS,
        value(Subscription, "hook", "secret"),
    ),
    ("post", "/api/v1/webhooks/{id}/test/"): Write(
        then("/api/v1/webhooks/", "hook", "test/"), TEAM_EDITORS, count(Delivery), status=202
    ),
    ("post", "/api/v1/webhook-deliveries/{id}/redeliver/"): Write(
        then("/api/v1/webhook-deliveries/", "delivery", "redeliver/"),
        TEAM_EDITORS,
        count(Delivery),
        status=202,
    ),
    # people, service accounts, tokens
    ("post", "/api/v1/users/"): Write(
        fixed("/api/v1/users/"),
        STAFF,
        lambda w, r: type(w["spare"]).objects.count(),
        body=lambda w, r: {"username": "newbie", "email": "newbie@example.com"},
        status=201,
    ),
    ("post", "/api/v1/users/{username}/deactivate/"): Write(
        fixed("/api/v1/users/spare/deactivate/"),
        STAFF,
        lambda w, r: type(w["spare"]).objects.get(username="spare").is_active,
    ),
    ("post", "/api/v1/users/{username}/reactivate/"): Write(
        fixed("/api/v1/users/gone/reactivate/"),
        STAFF,
        lambda w, r: type(w["spare"]).objects.get(username="gone").is_active,
    ),
    ("post", "/api/v1/service-accounts/"): Write(
        fixed("/api/v1/service-accounts/"),
        {"owning_lead", "staff"},
        count(ServiceAccount),
        body=lambda w, r: {"team": "payments", "username": "svc-new", "role": "engineer"},
        status=201,
    ),
    ("patch", "/api/v1/service-accounts/{username}/"): Write(
        fixed("/api/v1/service-accounts/svc-payments/"),
        {"owning_lead", "staff"},
        value(ServiceAccount, "service", "description"),
        body=lambda w, r: {"description": "Deploys."},
        refused_by=dict.fromkeys(NOT_IN_PAYMENTS, 404),  # another team's account: not shown to them
    ),
    ("post", "/api/v1/service-accounts/{username}/deactivate/"): Write(
        fixed("/api/v1/service-accounts/svc-payments/deactivate/"),
        {"owning_lead", "staff"},
        lambda w, r: type(w["spare"]).objects.get(username="svc-payments").is_active,
        refused_by=dict.fromkeys(NOT_IN_PAYMENTS, 404),  # another team's account: not shown to them
    ),
    ("post", "/api/v1/service-accounts/{username}/reactivate/"): Write(
        fixed("/api/v1/service-accounts/svc-idle/reactivate/"),
        {"owning_lead", "staff"},
        lambda w, r: type(w["spare"]).objects.get(username="svc-idle").is_active,
        refused_by=dict.fromkeys(NOT_IN_PAYMENTS, 404),  # another team's account: not shown to them
    ),
    ("post", "/api/v1/tokens/"): Write(
        fixed("/api/v1/tokens/"),
        PEOPLE_ONLY,
        own(ApiToken, "name"),
        body=lambda w, r: {"name": "laptop"},
        status=201,
    ),
    ("delete", "/api/v1/tokens/{id}/"): Write(
        at("/api/v1/tokens/", "token"),
        {"member", "staff"},
        count(ApiToken, user__username="member"),
        status=204,
        refused=404,  # somebody else's token is not shown to them
    ),
    ("post", "/api/v1/auth/token/"): Write(  # signing in: anybody holding the password; no token is read
        fixed("/api/v1/auth/token/"),
        EVERYONE,
        count(ApiToken, user__username="spare"),
        body=lambda w, r: {"username": "spare", "password": PASSWORD},
    ),
    ("post", "/api/v1/auth/password/"): Write(
        fixed("/api/v1/auth/password/"),
        PEOPLE_ONLY,
        own_password,
        body=lambda w, r: {"old_password": PASSWORD, "new_password": "A-much-longer-secret-42"},
    ),
    ("post", "/api/v1/auth/password-reset/"): Write(  # anybody may ask; the mail goes to the address's owner
        fixed("/api/v1/auth/password-reset/"),
        EVERYONE,
        QUEUED,
        body=lambda w, r: {"email": "spare@example.com"},
        status=202,
    ),
    ("post", "/api/v1/auth/password-reset/confirm/"): Write(  # anybody holding the mailed link
        fixed("/api/v1/auth/password-reset/confirm/"),
        EVERYONE,
        password_of("spare"),
        body=lambda w, r: {
            "uid": urlsafe_base64_encode(force_bytes(w["spare"].pk)),
            "token": default_token_generator.make_token(w["spare"]),
            "new_password": "A-much-longer-secret-42",
        },
    ),
    ("post", "/api/v1/auth/sign-out-everywhere/"): Write(
        fixed("/api/v1/auth/sign-out-everywhere/"), PEOPLE_ONLY, own(ApiToken, "name")
    ),
    ("post", "/api/v1/auth/lockouts/unlock/"): Write(
        fixed("/api/v1/auth/lockouts/unlock/"),
        STAFF,
        lambda w, r: AccessAttempt.objects.count(),
        body=lambda w, r: {"username": "gone"},
    ),
    # notifications
    ("put", "/api/v1/notification-preference/"): Write(
        fixed("/api/v1/notification-preference/"),
        PEOPLE_ONLY,
        own(Preference, "email"),
        body=lambda w, r: {"email": "none"},
    ),
    ("post", "/api/v1/notifications/mark-read/"): Write(
        fixed("/api/v1/notifications/mark-read/"),
        PEOPLE_ONLY,
        own(Notification, "read_at"),
        body=lambda w, r: {},
    ),
    ("post", "/api/v1/watches/"): Write(
        fixed("/api/v1/watches/"),
        PEOPLE_ONLY,
        own(Watch, "model_id", "watching"),
        body=lambda w, r: {"model": "basket-cost", "watching": True},
        status=201,
    ),
    ("delete", "/api/v1/watches/{id}/"): Write(
        at("/api/v1/watches/", "watch"),
        {"member"},
        count(Watch, user__username="member"),
        status=204,
        refused=404,  # the API shows each caller only their own watches; staff fix others' in the admin
    ),
}

# Writes the matrix does not run yet, each with the reason; the list may only shrink.
API_NOT_RUN: dict = {}


def api_client(w, role):
    client = APIClient()
    if role != "anonymous":
        client.credentials(HTTP_AUTHORIZATION=f"Token {w['tokens'][role]}")
    return client


def expected_status(write: Write, role: str) -> int:
    if role in write.allowed:
        return write.status
    if role == "anonymous":
        return 401
    if role == "read_only":
        return 403  # the token is refused before anything else is looked at
    return write.refused_by.get(role, write.refused)


@pytest.mark.parametrize("operation", list(API), ids=lambda op: f"{op[0].upper()} {op[1]}")
def test_api_write_matrix(world, operation):
    write = API[operation]
    method = operation[0]
    wrong = []
    for role in ROLES:
        mail.outbox = []
        with transaction.atomic():
            before = 0 if write.read is QUEUED else write.read(world, role)
            body = write.body(world, role) if write.body else None
            client = api_client(world, role)
            kwargs = {"format": "multipart" if write.multipart else "json"} if body is not None else {}
            with TestCase.captureOnCommitCallbacks() as queued:
                response = getattr(client, method)(write.url(world), body, **kwargs)
            after = len(queued) if write.read is QUEUED else write.read(world, role)
            transaction.set_rollback(True)
        expected = expected_status(write, role)
        changed = after != before
        if response.status_code != expected or changed != (role in write.allowed and write.changes):
            text = response.content.decode()[:200]
            wrong.append(
                f"{role}: {response.status_code} (expected {expected}), row changed: {changed}: {text}"
            )
    assert wrong == [], "\n".join(wrong)


# --- enumerating the writes ---------------------------------------------------------------------


def schema_writes() -> set[tuple[str, str]]:
    out = io.StringIO()
    call_command("spectacular", "--format", "openapi", stdout=out)
    schema = yaml.safe_load(out.getvalue())
    return {
        (method, path)
        for path, operations in schema["paths"].items()
        for method in operations
        if method in ("post", "put", "patch", "delete")
    }


def test_every_api_write_is_in_the_matrix():
    writes = schema_writes()
    assert writes - set(API) - set(API_NOT_RUN) == set(), "a write endpoint the matrix does not cover"
    assert set(API_NOT_RUN) <= writes and not set(API_NOT_RUN) & set(API)


# --- the browser's forms ------------------------------------------------------------------------


class _FormFields(HTMLParser):
    """The fields of the page's forms, as a browser would send them untouched."""

    def __init__(self, path):
        super().__init__()
        self.data: dict[str, list[str]] = {}
        self._select = self._textarea = None
        self._path, self._inside = path, False

    def handle_starttag(self, tag, attrs):
        a = dict(attrs)
        if tag == "form":  # only the page's own form: it posts back to the page
            self._inside = a.get("method", "").lower() == "post" and a.get("action") in (None, "", self._path)
        if not self._inside:
            return
        name = a.get("name")
        if tag == "input" and name and a.get("type") not in ("submit", "button", "file"):
            if a.get("type") in ("checkbox", "radio") and "checked" not in a:
                return
            self.data.setdefault(name, []).append(
                a.get("value") or ("on" if a.get("type") == "checkbox" else "")
            )
        elif tag == "select" and name:
            self._select = name
            self.data.setdefault(name, [])
        elif tag == "option" and self._select and "selected" in a:
            self.data[self._select].append(a.get("value", ""))
        elif tag == "textarea" and name:
            self._textarea = name
            self.data[name] = [""]

    def handle_endtag(self, tag):
        if tag == "form":
            self._inside = False
        elif tag == "select":
            self._select = None
        elif tag == "textarea":
            self._textarea = None

    def handle_data(self, data):
        if self._textarea:
            self.data[self._textarea][0] += (
                data.removeprefix("\n") if not self.data[self._textarea][0] else data
            )


def page_form(page, /, **changes):
    """The form at ``page`` as platform staff see it filled in, with ``changes`` (lists for multiple)."""

    def data(w, role):
        client = Client()
        client.force_login(w["users"]["staff"])
        path = page(w) if callable(page) else page
        parser = _FormFields(path)
        parser.feed(client.get(path).content.decode())
        filled = {k: v for k, v in parser.data.items() if k not in ("csrfmiddlewaretoken", "q")}
        for key, new in changes.items():
            filled[key] = (
                [str(item) for item in new]
                if isinstance(new, list)
                else [str(new(w) if callable(new) else new)]
            )
        return filled

    return data


def posted(**fields):
    return lambda w, r: {k: (v(w) if callable(v) else v) for k, v in fields.items()}


@dataclass
class Form:
    """A browser form: POST ``data(w, role)`` to ``url(w)``. The row changes only for ``allowed``; a
    refused caller gets 403/404 or a page or message saying who can ("Only ...")."""

    url: object
    allowed: set
    read: object
    data: object = None
    says: str = "Only "  # what a refusal shown on the page (or as a message) starts with
    files: object = None


def team_page(w):
    return "/teams/payments/"


FORMS = {
    # accounts
    "accounts:sign-out-everywhere": Form(
        fixed("/account/sign-out-everywhere/"), PEOPLE, own(ApiToken, "name")
    ),
    "accounts:token-list": Form(
        fixed("/account/tokens/"),
        PEOPLE,
        own(ApiToken, "name"),
        lambda w, r: {"name": "laptop", "owner": w["users"][r].pk} if r in w["users"] else {"name": "laptop"},
    ),
    "accounts:token-revoke": Form(
        then("/account/tokens/", "token", "revoke/"),
        {"member", "staff"},
        count(ApiToken, user__username="member"),
    ),
    "accounts:user-list": Form(
        fixed("/account/users/"),
        STAFF,
        lambda w, r: type(w["spare"]).objects.count(),
        posted(username="newbie", email="newbie@example.com"),
    ),
    "accounts:user-deactivate": Form(
        lambda w: f"/account/users/{w['spare'].pk}/deactivate/",
        STAFF,
        lambda w, r: type(w["spare"]).objects.get(username="spare").is_active,
    ),
    "accounts:user-reactivate": Form(
        lambda w: f"/account/users/{w['gone'].pk}/reactivate/",
        STAFF,
        lambda w, r: type(w["spare"]).objects.get(username="gone").is_active,
    ),
    "accounts:service-account-create": Form(
        fixed("/account/teams/payments/service-accounts/"),
        TEAM_EDITORS,
        count(ServiceAccount),
        posted(username="svc-form", role="engineer", description="Nightly"),
    ),
    "accounts:service-account-deactivate": Form(
        then("/account/service-accounts/", "service", "deactivate/"),
        TEAM_EDITORS,
        lambda w, r: type(w["spare"]).objects.get(username="svc-payments").is_active,
    ),
    "accounts:service-account-reactivate": Form(
        then("/account/service-accounts/", "idle_service", "reactivate/"),
        TEAM_EDITORS,
        lambda w, r: type(w["spare"]).objects.get(username="svc-idle").is_active,
    ),
    "password_change": Form(
        fixed("/account/password/change/"),
        PEOPLE,
        own_password,
        posted(
            old_password=PASSWORD,
            new_password1="A-much-longer-secret-42",
            new_password2="A-much-longer-secret-42",
        ),
    ),
    "password_reset": Form(
        fixed("/account/password/reset/"), EVERYONE - {"read_only"}, QUEUED, posted(email="spare@example.com")
    ),
    "login": Form(  # signing in: anybody holding the password
        fixed("/login/"),
        EVERYONE - {"read_only"},
        lambda w, r: type(w["spare"]).objects.get(username="spare").last_login,
        posted(username="spare", password=PASSWORD),
    ),
    # teams
    "teams:team-create": Form(
        fixed("/teams/new/"), STAFF, count(Team), page_form("/teams/new/", name="Form team", slug="form-team")
    ),
    "teams:team-edit": Form(
        fixed("/teams/payments/edit/"),
        TEAM_EDITORS,
        value(Team, "payments", "focus"),
        page_form("/teams/payments/edit/", focus="Form focus"),
    ),
    "teams:stream-create": Form(
        fixed("/teams/streams/new/"),
        STAFF,
        count(ValueStream),
        page_form("/teams/streams/new/", name="Form", slug="form"),
    ),
    "teams:stream-edit": Form(
        fixed("/teams/streams/checkout/edit/"),
        STREAM_EDITORS,
        value(ValueStream, "checkout", "description"),
        page_form("/teams/streams/checkout/edit/", description="From the form."),
    ),
    "teams:interaction-create": Form(
        fixed("/teams/interactions/new/"),
        TEAM_EDITORS,
        count(Interaction),
        page_form(
            "/teams/interactions/new/",
            from_team=lambda w: w["payments"].pk,
            to_team=lambda w: w["platform"].pk,
            mode="collaboration",
            purpose="Together.",
            start_date=str(timezone.localdate()),
            expected_end=str(timezone.localdate() + datetime.timedelta(days=20)),
        ),
    ),
    "teams:interaction-edit": Form(
        lambda w: f"/teams/interactions/{w['interaction'].pk}/edit/",
        TEAM_EDITORS,
        value(Interaction, "interaction", "purpose"),
        page_form(
            lambda w: f"/teams/interactions/{w['interaction'].pk}/edit/", purpose="Edited in the form."
        ),
    ),
    "teams:member-add": Form(
        fixed("/teams/payments/members/"),
        TEAM_EDITORS,
        count(Membership, team__slug="payments"),
        posted(user=lambda w: w["spare"].pk, role="engineer"),
    ),
    "teams:member-remove": Form(
        lambda w: f"/teams/payments/members/{w['membership'].pk}/remove/",
        TEAM_EDITORS,
        count(Membership, team__slug="payments"),
    ),
    # registry
    "registry:model-create": Form(
        fixed("/models/new/"),
        TEAM_EDITORS,
        count(RegisteredModel),
        page_form(
            "/models/new/",
            name="Form model",
            slug="form-model",
            owning_team=lambda w: w["payments"].pk,
            value_stream=lambda w: w["checkout"].pk,
            task="classification",
            primary_metric="roc_auc",
        ),
    ),
    "registry:model-edit": Form(
        fixed("/models/basket-score/edit/"),
        TEAM_EDITORS,
        value(RegisteredModel, "model", "purpose"),
        page_form("/models/basket-score/edit/", purpose="From the form."),
    ),
    "registry:card-edit": Form(
        fixed("/models/basket-score/card/"),
        TEAM_EDITORS,
        value(RegisteredModel, "model", "card_caveats"),
        page_form("/models/basket-score/card/", card_caveats="Not for refunds."),
    ),
    "registry:feedback-create": Form(
        fixed("/models/basket-score/feedback/new/"),
        TEAM_MEMBERS,
        count(Feedback),
        page_form(
            "/models/basket-score/feedback/new/",
            from_team=lambda w: w["payments"].pk,
            title="Odd",
            kind="wrong_predictions",
            example_inputs="[]",
        ),
    ),
    "registry:feedback-acknowledge": Form(
        then("/models/feedback/", "feedback", "acknowledge/"),
        TEAM_MEMBERS,
        value(Feedback, "feedback", "status"),
    ),
    "registry:feedback-resolve": Form(
        then("/models/feedback/", "feedback", "resolve/"), TEAM_MEMBERS, value(Feedback, "feedback", "status")
    ),
    "registry:model-rollback": Form(
        fixed("/models/basket-score/rollback/"),
        TEAM_EDITORS,
        lambda w, r: list(
            ModelVersion.objects.filter(model=w["model"]).order_by("number").values_list("stage")
        ),
        posted(reason="Worse."),
    ),
    "registry:version-promote": Form(
        lambda w: f"/models/basket-score/versions/{w['candidate'].number}/promote/",
        TEAM_EDITORS,
        value(ModelVersion, "candidate", "stage"),
        posted(to_stage="staging", reason="Try it."),
    ),
    # training
    "training:dataset-upload": Form(
        fixed("/training/datasets/new/"),
        TEAM_MEMBERS,
        count(DatasetVersion, team__slug="payments"),
        lambda w, r: {
            "team": w["payments"].pk,
            "name": "orders-form",
            "file": named_file("orders.csv", b"x,y\n1,a\n2,b\n3,a\n4,b\n"),
        },
        says="Select a valid choice",  # the form offers the caller's own teams only
    ),
    "training:job-create": Form(
        lambda w: f"/training/jobs/new/?dataset={w['dataset'].pk}",
        TEAM_MEMBERS,
        count(TrainingJob, team__slug="payments"),
        posted(
            dataset_version=lambda w: w["dataset"].pk,
            target="y",
            features="x",
            task="classification",
            estimator="knn",
            cv_folds="3",
            holdout_share="0.2",
            seed="42",
            search_budget="0",
            time_limit_seconds="600",
        ),
        says="None of your teams has a dataset yet",  # the page offers the datasets of their teams only
    ),
    "training:job-schedule": Form(
        then("/training/jobs/", "trained_job", "schedule/"),
        TEAM_MEMBERS,
        value(RetrainingSchedule, "schedule", "interval_hours"),
        posted(interval_hours="12"),
    ),
    "training:external-version": Form(  # the evaluation job is queued; no worker runs it here
        fixed("/training/jobs/external/"),
        TEAM_MEMBERS,
        count(TrainingJob, kind="evaluate"),
        lambda w, r: external_version(w, r, registered_model=w["model"].pk),
        says="Select a valid choice",  # the form offers the models and datasets of the caller's teams
    ),
    "training:job-cancel": Form(
        then("/training/jobs/", "job", "cancel/"), TEAM_MEMBERS, value(TrainingJob, "job", "status")
    ),
    # model requests
    "modelrequests:request-transition": Form(
        then("/requests/", "request", "transition/"),
        TEAM_EDITORS,
        value(ModelRequest, "request", "status"),
        posted(to="triaged", note="Seen."),
        says="only the product manager or lead of the delivering team, or platform staff, may",
    ),
    "modelrequests:request-create": Form(
        fixed("/requests/new/"),
        TEAM_MEMBERS,
        count(ModelRequest),
        page_form(
            "/requests/new/",
            title="From the form",
            problem_statement="Losses.",
            requesting_team=lambda w: w["payments"].pk,
            delivering_team=lambda w: w["platform"].pk,
            value_stream=lambda w: w["checkout"].pk,
            kpi="Conversion",
            expected_change="1.0",
            affected_volume="100",
            simplest_alternative="A rule.",
        ),
        says="Select a valid choice",  # the form offers the caller's own teams only
    ),
    "modelrequests:request-edit": Form(
        then("/requests/", "request", "edit/"),
        {"member", "owning_lead", "staff"},  # the filer while submitted, the teams' leads
        value(ModelRequest, "request", "title"),
        page_form(lambda w: f"/requests/{w['request'].pk}/edit/", title="Edited in the form"),
    ),
    "modelrequests:backlog-rank": Form(
        fixed("/requests/backlog/rank/"),
        TEAM_EDITORS,
        value(ModelRequest, "request", "manual_rank"),
        lambda w, r: {
            "delivering_team": "payments",
            "move_to": w["request"].pk,
            f"rank-{w['request'].pk}": "1",
            "reason": "Most urgent.",
        },
    ),
    "modelrequests:backlog-bulk-score": Form(
        fixed("/requests/backlog/bulk-score/"),
        TEAM_EDITORS,
        value(ModelRequest, "request", "effort"),
        lambda w, r: {"delivering_team": "payments", f"effort-{w['request'].pk}": "3"},
    ),
    "modelrequests:request-comment": Form(
        then("/requests/", "request", "comments/"),
        {"member", "owning_lead", "stream_pm", "staff"},
        count(RequestComment),
        posted(body="From the page."),
    ),
    "modelrequests:request-unpin": Form(
        then("/requests/", "pinned", "unpin/"), TEAM_EDITORS, value(ModelRequest, "pinned", "manual_rank")
    ),
    "modelrequests:backlog-reset": Form(
        fixed("/requests/backlog/reset/"),
        TEAM_EDITORS,
        value(ModelRequest, "pinned", "manual_rank"),
        posted(delivering_team="payments"),
    ),
    "modelrequests:board-settings": Form(
        fixed("/requests/backlog/board/"),
        TEAM_EDITORS,
        lambda w, r: list(Board.objects.filter(team=w["payments"]).values_list("scoring_method")),
        posted(delivering_team="payments", scoring_method="wsjf"),
    ),
    "modelrequests:saved-view-create": Form(
        fixed("/requests/views/new/"),
        PEOPLE,
        own(SavedView, "name", by="owner"),
        posted(name="Mine too", kind="list", query="status=triaged"),
    ),
    "modelrequests:saved-view-delete": Form(
        then("/requests/views/", "view", "delete/"), {"member", "staff"}, count(SavedView)
    ),
    # outcomes
    "outcomes:kpi-retire": Form(
        then("/outcomes/kpis/", "kpi", "retire/"), STREAM_EDITORS, value(Kpi, "kpi", "retired_at")
    ),
    "outcomes:kpi-edit": Form(
        lambda w: f"/outcomes/kpis/{w['kpi'].pk}/edit/",
        STREAM_EDITORS,
        value(Kpi, "kpi", "target"),
        page_form(
            lambda w: f"/outcomes/kpis/{w['kpi'].pk}/edit/", target="0.9", stream=lambda w: w["checkout"].pk
        ),
    ),
    "outcomes:observation-upload": Form(
        fixed("/outcomes/observations/upload/"),
        {"member", "owning_lead", "stream_pm", "staff"},
        count(Observation),
        lambda w, r: {
            "file": named_file("observations.csv", f"kpi,time,value\n{w['kpi'].pk},2026-01-01,1\n".encode())
        },
    ),
    "outcomes:kpi-create": Form(
        fixed("/outcomes/kpis/new/"),
        STREAM_EDITORS,
        count(Kpi),
        page_form("/outcomes/kpis/new/", stream=lambda w: w["checkout"].pk, name="Form KPI", unit="rate"),
    ),
    # practices
    "practices:team-recompute": Form(
        fixed("/practices/teams/payments/recompute/"),
        TEAM_EDITORS,
        lambda w, r: w["payments"].scorecard_snapshots.count(),
    ),
    "practices:self-assessment-delete": Form(
        then("/practices/self-assessments/", "assessment", "delete/"), TEAM_EDITORS, count(SelfAssessment)
    ),
    "practices:engagement-complete": Form(
        then("/practices/engagements/", "engagement", "complete/"),
        TEAM_EDITORS,
        value(Engagement, "engagement", "completed_at"),
    ),
    # webhooks
    "webhooks:subscription-test": Form(then("/webhooks/", "hook", "test/"), TEAM_EDITORS, count(Delivery)),
    "webhooks:subscription-toggle": Form(
        then("/webhooks/", "hook", "toggle/"), TEAM_EDITORS, value(Subscription, "hook", "is_active")
    ),
    "webhooks:subscription-rotate-secret": Form(
        then("/webhooks/", "hook", "rotate-secret/"), TEAM_EDITORS, value(Subscription, "hook", "secret")
    ),
    "webhooks:delivery-redeliver": Form(
        then("/webhooks/deliveries/", "delivery", "redeliver/"), TEAM_EDITORS, count(Delivery)
    ),
    "webhooks:subscription-edit": Form(
        lambda w: f"/webhooks/{w['hook'].pk}/edit/",
        TEAM_EDITORS,
        value(Subscription, "hook", "name"),
        page_form(lambda w: f"/webhooks/{w['hook'].pk}/edit/", name="Edited"),
    ),
    # notifications
    "notifications:mark-read": Form(fixed("/notifications/read/"), PEOPLE, own(Notification, "read_at")),
    "notifications:preference": Form(
        fixed("/notifications/preference/"), PEOPLE, own(Preference, "email"), posted(email="none")
    ),
    "notifications:watch-model": Form(
        fixed("/notifications/watch/models/basket-cost/"),
        PEOPLE,
        own(Watch, "model_id", "watching"),
        posted(watching="true"),
    ),
    "notifications:watch-request": Form(
        then("/notifications/watch/requests/", "pinned", ""),
        PEOPLE,
        own(Watch, "request_id", "watching"),
        posted(watching="true"),
    ),
    # forms filled in as the page offers them
    "modelrequests:request-score": Form(
        then("/requests/", "request", "score/"),
        {"owning_lead", "stream_pm", "staff"},
        value(ModelRequest, "request", "reach"),
        posted(reach="1234"),
    ),
    "modelrequests:saved-view-edit": Form(
        lambda w: f"/requests/views/{w['view'].pk}/edit/",
        {"member", "staff"},
        value(SavedView, "view", "name"),
        page_form(lambda w: f"/requests/views/{w['view'].pk}/edit/", name="Edited view", kind="list"),
    ),
    "webhooks:subscription-create": Form(
        fixed("/webhooks/new/"),
        TEAM_EDITORS,
        count(Subscription),
        page_form(
            "/webhooks/new/",
            name="Form hook",
            team=lambda w: w["payments"].pk,
            url="https://hooks.example.com/in",
            payload_format="json",
        ),
    ),
    "practices:self-assessment-edit": Form(
        lambda w: f"/practices/self-assessments/{w['assessment'].pk}/edit/",
        TEAM_EDITORS,
        value(SelfAssessment, "assessment", "notes"),
        page_form(
            lambda w: f"/practices/self-assessments/{w['assessment'].pk}/edit/",
            notes="Edited.",
            team=lambda w: w["payments"].pk,
            practice=lambda w: w["assessment"].practice,
        ),
    ),
    "practices:self-assessment-create": Form(
        fixed("/practices/self-assessments/new/"),
        TEAM_EDITORS,
        count(SelfAssessment),
        page_form(
            "/practices/self-assessments/new/",
            team=lambda w: w["payments"].pk,
            practice="ci",
            evidence_url="https://ci.example.com",
            expires_on=lambda w: str(timezone.localdate() + datetime.timedelta(days=60)),
        ),
    ),
    "practices:engagement-create": Form(
        fixed("/practices/engagements/new/"),
        TEAM_EDITORS,
        count(Engagement),
        posted(interaction=lambda w: w["unstarted"].pk, goals="practice_ci"),
    ),
    "practices:survey-answer": Form(
        lambda w: f"/practices/survey/{w['round_two'].pk}/answer/",
        TEAM_MEMBERS,
        count(SurveyResponse),
        posted(
            team=lambda w: w["payments"].pk,
            **dict.fromkeys(
                [
                    "owned_scope",
                    "extraneous_work",
                    "specialist_knowledge",
                    "waiting_on_others",
                    "onboarding",
                    "context_switching",
                ],
                "4",
            ),
        ),
    ),
    "outcomes:model-cost": Form(
        fixed("/outcomes/models/basket-cost/cost/"),
        {"member", "owning_lead", "stream_pm", "staff"},
        value(ModelCost, "cost", "monthly_running_cost"),
        page_form("/outcomes/models/basket-cost/cost/", monthly_running_cost="99"),
    ),
}

# Forms the matrix does not run yet, each with the reason; the list may only shrink.
FORMS_NOT_RUN = {
    "logout": "ends the caller's own session, nobody else's",
    "password_reset_confirm": "needs the mailed link's session step (tests/accounts run it)",
    "notifications:open": "marks the caller's own notification read and follows it",
    "accounts:account": "a page (GET) only; its forms post to sign-out-everywhere and the password pages",
    "modelrequests:backlog": "a page (GET); it shares the helper that reads the team from a form's field",
}

FORM_ROLES = [role for role in ROLES if role != "read_only"]  # a service account never signs in


def _said(response) -> str:
    shown = response.content.decode() if response.status_code == 200 else ""
    return shown + " ".join(str(message) for message in get_messages(response.wsgi_request))


@pytest.mark.parametrize("name", list(FORMS))
def test_browser_form_matrix(world, name):
    form = FORMS[name]
    wrong = []
    for role in FORM_ROLES:
        with transaction.atomic():
            before = 0 if form.read is QUEUED else form.read(world, role)
            data = form.data(world, role) if form.data else {}
            client = Client()
            if role != "anonymous":
                client.force_login(world["users"][role])
            with TestCase.captureOnCommitCallbacks() as queued:
                response = client.post(form.url(world), data)
            after = len(queued) if form.read is QUEUED else form.read(world, role)
            said = _said(response)
            transaction.set_rollback(True)
        changed = after != before
        if role in form.allowed:
            ok = changed and response.status_code in (200, 302)
        elif role == "anonymous":
            ok = not changed and response.status_code == 302 and "/login/" in response["Location"]
        else:
            ok = not changed and (response.status_code in (403, 404) or form.says in said)
        if not ok:
            errors = re.findall(r'class="errorlist[^>]*>(.*?)</ul>', said, re.S)
            wrong.append(f"{role}: {response.status_code}, row changed: {changed}: {errors or said[-300:]!r}")
    assert wrong == [], "\n".join(wrong)


def form_views() -> set[str]:
    """Every URL name outside the admin and the API whose view takes POST: a class-based view with a
    ``post`` method, a function view limited to POST, or one that reads ``request.POST`` (itself or
    through a helper of its module)."""

    def reads_post(function, depth=0) -> bool:
        function = inspect.unwrap(function)
        try:
            source = inspect.getsource(function)
        except (OSError, TypeError):
            return False
        if "request.POST" in source or "request.method" in source:
            return True
        module = inspect.getmodule(function)
        helpers = [getattr(module, n, None) for n in function.__code__.co_names]
        ours = [h for h in helpers if inspect.isfunction(h) and h.__module__ == function.__module__]
        return depth < 2 and any(reads_post(h, depth + 1) for h in ours)

    def walk(patterns, prefix="", namespace=""):
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
                yield from walk(pattern.url_patterns, prefix + str(pattern.pattern), inner)
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern), f"{namespace}{pattern.name}", pattern.callback

    names = set()
    for path, name, callback in walk(get_resolver().url_patterns):
        if path.startswith(("admin/", "api/")):
            continue
        view_class = getattr(callback, "view_class", None)
        methods = (
            (inspect.getclosurevars(callback).nonlocals.get("request_method_list") or [])
            if not view_class
            else []
        )
        if (
            (view_class and hasattr(view_class, "post"))
            or "POST" in methods
            or (not view_class and reads_post(callback))
        ):
            names.add(name)
    return names


def test_every_browser_form_is_in_the_matrix():
    forms = form_views()
    assert forms - set(FORMS) - set(FORMS_NOT_RUN) == set(), "a browser form the matrix does not cover"
    assert set(FORMS_NOT_RUN) <= forms and set(FORMS) <= forms and not set(FORMS_NOT_RUN) & set(FORMS)
