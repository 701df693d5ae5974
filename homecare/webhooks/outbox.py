"""Record an outbound event: called by services inside the transaction that makes the change.

The event and its deliveries commit with the change or not at all (a transactional outbox), and the
delivery tasks are enqueued after the commit; a lost task is found again by the sweep.
"""

from __future__ import annotations

import json
import uuid
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from homecare.correlation import correlation_id
from homecare.queue import enqueue_on_commit
from homecare.webhooks.kinds import EventKind
from homecare.webhooks.models import OutboxEvent, WebhookDelivery, WebhookSubscriber

DELIVER_TASK = "homecare.webhooks.tasks.deliver_webhook"


def event_record(
    *, kind: EventKind, ordering_key: str, payload: dict[str, Any], provider_id: int | None = None
) -> OutboxEvent:
    """Write one event and a pending delivery for each subscriber that wants its kind.

    ``ordering_key`` groups events delivered in order ("package:<id>"); ``payload`` is the event's
    documented ``data`` and is stored as plain JSON (dates and decimals as strings); ``provider_id`` names the
    provider the event concerns, so a provider's own subscriber receives it and other providers' do not.
    """
    if not transaction.get_connection().in_atomic_block:
        # Outside a transaction the event could commit without its change (or the reverse): a caller's bug.
        raise RuntimeError("event_record must be called inside the transaction that makes the change")
    now = timezone.now()
    event = OutboxEvent.objects.create(
        message_id=f"msg_{uuid.uuid4().hex}",
        kind=kind,
        ordering_key=ordering_key,
        provider_id=provider_id,
        occurred_at=now,
        correlation_id=correlation_id(),
        payload=json.loads(json.dumps(payload, cls=DjangoJSONEncoder)),
    )
    active = WebhookSubscriber.objects.filter(is_active=True)
    subscribers = [s for s in active if s.wants(kind, provider_id=provider_id)]
    deliveries = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(event=event, subscriber=s, ordering_key=ordering_key, next_attempt_at=now) for s in subscribers
    )
    for delivery in deliveries:
        enqueue_on_commit(DELIVER_TASK, delivery.pk)
    return event
