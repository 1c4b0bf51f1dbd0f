from celery import shared_task

from apps.webhooks import services


@shared_task(name="webhooks.deliver", bind=True, max_retries=None, acks_late=True)
def deliver(self, delivery_id: int) -> None:
    """POST one delivery; on failure retry with exponential backoff for up to a day (settings)."""
    retry_in = services.delivery_attempt(delivery_id=delivery_id)
    if retry_in is not None:
        raise self.retry(countdown=retry_in)
