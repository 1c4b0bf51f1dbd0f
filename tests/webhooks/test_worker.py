"""Deliveries through a real Celery worker, the real broker and a real HTTP receiver."""

import json
import time

import pytest

from apps.teams.models import MemberRole
from apps.webhooks import services
from apps.webhooks.models import DeliveryStatus, Subscription
from apps.webhooks.signing import SIGNATURE_HEADER, is_valid
from tests.conftest import member_of

pytestmark = [pytest.mark.slow, pytest.mark.django_db(transaction=True)]


def wait_for_status(delivery, status, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        delivery.refresh_from_db()
        if delivery.status == status:
            return delivery
        time.sleep(0.2)
    raise AssertionError(f"delivery {delivery.pk} is {delivery.status} after {delivery.attempts} attempts")


def test_the_worker_retries_a_500_and_then_delivers_signed(
    session_worker_aside, worker_factory, team, receiver
):
    """Only a worker with a short backoff may take the delivery."""
    worker_factory(queues="default", extra_env={"PORTAL_WEBHOOK_RETRY_BASE_SECONDS": "1"})
    receiver.answers = [500]
    lead = member_of(team, MemberRole.LEAD)
    subscription = Subscription.objects.create(name="ci", team=team, url=receiver.url, created_by=lead)
    delivery = services.delivery_send_test(actor=lead, subscription=subscription)
    delivery = wait_for_status(delivery, DeliveryStatus.SUCCEEDED)
    assert delivery.attempts == 2 and delivery.response_code == 200
    first, second = receiver.wait_for(2)
    assert first.body == second.body and json.loads(second.body)["type"] == "ping"
    assert is_valid(subscription.secret, second.body, second.headers[SIGNATURE_HEADER])
