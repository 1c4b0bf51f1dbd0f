"""The home page of each role: a delivering team's PM sees requests to triage, decide and size; the
stream's accountable PM requests to score and the stream view; an engineer the requests they filed
and their team's feedback; platform staff everything. Query count independent of the rows."""

import datetime

import pytest
from django.utils import timezone

from apps.modelrequests.models import RequestStatus
from apps.registry.models import Feedback
from apps.teams.models import MemberRole
from tests.factories import (
    MembershipFactory,
    PlatformTeamFactory,
    TeamFactory,
    UserFactory,
    ValueStreamFactory,
)
from tests.modelrequests.factories import ModelRequestFactory
from tests.querycount import assert_queries_independent_of_rows
from tests.registry.factories import RegisteredModelFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def org():
    stream_pm = UserFactory(username="stream-pm")
    stream = ValueStreamFactory(name="Checkout", product_manager=stream_pm)
    checkout = TeamFactory(name="Checkout Experience", value_stream=stream)
    platform = PlatformTeamFactory(name="ML Platform")
    delivering_pm = MembershipFactory(team=platform, role=MemberRole.PRODUCT_MANAGER).user
    engineer = MembershipFactory(team=checkout, role=MemberRole.ENGINEER).user
    now = timezone.now()
    filed = ModelRequestFactory(
        title="Basket recommender", requesting_team=checkout, delivering_team=platform, created_by=engineer
    )
    triaged = ModelRequestFactory(
        title="Fraud hints",
        requesting_team=checkout,
        delivering_team=platform,
        history=[(RequestStatus.TRIAGED, now)],
    )
    accepted = ModelRequestFactory(
        title="Search ranking",
        requesting_team=checkout,
        delivering_team=platform,
        reach=100,
        history=[(RequestStatus.TRIAGED, now - datetime.timedelta(hours=1)), (RequestStatus.ACCEPTED, now)],
    )
    model = RegisteredModelFactory(owning_team=checkout, value_stream=stream, name="Basket model")
    Feedback.objects.create(model=model, kind="bug", title="Odd scores on Mondays")
    return locals()


def _home(client, browser_login, user):
    client.logout()
    browser_login(client, user)
    response = client.get("/")
    assert response.status_code == 200
    return response.context, response.content.decode()


def test_each_role_sees_what_waits_for_it(client, browser_login, org):
    context, html = _home(client, browser_login, org["delivering_pm"])
    assert [r.title for r in context["to_triage"]] == ["Basket recommender"]
    assert [r.title for r in context["to_decide"]] == ["Fraud hints"]
    assert [(r.title, r.missing) for r in context["to_size"]] == [("Search ranking", ["effort"])]
    assert context["to_value"] == [] and "Requests to size (1)" in html

    context, html = _home(client, browser_login, org["stream_pm"])
    assert context["accountable_for"] == org["stream"] and context["to_triage"] == []
    scored = {r.title: r.missing_value for r in context["to_value"]}
    assert scored["Search ranking"] == ["impact", "confidence"]
    assert set(scored) == {"Basket recommender", "Fraud hints", "Search ranking"}
    assert "Accountable PM of the Checkout stream." in html
    assert f"/requests/stream/?stream={org['stream'].slug}" in html

    context, html = _home(client, browser_login, org["engineer"])
    assert [r.title for r in context["my_requests"]] == ["Basket recommender"]
    assert [f.title for f in context["feedback"]] == ["Odd scores on Mondays"]
    assert context["to_triage"] == [] and context["to_value"] == [] and context["to_size"] == []

    context, html = _home(client, browser_login, UserFactory(is_staff=True))
    assert context["is_staff"] and context["to_triage_count"] == 1 and context["feedback_count"] == 1
    assert "Platform staff: you see what waits across every team." in html


def test_the_home_page_query_count_does_not_grow(client, browser_login, org):
    browser_login(client, org["delivering_pm"])

    def add_rows():
        ModelRequestFactory(requesting_team=org["checkout"], delivering_team=org["platform"])
        ModelRequestFactory(requesting_team=TeamFactory(), delivering_team=PlatformTeamFactory())
        Feedback.objects.create(model=org["model"], kind="bug", title="More")

    # the decisions waiting: one count query and one list per kind (triage, decide, size, score)
    assert_queries_independent_of_rows(client, "/", add_rows, expected=19)
