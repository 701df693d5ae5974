"""Deliver one webhook: claim it, POST the signed envelope, log the attempt, then retry or move on.

Ordering: a subscriber receives the events of one ordering key (one package) in the order they were
recorded. A delivery waits while an earlier one of its stream is still pending; when a delivery succeeds
(or is given up), the next one of its stream is returned for the caller to send. Retries back off
exponentially, from ``HOMECARE_WEBHOOK_RETRY_BASE_SECONDS`` doubling up to ``HOMECARE_WEBHOOK_RETRY_MAX_SECONDS``,
for ``HOMECARE_WEBHOOK_MAX_ATTEMPTS`` attempts; then the delivery is marked failed (an officer can redeliver).
"""

from __future__ import annotations

import json
import logging
import time
from dataclasses import dataclass
from datetime import datetime, timedelta

import requests
from django.conf import settings
from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from homecare.correlation import HEADER as CORRELATION_HEADER
from homecare.webhooks import signing
from homecare.webhooks.kinds import API_VERSION
from homecare.webhooks.models import OutboxEvent, WebhookAttempt, WebhookDelivery, WebhookSubscriber

logger = logging.getLogger(__name__)
CLAIM_SECONDS = 120  # longer than the request timeout: a live worker never loses its claim mid-send


@dataclass(frozen=True)
class DeliveryOutcome:
    delivered: bool = False
    retry_in: float | None = None  # seconds until the next attempt, when one is due
    next_delivery_id: int | None = None  # the stream's next delivery, now free to go


def envelope(event: OutboxEvent) -> bytes:
    """The body: the same bytes for every attempt, so a receiver's replay check is on ``webhook-id`` alone."""
    document = {
        "type": event.kind,
        "timestamp": event.occurred_at,
        "api_version": API_VERSION,
        "correlation_id": event.correlation_id or None,
        "data": event.payload,
    }
    return json.dumps(document, cls=DjangoJSONEncoder, separators=(",", ":")).encode()


def secrets_in_use(subscriber: WebhookSubscriber, *, now: datetime) -> list[str]:
    current = [subscriber.secret]
    if subscriber.previous_secret and subscriber.previous_secret_until and subscriber.previous_secret_until > now:
        current.append(subscriber.previous_secret)
    return current


def backoff_seconds(attempts: int) -> float:
    base = float(settings.HOMECARE_WEBHOOK_RETRY_BASE_SECONDS)
    return float(min(base * 2 ** max(attempts - 1, 0), float(settings.HOMECARE_WEBHOOK_RETRY_MAX_SECONDS)))


def _earlier_pending(delivery: WebhookDelivery) -> bool:
    return WebhookDelivery.objects.filter(
        subscriber_id=delivery.subscriber_id,
        ordering_key=delivery.ordering_key,
        status=WebhookDelivery.Status.PENDING,
        event_id__lt=delivery.event_id,
    ).exists()


def stream_next(delivery: WebhookDelivery) -> int | None:
    return (
        WebhookDelivery.objects.filter(
            subscriber_id=delivery.subscriber_id,
            ordering_key=delivery.ordering_key,
            status=WebhookDelivery.Status.PENDING,
            event_id__gt=delivery.event_id,
        )
        .order_by("event_id")
        .values_list("pk", flat=True)
        .first()
    )


def _claim(delivery_id: int, now: datetime) -> bool:
    """Take the delivery for this worker, if it is pending, due and nobody holds it (a conditional update)."""
    return bool(
        WebhookDelivery.objects.filter(pk=delivery_id, status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .update(claimed_until=now + timedelta(seconds=CLAIM_SECONDS))
    )


def _post(delivery: WebhookDelivery, *, now: datetime) -> tuple[int | None, str]:
    """POST once; the status code (None when no answer came) and a short error."""
    body = envelope(delivery.event)
    headers = signing.headers(
        secrets_in_use=secrets_in_use(delivery.subscriber, now=now),
        message_id=delivery.event.message_id,
        timestamp=int(now.timestamp()),
        body=body,
    )
    headers |= {"Content-Type": "application/json", "User-Agent": "homecare-brokerage-webhooks/1"}
    if delivery.event.correlation_id:
        headers[CORRELATION_HEADER] = delivery.event.correlation_id
    try:
        # No redirects: the subscriber registered this address, and a redirect could point anywhere.
        response = requests.post(
            delivery.subscriber.url,
            data=body,
            headers=headers,
            timeout=settings.HOMECARE_WEBHOOK_TIMEOUT_SECONDS,
            allow_redirects=False,
        )
    except requests.RequestException as error:
        return None, f"{type(error).__name__}: {error}"[:500]
    if 200 <= response.status_code < 300:
        return response.status_code, ""
    return response.status_code, f"HTTP {response.status_code}"


def webhook_deliver(*, delivery_id: int) -> DeliveryOutcome:
    """Send one delivery if it is its stream's turn. Safe to call twice: the send is claimed first.

    1. Wait (do nothing) while an earlier delivery of the same stream is pending: that one hands over.
    2. Claim it with a conditional update; a delivery already sent, not yet due or held elsewhere is left.
    3. POST the signed envelope (outside any transaction: the claim, not a lock, keeps others off it).
    4. Log the attempt; on success, or after the last attempt, return the stream's next delivery;
       otherwise schedule the next attempt with exponential backoff.
    """
    delivery = WebhookDelivery.objects.select_related("event", "subscriber").filter(pk=delivery_id).first()
    if delivery is None or delivery.status != WebhookDelivery.Status.PENDING or _earlier_pending(delivery):
        return DeliveryOutcome()
    now = timezone.now()
    if not _claim(delivery_id, now):
        # Not due yet, or another worker has it: whoever holds it schedules what follows, so only one chain of
        # tasks exists per delivery (a second would double every later retry).
        return DeliveryOutcome()
    started = time.monotonic()
    status_code, error = _post(delivery, now=now)
    finished = timezone.now()
    with transaction.atomic():
        WebhookAttempt.objects.create(
            delivery=delivery,
            attempted_at=now,
            status_code=status_code,
            error=error,
            duration_ms=int((time.monotonic() - started) * 1000),
        )
        delivery.attempts += 1
        delivery.claimed_until = None
        delivery.last_status_code = status_code
        delivery.last_error = error
        retry_in: float | None = None
        if not error:
            delivery.status = WebhookDelivery.Status.DELIVERED
            delivery.delivered_at = finished
        elif delivery.attempts >= settings.HOMECARE_WEBHOOK_MAX_ATTEMPTS:
            # Given up: the stream moves on rather than blocking every later event of the package for good.
            delivery.status = WebhookDelivery.Status.FAILED
            logger.warning("Webhook %s gave up after %s attempts: %s", delivery, delivery.attempts, error)
        else:
            retry_in = backoff_seconds(delivery.attempts)
            delivery.next_attempt_at = finished + timedelta(seconds=retry_in)
        changed = ["attempts", "claimed_until", "last_status_code", "last_error", "status", "delivered_at"]
        delivery.save(update_fields=[*changed, "next_attempt_at"])
    if retry_in is not None:
        return DeliveryOutcome(retry_in=retry_in)
    return DeliveryOutcome(delivered=not error, next_delivery_id=stream_next(delivery))


def deliveries_due(*, now: datetime, limit: int = 500) -> list[int]:
    """Pending deliveries whose time has come and that no live worker holds: the sweep's work."""
    return list(
        WebhookDelivery.objects.filter(status=WebhookDelivery.Status.PENDING, next_attempt_at__lte=now)
        .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lt=now))
        .order_by("event_id")
        .values_list("pk", flat=True)[:limit]
    )
