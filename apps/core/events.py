"""Domain events: a service says what happened, once its transaction commits; listeners registered by
higher apps (webhooks) react. Core knows no listener, and a listener's failure never fails the write."""

import datetime
import logging
import uuid
from dataclasses import dataclass, field

from django.db import transaction
from django.dispatch import Signal
from django.utils import timezone

logger = logging.getLogger(__name__)

# The events the portal announces, with what each means (shown where people subscribe to them).
EVENT_TYPES = {
    "request.created": "A model request was filed",
    "request.moved": "A model request moved in its workflow",
    "request.commented": "Someone commented on a model request",
    "version.registered": "A model version was registered",
    "version.evaluated": "A model version was judged against its baselines on the same holdout",
    "version.promoted": "A model version moved to another stage",
    "version.rolled_back": "A model's production version was rolled back",
    "version.gate_override": "Platform staff promoted a version past failing gates",
    "drift.detected": "Significant input drift was detected on a production version",
    "feedback.opened": "Feedback was filed on a model",
    "feedback.answered": "Feedback on a model was acknowledged or resolved",
    "training_job.started": "A training job started running",
    "training_job.finished": "A training job succeeded",
    "training_job.failed": "A training job failed",
    "ping": "A test event sent by hand",
}

published = Signal()  # sent with ``event=Event`` after the publishing transaction commits


@dataclass(frozen=True)
class Event:
    type: str
    data: dict
    # What the event concerns, for subscriptions filtered by team, stream or model (ids).
    team_ids: tuple[int, ...] = ()
    stream_ids: tuple[int, ...] = ()
    model_ids: tuple[int, ...] = ()
    id: str = field(default_factory=lambda: str(uuid.uuid4()))
    created: datetime.datetime = field(default_factory=timezone.now)


def _ids(*values) -> tuple[int, ...]:
    return tuple(sorted({value for value in values if value}))


def publish(type: str, *, data: dict, teams=(), streams=(), models=()) -> Event:
    """Announce ``type`` with ``data`` once the current transaction commits (at once outside one)."""
    if type not in EVENT_TYPES:
        raise ValueError(f"unknown event type {type!r}")
    event = Event(
        type=type, data=data, team_ids=_ids(*teams), stream_ids=_ids(*streams), model_ids=_ids(*models)
    )
    transaction.on_commit(lambda: _send(event))
    return event


def _send(event: Event) -> None:
    for receiver, result in published.send_robust(sender=event.type, event=event):
        if isinstance(result, Exception):
            logger.error("event %s (%s): %s failed: %r", event.id, event.type, receiver, result)
