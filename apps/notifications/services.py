"""Writes: notifications made from domain events, marking them read, watching and muting, e-mail
preferences, and the e-mails themselves (sent by worker tasks)."""

import datetime
import logging

from django.conf import settings
from django.core.exceptions import PermissionDenied
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone

from apps.core import dispatch
from apps.notifications import audience
from apps.notifications.models import EmailChoice, Notification, Preference, Watch

logger = logging.getLogger(__name__)

SUMMARY_LIMIT = Notification._meta.get_field("summary").max_length


def notify_for_event(sender, *, event, **kwargs) -> list[Notification]:
    """Listener of ``apps.core.events.published``: one notification per person told, and their e-mail."""
    told, url = audience.audience(event)
    if not told:
        return []
    summary = str(event.data.get("summary") or event.type)[:SUMMARY_LIMIT]
    rows = [
        Notification(
            user_id=user,
            event_type=event.type,
            event_id=event.id,
            summary=summary,
            detail=_detail(event),
            actor=str(event.data.get("actor") or "")[:150],
            url=url,
            reason=reason,
            created_at=event.created,
        )
        for user, reason in told.items()
    ]
    with transaction.atomic():
        Notification.objects.bulk_create(rows, ignore_conflicts=True)
        at_once = _users_with(EmailChoice.IMMEDIATE, told)
        if not at_once:  # nobody to e-mail now: no need for the rows' ids
            return rows
        for notification_id in Notification.objects.filter(
            event_id=event.id, user_id__in=at_once
        ).values_list("pk", flat=True):
            dispatch.enqueue_on_commit("apps.notifications.tasks.email", args=[notification_id])
    return rows


def _detail(event) -> str:
    data = event.data
    return str(data.get("note") or data.get("body") or data.get("reason") or data.get("error") or "")[:4000]


def _users_with(choice: str, user_ids) -> set[int]:
    """Users among ``user_ids`` whose e-mail preference is ``choice`` (no row: the default)."""
    chosen = dict(Preference.objects.filter(user_id__in=user_ids).values_list("user_id", "email"))
    default = Preference._meta.get_field("email").default
    return {user for user in user_ids if chosen.get(user, default) == choice}


def mark_read(*, actor, ids=None) -> int:
    """Mark the actor's notifications ``ids`` (all unread ones when ``ids`` is None) as read."""
    unread = Notification.objects.filter(user=actor, read_at__isnull=True)
    if ids is not None:
        unread = unread.filter(pk__in=ids)
    return unread.update(read_at=timezone.now())


def watch_set(*, actor, watching: bool, request=None, model=None) -> Watch:
    """Follow (``watching``) or mute one request or model; the choice replaces the default."""
    if not (actor and actor.is_authenticated):
        raise PermissionDenied("Sign in to watch.")
    target = {"request": request} if request is not None else {"model": model}
    watch, _ = Watch.objects.update_or_create(
        user=actor, **target, defaults={"watching": watching, "updated_at": timezone.now()}
    )
    return watch


def preference_set(*, actor, email: str) -> Preference:
    if email not in EmailChoice.values:
        raise ValueError(f"unknown e-mail choice {email!r}")
    preference, _ = Preference.objects.update_or_create(
        user=actor, defaults={"email": email, "updated_at": timezone.now()}
    )
    return preference


def _link(path: str) -> str:
    return f"{getattr(settings, 'PORTAL_BASE_URL', '')}{path}" if path else ""


def email_one(*, notification_id: int) -> bool:
    """Send one notification's e-mail (once: a redelivered task finds it sent)."""
    notification = Notification.objects.select_related("user").filter(pk=notification_id).first()
    if notification is None or notification.emailed_at or not notification.user.email:
        return False
    lines = [notification.summary]
    if notification.actor:
        lines.append(
            f"by {notification.actor} at {timezone.localtime(notification.created_at):%Y-%m-%d %H:%M %Z}"
        )
    if notification.detail:
        lines += ["", notification.detail]
    lines += ["", f"You are told because {notification.reason}.", _link(notification.url)]
    body = "\n".join(lines).rstrip()
    send_mail(f"[ML portal] {notification.summary}", body, None, [notification.user.email])
    Notification.objects.filter(pk=notification.pk).update(emailed_at=timezone.now())
    return True


def email_daily_digests(*, now=None) -> int:
    """One e-mail per person who chose the daily digest and has unread, un-e-mailed notifications of the
    last day; returns how many were sent."""
    now = now or timezone.now()
    since = now - datetime.timedelta(days=1)
    pending = Notification.objects.filter(
        read_at__isnull=True, emailed_at__isnull=True, created_at__gte=since
    )
    user_ids = set(pending.values_list("user_id", flat=True))
    sent = 0
    for user_id in sorted(_users_with(EmailChoice.DAILY, user_ids)):
        mine = list(pending.filter(user_id=user_id).select_related("user").order_by("created_at"))
        user = mine[0].user
        if not user.email:
            continue
        lines = [f"- {n.summary} ({n.reason}) {_link(n.url)}".rstrip() for n in mine]
        subject = f"[ML portal] {len(mine)} unread notification{'s' if len(mine) != 1 else ''}"
        send_mail(subject, "What happened in the last day:\n\n" + "\n".join(lines), None, [user.email])
        Notification.objects.filter(pk__in=[n.pk for n in mine]).update(emailed_at=now)
        sent += 1
    return sent
