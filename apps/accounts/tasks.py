import smtplib

from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives

MAIL_RETRY = {
    "autoretry_for": (OSError, smtplib.SMTPException),
    "retry_backoff": settings.PORTAL_MAIL_RETRY_BASE_SECONDS,
    "retry_backoff_max": 60 * settings.PORTAL_MAIL_RETRY_BASE_SECONDS,
    "retry_jitter": True,
    "max_retries": 5,
}


@shared_task(ignore_result=True, acks_late=True, **MAIL_RETRY)
def send_password_reset_mail(*, subject: str, body: str, to: str) -> None:
    """The password-reset mail Django's form rendered; a mail server that is down is retried."""
    EmailMultiAlternatives(subject, body, None, [to]).send()
