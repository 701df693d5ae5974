"""Record an outbound event: called by services inside the transaction that makes the change.

The event and its deliveries commit with the change or not at all (a transactional outbox), and the
delivery tasks are enqueued after the commit; a lost task is found again by the sweep.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from django.core.serializers.json import DjangoJSONEncoder
from django.db import transaction
from django.utils import timezone

from homecare.correlation import correlation_id
from homecare.queue import enqueue_on_commit
from homecare.webhooks.kinds import EventKind
from homecare.webhooks.models import OutboxEvent, WebhookDelivery, WebhookSubscriber

DELIVER_TASK = "homecare.webhooks.tasks.deliver_webhook"


@dataclass(frozen=True)
class EventDraft:
    """One event to record: see ``event_record`` for what each field means."""

    kind: EventKind
    ordering_key: str
    payload: dict[str, Any]
    provider_id: int | None = None


def event_record(
    *, kind: EventKind, ordering_key: str, payload: dict[str, Any], provider_id: int | None = None
) -> OutboxEvent:
    """Write one event and a pending delivery for each subscriber that wants its kind.

    ``ordering_key`` groups events delivered in order ("package:<id>"); ``payload`` is the event's
    documented ``data`` and is stored as plain JSON (dates and decimals as strings); ``provider_id`` names the
    provider the event concerns, so a provider's own subscriber receives it and other providers' do not.
    """
    return event_record_many([EventDraft(kind, ordering_key, payload, provider_id)])[0]


def event_record_many(drafts: Sequence[EventDraft]) -> list[OutboxEvent]:
    """Write the events in order (one insert), each with its deliveries (one insert), reading the subscribers once.

    The same rows as one ``event_record`` per draft; a round's offers use it so a burst costs a few queries.
    """
    if not transaction.get_connection().in_atomic_block:
        # Outside a transaction the event could commit without its change (or the reverse): a caller's bug.
        raise RuntimeError("event_record must be called inside the transaction that makes the change")
    if not drafts:
        return []
    events = OutboxEvent.objects.bulk_create(
        OutboxEvent(
            message_id=f"msg_{uuid.uuid4().hex}",
            kind=draft.kind,
            ordering_key=draft.ordering_key,
            provider_id=draft.provider_id,
            occurred_at=timezone.now(),
            correlation_id=correlation_id(),
            payload=json.loads(json.dumps(draft.payload, cls=DjangoJSONEncoder)),
        )
        for draft in drafts
    )
    active = list(WebhookSubscriber.objects.filter(is_active=True))
    deliveries = WebhookDelivery.objects.bulk_create(
        WebhookDelivery(event=event, subscriber=s, ordering_key=event.ordering_key, next_attempt_at=event.occurred_at)
        for event in events
        for s in active
        if s.wants(event.kind, provider_id=event.provider_id)
    )
    for delivery in deliveries:
        enqueue_on_commit(DELIVER_TASK, delivery.pk)
    return events
