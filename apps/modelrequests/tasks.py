"""Side effects of request writes, run on a worker so that a failure never reaches the writer."""

import smtplib

from celery import shared_task
from django.conf import settings

from apps.modelrequests import notifications


@shared_task(
    name="modelrequests.status_change_mail",
    autoretry_for=(OSError, smtplib.SMTPException),  # mail server down, refused, timed out
    retry_backoff=settings.PORTAL_MAIL_RETRY_BASE_SECONDS,
    retry_backoff_max=60 * settings.PORTAL_MAIL_RETRY_BASE_SECONDS,
    retry_jitter=True,
    max_retries=10,  # a few hours of attempts with the default base; then the failure stays in the log
    ignore_result=True,
    acks_late=True,
)
def status_change_mail(transition_id: int) -> int:
    return notifications.send_status_change(transition_id=transition_id)
