"""Celery tasks for webhooks: thin callers of ``homecare.webhooks.delivery``. They carry delivery ids only."""

from __future__ import annotations

from typing import Any

from celery import Task, shared_task
from django.utils import timezone

from homecare.webhooks.delivery import deliveries_due, webhook_deliver


def _send(task: Task, delivery_id: int, *, countdown: float | None = None) -> None:  # type: ignore[type-arg]
    # Stay on the queue this task came from, so a deployment's routing (or a test's queue) holds.
    queue = (task.request.delivery_info or {}).get("routing_key")
    options: dict[str, Any] = {"queue": queue} if queue else {}
    if countdown is not None:
        options["countdown"] = countdown
    deliver_webhook.apply_async((delivery_id,), **options)


@shared_task(name="homecare.webhooks.tasks.deliver_webhook", bind=True, acks_late=True)
def deliver_webhook(self: Task, delivery_id: int) -> bool:  # type: ignore[type-arg]
    """POST one delivery; schedule its retry, or hand over to the next event of its stream."""
    outcome = webhook_deliver(delivery_id=delivery_id)
    if outcome.retry_in is not None:
        _send(self, delivery_id, countdown=outcome.retry_in)
    if outcome.next_delivery_id is not None:
        _send(self, outcome.next_delivery_id)
    return outcome.delivered


@shared_task(name="homecare.webhooks.tasks.deliver_due_webhooks", bind=True, acks_late=True)
def deliver_due_webhooks(self: Task) -> int:  # type: ignore[type-arg]
    """Every 30 seconds: send deliveries that are due but whose task was lost (broker down, worker killed)."""
    due = deliveries_due(now=timezone.now())
    for delivery_id in due:
        _send(self, delivery_id)
    return len(due)
