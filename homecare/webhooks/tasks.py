"""Celery tasks for webhooks: thin callers of ``homecare.webhooks.delivery``. They carry delivery ids only."""

from __future__ import annotations

from celery import Task, shared_task
from django.utils import timezone

from homecare.webhooks.delivery import deliveries_due, webhook_deliver


def _send(delivery_id: int, *, countdown: float | None = None) -> None:
    # Through the routing (config.queues): the due-sweep is on ``control``, deliveries go with the messages out.
    if countdown is None:
        deliver_webhook.delay(delivery_id)
    else:
        deliver_webhook.apply_async((delivery_id,), countdown=countdown)


@shared_task(name="homecare.webhooks.tasks.deliver_webhook", bind=True, acks_late=True)
def deliver_webhook(self: Task, delivery_id: int) -> bool:  # type: ignore[type-arg]
    """POST one delivery; schedule its retry, or hand over to the next event of its stream."""
    outcome = webhook_deliver(delivery_id=delivery_id)
    if outcome.retry_in is not None:
        _send(delivery_id, countdown=outcome.retry_in)
    if outcome.next_delivery_id is not None:
        _send(outcome.next_delivery_id)
    return outcome.delivered


@shared_task(name="homecare.webhooks.tasks.deliver_due_webhooks", acks_late=True)
def deliver_due_webhooks() -> int:
    """Every 30 seconds: send deliveries that are due but whose task was lost (broker down, worker killed)."""
    due = deliveries_due(now=timezone.now())
    for delivery_id in due:
        _send(delivery_id)
    return len(due)
