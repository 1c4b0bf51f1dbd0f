"""Webhook subscriptions and their deliveries. Writes only; the delivery task calls `delivery_attempt`."""

import datetime
import logging
import time

import httpx
from celery import current_app
from django.conf import settings
from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.core.mail import send_mail
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from apps.core.changes import update_rows
from apps.core.events import EVENT_TYPES, Event
from apps.core.policy import ensure
from apps.core.services import apply_and_save
from apps.webhooks.addresses import send_problem, url_problem
from apps.webhooks.models import Delivery, DeliveryStatus, PayloadFormat, Subscription, new_secret
from apps.webhooks.signing import SIGNATURE_HEADER, raw_body, signature

logger = logging.getLogger(__name__)

SUBSCRIPTION_FIELDS = (
    "name",
    "team",
    "url",
    "event_types",
    "payload_format",
    "filter_team",
    "filter_stream",
    "filter_model",
)


def _clean_event_types(data: dict) -> None:
    types = data.get("event_types")
    if types is None:
        return
    if not isinstance(types, list) or not all(isinstance(t, str) for t in types):
        raise ValidationError({"event_types": "A list of event types (empty for every event)."})
    unknown = sorted(set(types) - set(EVENT_TYPES))
    if unknown:
        raise ValidationError(
            {"event_types": f"Unknown event type {', '.join(unknown)}; one of {', '.join(EVENT_TYPES)}."}
        )
    data["event_types"] = sorted(set(types))


def _clean_url(data: dict) -> None:
    problem = url_problem(data["url"]) if isinstance(data.get("url"), str) else ""
    if problem:
        raise ValidationError({"url": problem})


@transaction.atomic
def subscription_create(*, actor: User, data: dict) -> Subscription:
    ensure(actor, "webhooks.manage_webhooks", data.get("team"), action="add webhooks for {obj}")
    _clean_event_types(data)
    _clean_url(data)
    subscription = Subscription(created_by=actor)
    return apply_and_save(subscription, data=data, fields=SUBSCRIPTION_FIELDS)


@transaction.atomic
def subscription_update(*, actor: User, subscription: Subscription, data: dict) -> Subscription:
    ensure(actor, "webhooks.manage_webhooks", subscription.team, action="change webhooks of {obj}")
    if "team" in data and data["team"] != subscription.team:
        ensure(actor, "webhooks.manage_webhooks", data["team"], action="move webhooks to {obj}")
    _clean_event_types(data)
    _clean_url(data)
    data = dict(data)
    if "is_active" in data:
        active = bool(data.pop("is_active"))
        if active and not subscription.is_active:  # enabled again: failures count afresh
            subscription.consecutive_failures, subscription.disabled_reason = 0, ""
        subscription.is_active = active
    return apply_and_save(subscription, data=data, fields=SUBSCRIPTION_FIELDS)


@transaction.atomic
def subscription_rotate_secret(*, actor: User, subscription: Subscription) -> Subscription:
    ensure(actor, "webhooks.manage_webhooks", subscription.team, action="change webhooks of {obj}")
    subscription.secret = new_secret()
    subscription.save(update_fields=["secret", "updated_at"])
    return subscription


@transaction.atomic
def subscription_delete(*, actor: User, subscription: Subscription) -> None:
    ensure(actor, "webhooks.manage_webhooks", subscription.team, action="delete webhooks of {obj}")
    subscription.delete()


def _matching(event: Event):
    subscriptions = Subscription.objects.filter(is_active=True)
    subscriptions = subscriptions.filter(Q(filter_team__isnull=True) | Q(filter_team__in=event.team_ids))
    subscriptions = subscriptions.filter(
        Q(filter_stream__isnull=True) | Q(filter_stream__in=event.stream_ids)
    )
    subscriptions = subscriptions.filter(Q(filter_model__isnull=True) | Q(filter_model__in=event.model_ids))
    return [s for s in subscriptions if not s.event_types or event.type in s.event_types]


def body_of(event: Event, payload_format: str) -> dict:
    if payload_format == PayloadFormat.SLACK:
        summary = event.data.get("summary", "")
        return {"text": f"*{EVENT_TYPES[event.type]}*" + (f": {summary}" if summary else "")}
    return {"id": event.id, "type": event.type, "created": event.created.isoformat(), "data": event.data}


def _enqueue(delivery: Delivery) -> None:
    # By name: task modules import services, never the reverse.
    transaction.on_commit(lambda: current_app.send_task("webhooks.deliver", args=[delivery.pk]))


def deliveries_for_event(*, event: Event, **kwargs) -> list[Delivery]:
    """Called after an event's transaction committed: one delivery per matching subscription."""
    deliveries: list[Delivery] = []
    subscriptions = list(_matching(event))
    if not subscriptions:  # most events: no transaction to open and commit
        return deliveries
    with transaction.atomic():
        for subscription in subscriptions:
            deliveries.append(
                Delivery.objects.create(
                    subscription=subscription,
                    event_id=event.id,
                    event_type=event.type,
                    body=body_of(event, subscription.payload_format),
                )
            )
        for delivery in deliveries:
            _enqueue(delivery)
    return deliveries


@transaction.atomic
def delivery_send_test(*, actor: User, subscription: Subscription) -> Delivery:
    """A `ping` event to this subscription only, whatever its filters: does the receiver answer?"""
    ensure(actor, "webhooks.manage_webhooks", subscription.team, action="test webhooks of {obj}")
    event = Event(
        type="ping",
        data={
            "summary": f"Test event for {subscription.name}, sent by {actor}",
            "subscription": subscription.pk,
        },
    )
    delivery = Delivery.objects.create(
        subscription=subscription,
        event_id=event.id,
        event_type=event.type,
        body=body_of(event, subscription.payload_format),
    )
    _enqueue(delivery)
    return delivery


@transaction.atomic
def delivery_redeliver(*, actor: User, delivery: Delivery) -> Delivery:
    """Send the same body again (same event id, so receivers can de-duplicate) as a new delivery."""
    ensure(
        actor, "webhooks.manage_webhooks", delivery.subscription.team, action="redeliver webhooks of {obj}"
    )
    again = Delivery.objects.create(
        subscription=delivery.subscription,
        event_id=delivery.event_id,
        event_type=delivery.event_type,
        body=delivery.body,
        redelivery_of=delivery,
    )
    _enqueue(again)
    return again


def _backoff(attempts: int) -> int:
    return min(settings.WEBHOOK_RETRY_BASE_SECONDS * 2 ** (attempts - 1), settings.WEBHOOK_RETRY_MAX_SECONDS)


def _post(subscription: Subscription, delivery: Delivery) -> tuple[int | None, str]:
    refused = send_problem(subscription.url)
    if refused:
        return None, refused
    raw = raw_body(delivery.body)
    headers = {
        "Content-Type": "application/json",
        "User-Agent": "ml-portal-webhooks/1",
        "X-Portal-Event": delivery.event_type,
        "X-Portal-Delivery": str(delivery.pk),
        SIGNATURE_HEADER: signature(subscription.secret, raw),
    }
    try:
        response = httpx.post(
            subscription.url, content=raw, headers=headers, timeout=settings.WEBHOOK_TIMEOUT_SECONDS
        )
    except httpx.TimeoutException:
        return None, f"No answer within {settings.WEBHOOK_TIMEOUT_SECONDS} s."
    except httpx.HTTPError as exc:
        return None, f"Could not connect: {exc}"[:500]
    if 200 <= response.status_code < 300:
        return response.status_code, ""
    return response.status_code, f"The receiver answered {response.status_code}."


def _claim(delivery_id: int) -> Delivery | None:
    with transaction.atomic():
        delivery = (
            Delivery.objects.select_for_update().select_related("subscription").filter(pk=delivery_id).first()
        )
        if delivery is None or delivery.status in (DeliveryStatus.SUCCEEDED, DeliveryStatus.FAILED):
            return None
        if not delivery.subscription.is_active:
            delivery.status, delivery.last_error = DeliveryStatus.FAILED, "The subscription is disabled."
            delivery.save(update_fields=["status", "last_error"])
            return None
        return delivery


def delivery_attempt(*, delivery_id: int) -> int | None:
    """POST the delivery once. Returns the seconds to wait before the next attempt, or None when done
    (delivered, failed for good, or nothing to do). Safe to call twice."""
    delivery = _claim(delivery_id)
    if delivery is None:
        return None
    subscription = delivery.subscription
    started = time.monotonic()
    code, error = _post(subscription, delivery)
    now = timezone.now()
    delivery.attempts += 1
    delivery.response_code, delivery.last_error, delivery.last_attempt_at = code, error, now
    delivery.duration_ms = round((time.monotonic() - started) * 1000)
    retry_in = None
    if not error:
        delivery.status, delivery.delivered_at = DeliveryStatus.SUCCEEDED, now
        failures = 0
    else:
        failures = subscription.consecutive_failures + 1
        give_up_at = delivery.created_at + datetime.timedelta(seconds=settings.WEBHOOK_RETRY_FOR_SECONDS)
        retry_in = _backoff(delivery.attempts)
        if now + datetime.timedelta(seconds=retry_in) > give_up_at:
            delivery.status, retry_in = DeliveryStatus.FAILED, None
        else:
            delivery.status = DeliveryStatus.RETRYING
    with transaction.atomic():
        delivery.save()
        update_rows(Subscription.objects.filter(pk=subscription.pk), consecutive_failures=failures)
        if failures >= settings.WEBHOOK_DISABLE_AFTER_FAILED_ATTEMPTS:
            _disable(subscription, failures, error)
            retry_in = None
    return retry_in


def _disable(subscription: Subscription, failures: int, error: str) -> None:
    reason = f"Disabled after {failures} failed attempts in a row; the last: {error}"[:300]
    updated = update_rows(
        Subscription.objects.filter(pk=subscription.pk, is_active=True),
        is_active=False,
        disabled_reason=reason,
    )
    owner = subscription.created_by
    if updated and owner and owner.email:
        transaction.on_commit(lambda: _tell_owner(subscription, owner.email, reason))


def _tell_owner(subscription: Subscription, email: str, reason: str) -> None:
    try:
        send_mail(
            subject=f"Webhook {subscription.name!r} of {subscription.team} was disabled",
            message=f"{reason}\n\nFix the receiver at {subscription.url}, then enable the webhook again in "
            f"the portal: {getattr(settings, 'PORTAL_BASE_URL', '')}{subscription.get_absolute_url()}",
            from_email=None,
            recipient_list=[email],
        )
    except Exception:  # the mail is a courtesy; the subscription is disabled either way
        logger.exception("could not tell %s that webhook %s was disabled", email, subscription.pk)
