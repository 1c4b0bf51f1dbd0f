"""Webhooks: subscriptions, signed deliveries to a real HTTP receiver, retries, timeouts, disabling."""

import json

import pytest
from django.core import mail

from apps.core import events
from apps.teams.models import MemberRole
from apps.webhooks import services
from apps.webhooks.models import Delivery, DeliveryStatus, Subscription
from apps.webhooks.signing import SIGNATURE_HEADER, is_valid
from tests.conftest import member_of
from tests.factories import PlatformTeamFactory, StaffFactory, TeamFactory, UserFactory
from tests.querycount import assert_queries_independent_of_rows
from tests.registry.factories import RegisteredModelFactory

pytestmark = pytest.mark.django_db
URL = "/api/v1/webhooks/"
QUERIES_SUBSCRIPTIONS = 3
QUERIES_DELIVERIES = 3


@pytest.fixture
def lead(team):
    user = member_of(team, MemberRole.LEAD)
    user.email = "lead@example.com"
    user.save()
    return user


def subscribe(team, url, **fields):
    return Subscription.objects.create(name=fields.pop("name", "ci"), team=team, url=url, **fields)


def publish(type="request.created", **kwargs):
    events.publish(type, data={"summary": "something happened", "n": 1}, **kwargs)


def run_deliveries():
    """What the worker does with each queued delivery, in process (the worker test runs the real one)."""
    outcomes = {}
    for delivery in Delivery.objects.exclude(status__in=[DeliveryStatus.SUCCEEDED, DeliveryStatus.FAILED]):
        outcomes[delivery.pk] = services.delivery_attempt(delivery_id=delivery.pk)
    return outcomes


def test_a_lead_subscribes_through_the_api_and_sees_the_secret(api_as, lead, team, receiver):
    body = {"name": "ci", "team": team.slug, "url": receiver.url, "event_types": ["request.created"]}
    response = api_as(lead).post(URL, body, format="json")
    assert response.status_code == 201, response.json()
    subscription = Subscription.objects.get(pk=response.json()["id"])
    assert subscription.event_types == ["request.created"] and subscription.created_by == lead
    assert response.json()["secret"] == subscription.secret and len(subscription.secret) == 48
    # Everyone signed in lists webhooks; only the team's leads, PMs and platform staff see secrets.
    listed = api_as(UserFactory()).get(URL).json()["results"]
    assert listed[0]["name"] == "ci" and listed[0]["secret"] is None


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"event_types": ["request.eaten"]}, "event_types"),
        ({"url": "not a url"}, "url"),
        ({"team": "nope"}, "team"),
    ],
)
def test_bad_subscriptions_are_400s_naming_the_field_and_store_nothing(api_as, lead, team, change, field):
    body = {"name": "ci", "team": team.slug, "url": "http://127.0.0.1:9/hook"} | change
    response = api_as(lead).post(URL, body, format="json")
    assert response.status_code == 400 and field in response.json()
    assert not Subscription.objects.exists()


def test_only_the_teams_lead_pm_or_staff_may_add_or_change_its_webhooks(api_as, team, lead):
    engineer = member_of(team, MemberRole.ENGINEER)
    body = {"name": "ci", "team": team.slug, "url": "http://127.0.0.1:9/hook"}
    assert api_as(engineer).post(URL, body, format="json").status_code == 403
    assert not Subscription.objects.exists()
    subscription = subscribe(team, "http://127.0.0.1:9/hook")
    other_lead = member_of(TeamFactory(), MemberRole.LEAD)
    assert (
        api_as(other_lead).patch(f"{URL}{subscription.pk}/", {"name": "x"}, format="json").status_code == 403
    )
    response = api_as(StaffFactory()).patch(f"{URL}{subscription.pk}/", {"name": "x"}, format="json")
    assert response.status_code == 200, response.json()
    subscription.refresh_from_db()
    assert subscription.name == "x"


def test_an_event_is_delivered_signed_with_the_subscriptions_secret(
    team, receiver, django_capture_on_commit_callbacks
):
    subscription = subscribe(team, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        publish(teams=[team.pk])
    assert run_deliveries() == {subscription.deliveries.get().pk: None}
    arrived = receiver.wait_for(1)[0]
    body = json.loads(arrived.body)
    assert body["type"] == "request.created" and body["data"]["n"] == 1 and body["id"] and body["created"]
    assert arrived.headers["X-Portal-Event"] == "request.created"
    assert is_valid(subscription.secret, arrived.body, arrived.headers[SIGNATURE_HEADER])
    assert not is_valid("another secret", arrived.body, arrived.headers[SIGNATURE_HEADER])
    delivery = subscription.deliveries.get()
    assert delivery.status == DeliveryStatus.SUCCEEDED and delivery.response_code == 200
    assert delivery.attempts == 1 and delivery.duration_ms is not None and delivery.event_id == body["id"]


def test_filters_pick_the_events_a_subscription_gets(team, django_capture_on_commit_callbacks):
    model = RegisteredModelFactory(owning_team=team)
    everything = subscribe(team, "http://127.0.0.1:9/a", name="all")
    only_drift = subscribe(team, "http://127.0.0.1:9/b", name="drift", event_types=["drift.detected"])
    only_model = subscribe(team, "http://127.0.0.1:9/c", name="model", filter_model=model)
    other_team = subscribe(team, "http://127.0.0.1:9/d", name="other", filter_team=TeamFactory())
    disabled = subscribe(team, "http://127.0.0.1:9/e", name="off", is_active=False)
    with django_capture_on_commit_callbacks(execute=True):
        publish("version.registered", teams=[team.pk], models=[model.pk])
        publish("drift.detected", teams=[team.pk])
    assert [d.event_type for d in everything.deliveries.order_by("pk")] == [
        "version.registered",
        "drift.detected",
    ]
    assert [d.event_type for d in only_drift.deliveries.all()] == ["drift.detected"]
    assert [d.event_type for d in only_model.deliveries.all()] == ["version.registered"]
    assert not other_team.deliveries.exists() and not disabled.deliveries.exists()


def test_a_500_is_retried_with_backoff_until_it_succeeds(
    team, receiver, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_RETRY_BASE_SECONDS = 30
    receiver.answers = [500, 502]
    subscription = subscribe(team, receiver.url)
    with django_capture_on_commit_callbacks(execute=True):
        publish(teams=[team.pk])
    delivery = subscription.deliveries.get()
    assert run_deliveries() == {delivery.pk: 30}  # first retry after the base delay
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.RETRYING and delivery.response_code == 500
    assert "answered 500" in delivery.last_error
    assert run_deliveries() == {delivery.pk: 60}  # then twice as long
    assert run_deliveries() == {delivery.pk: None}
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.SUCCEEDED and delivery.attempts == 3
    assert len(receiver.received) == 3
    subscription.refresh_from_db()
    assert subscription.consecutive_failures == 0


def test_a_receiver_that_does_not_answer_in_time_is_a_failed_attempt(team, receiver, settings):
    settings.WEBHOOK_TIMEOUT_SECONDS = 0.5
    receiver.delay = 2
    subscription = subscribe(team, receiver.url)
    delivery = services.delivery_send_test(actor=StaffFactory(), subscription=subscription)
    assert services.delivery_attempt(delivery_id=delivery.pk) is not None
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.RETRYING and delivery.response_code is None
    assert delivery.last_error == "No answer within 0.5 s."


def test_a_delivery_past_the_retry_window_fails_for_good(team, settings):
    settings.WEBHOOK_RETRY_FOR_SECONDS = 10
    settings.WEBHOOK_RETRY_BASE_SECONDS = 30
    subscription = subscribe(team, "http://127.0.0.1:9/closed-port")
    delivery = services.delivery_send_test(actor=StaffFactory(), subscription=subscription)
    assert services.delivery_attempt(delivery_id=delivery.pk) is None
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.FAILED and delivery.last_error.startswith("Could not connect")
    assert services.delivery_attempt(delivery_id=delivery.pk) is None  # safe to run twice
    delivery.refresh_from_db()
    assert delivery.attempts == 1


def test_repeated_failures_disable_the_subscription_and_tell_its_owner(
    team, lead, receiver, settings, django_capture_on_commit_callbacks
):
    settings.WEBHOOK_DISABLE_AFTER_FAILED_ATTEMPTS = 3
    receiver.answers = [500] * 10
    subscription = Subscription.objects.create(name="ci", team=team, url=receiver.url, created_by=lead)
    deliveries = [services.delivery_send_test(actor=lead, subscription=subscription) for _ in range(4)]
    with django_capture_on_commit_callbacks(execute=True):
        for delivery in deliveries[:3]:
            services.delivery_attempt(delivery_id=delivery.pk)
    subscription.refresh_from_db()
    assert not subscription.is_active and "3 failed attempts" in subscription.disabled_reason
    assert len(mail.outbox) == 1 and mail.outbox[0].to == ["lead@example.com"]
    assert "disabled" in mail.outbox[0].subject
    # A disabled subscription sends nothing more.
    assert services.delivery_attempt(delivery_id=deliveries[3].pk) is None
    deliveries[3].refresh_from_db()
    assert deliveries[3].status == DeliveryStatus.FAILED and "disabled" in deliveries[3].last_error
    assert len(receiver.received) == 3
    # Enabling it again starts counting afresh.
    services.subscription_update(actor=lead, subscription=subscription, data={"is_active": True})
    subscription.refresh_from_db()
    assert (
        subscription.is_active and subscription.consecutive_failures == 0 and not subscription.disabled_reason
    )


def test_slack_format_sends_an_incoming_webhook_message(team, receiver, django_capture_on_commit_callbacks):
    subscribe(team, receiver.url, payload_format="slack")
    with django_capture_on_commit_callbacks(execute=True):
        publish(teams=[team.pk])
    run_deliveries()
    assert json.loads(receiver.wait_for(1)[0].body) == {
        "text": "*A model request was filed*: something happened"
    }


def test_redelivery_sends_the_same_event_again_as_a_new_delivery(api_as, lead, team, receiver):
    subscription = subscribe(team, receiver.url)
    first = services.delivery_send_test(actor=lead, subscription=subscription)
    services.delivery_attempt(delivery_id=first.pk)
    response = api_as(lead).post(f"/api/v1/webhook-deliveries/{first.pk}/redeliver/")
    assert response.status_code == 202
    again = Delivery.objects.get(pk=response.json()["id"])
    assert again.redelivery_of == first and again.event_id == first.event_id and again.body == first.body
    services.delivery_attempt(delivery_id=again.pk)
    bodies = [r.body for r in receiver.wait_for(2)]
    assert bodies[0] == bodies[1]
    assert api_as(UserFactory()).post(f"/api/v1/webhook-deliveries/{first.pk}/redeliver/").status_code == 403


def test_the_test_button_queues_a_ping(client, browser_login, lead, team):
    subscription = subscribe(team, "http://127.0.0.1:9/hook")
    browser_login(client, lead)
    response = client.post(f"/webhooks/{subscription.pk}/test/")
    assert response.status_code == 302
    assert subscription.deliveries.get().event_type == "ping"
    page = client.get(f"/webhooks/{subscription.pk}/").content.decode()
    assert "ping" in page and subscription.secret in page
    outsider_view = browser_login(client.__class__(), UserFactory()).get(f"/webhooks/{subscription.pk}/")
    assert subscription.secret not in outsider_view.content.decode()


def test_a_real_service_write_announces_its_event(api_as, team, receiver, django_capture_on_commit_callbacks):
    delivering = PlatformTeamFactory()
    engineer = member_of(team, MemberRole.ENGINEER)
    subscription = subscribe(team, receiver.url, event_types=["request.created"])
    body = {
        "title": "Predict late deliveries",
        "problem_statement": "Customers complain about late parcels.",
        "requesting_team": team.slug,
        "delivering_team": delivering.slug,
        "value_stream": team.value_stream.slug,
        "kpi": "On-time delivery rate",
        "expected_change": 2.0,
        "affected_volume": 50000,
        "simplest_alternative": "Flag orders to remote postcodes.",
    }
    with django_capture_on_commit_callbacks(execute=True):
        response = api_as(engineer).post("/api/v1/model-requests/", body, format="json")
    assert response.status_code == 201, response.json()
    delivery = subscription.deliveries.get()
    assert delivery.body["data"]["request"] == response.json()["id"]
    assert delivery.body["data"]["requesting_team"] == team.slug


def test_subscription_and_delivery_lists_have_constant_queries(api_as, team):
    client = api_as(StaffFactory())
    client.get(URL)

    def add_rows():
        subscription = subscribe(team, "http://127.0.0.1:9/hook", name=f"s{Subscription.objects.count()}")
        Delivery.objects.create(subscription=subscription, event_id="x", event_type="ping", body={})

    # The token lookup, the count, the page (and for subscriptions who manages which team).
    assert_queries_independent_of_rows(client, URL, add_rows, expected=QUERIES_SUBSCRIPTIONS)
    assert_queries_independent_of_rows(
        client, "/api/v1/webhook-deliveries/", add_rows, expected=QUERIES_DELIVERIES
    )


LOCAL_URLS = [
    "http://127.0.0.1:6379/",
    "http://localhost:5432/hook",
    "http://169.254.169.254/latest/meta-data/",
    "http://[::1]:8000/admin/",
    "http://[::ffff:127.0.0.1]/",
    "http://0.0.0.0:9/",
]


@pytest.mark.parametrize("url", LOCAL_URLS)
def test_a_webhook_to_the_portals_own_host_or_the_metadata_service_is_a_400(
    api_as, client, browser_login, lead, team, settings, url
):
    """Server-side request forgery: a lead aimed webhooks at 127.0.0.1:6379 and 169.254.169.254 and
    read from the delivery log what answered there. API, page and a change of URL all refuse it."""
    settings.WEBHOOK_ALLOW_LOCAL_ADDRESSES = False
    response = api_as(lead).post(URL, {"name": "ci", "team": team.slug, "url": url}, format="json")
    assert response.status_code == 400, response.content
    assert "loopback and link-local addresses" in response.json()["url"][0]
    assert not Subscription.objects.exists()
    subscription = subscribe(team, "https://hooks.example.com/portal")
    response = api_as(lead).patch(f"{URL}{subscription.pk}/", {"url": url}, format="json")
    assert response.status_code == 400 and "url" in response.json()
    subscription.refresh_from_db()
    assert subscription.url == "https://hooks.example.com/portal"
    browser_login(client, lead)
    form = {"name": "page", "team": team.pk, "url": url, "payload_format": "json"}
    page = client.post("/webhooks/new/", form)
    assert page.status_code == 200
    assert "loopback and link-local addresses" in page.content.decode()
    assert Subscription.objects.count() == 1


def test_a_stored_webhook_to_a_local_address_is_never_sent(team, receiver, settings):
    """A row made before the rule (or in the admin, or a name that resolves to 127.0.0.1) is refused
    when it is sent: the receiver gets nothing and the log says why."""
    settings.WEBHOOK_ALLOW_LOCAL_ADDRESSES = False
    subscription = subscribe(team, receiver.url)
    delivery = services.delivery_send_test(actor=StaffFactory(), subscription=subscription)
    services.delivery_attempt(delivery_id=delivery.pk)
    delivery.refresh_from_db()
    assert delivery.status == DeliveryStatus.RETRYING and delivery.response_code is None
    assert delivery.last_error.startswith("Webhooks are not sent to 127.0.0.1: loopback and link-local")
    assert receiver.received == []
