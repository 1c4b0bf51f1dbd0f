import smtplib

from celery import shared_task
from django.conf import settings

from apps.notifications import services

MAIL_RETRY = {
    "autoretry_for": (OSError, smtplib.SMTPException),
    "retry_backoff": settings.PORTAL_MAIL_RETRY_BASE_SECONDS,
    "retry_backoff_max": 60 * settings.PORTAL_MAIL_RETRY_BASE_SECONDS,
    "retry_jitter": True,
    "max_retries": 10,
}


@shared_task(ignore_result=True, acks_late=True, **MAIL_RETRY)
def email(notification_id: int) -> bool:
    return services.email_one(notification_id=notification_id)


@shared_task(ignore_result=True, **MAIL_RETRY)
def daily_digest() -> int:
    return services.email_daily_digests()
