"""Officers' writes on webhooks: set up a subscriber, rotate its secret, stop it, send a delivery again."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone

from homecare.audit.actions import AuditAction
from homecare.audit.services import audit_record
from homecare.queue import enqueue_on_commit
from homecare.webhooks import signing
from homecare.webhooks.kinds import EventKind
from homecare.webhooks.models import WebhookDelivery, WebhookSubscriber
from homecare.webhooks.outbox import DELIVER_TASK

ROTATION_OVERLAP = timedelta(hours=24)  # both secrets sign for a day, while the receiver switches over


@dataclass(frozen=True)
class SubscriberWithSecret:
    subscriber: WebhookSubscriber
    secret: str  # shown to the officer once, to give to the receiving system


def _clean_kinds(event_kinds: list[str]) -> list[str]:
    unknown = sorted(set(event_kinds) - set(EventKind.values))
    if unknown:
        raise ValidationError(f"Unknown event kinds: {', '.join(unknown)}.")
    return sorted(set(event_kinds))


@transaction.atomic
def webhook_subscriber_create(
    *, name: str, url: str, event_kinds: list[str], created_by: User, provider_id: int | None = None
) -> SubscriberWithSecret:
    """A new subscriber with a fresh secret; it receives events recorded from now on."""
    secret = signing.secret_new()
    subscriber = WebhookSubscriber.objects.create(
        name=name.strip(),
        url=url,
        secret=secret,
        event_kinds=_clean_kinds(event_kinds),
        provider_id=provider_id,
        created_at=timezone.now(),
        created_by=created_by,
    )
    audit_record(
        actor=created_by,
        action=AuditAction.WEBHOOK_SUBSCRIBER_CREATED,
        target=subscriber,
        summary=f"Webhook subscriber {subscriber.name} set up for {subscriber.url}",
        data={"url": subscriber.url, "event_kinds": subscriber.event_kinds, "provider_id": provider_id},
    )
    return SubscriberWithSecret(subscriber=subscriber, secret=secret)


@transaction.atomic
def webhook_secret_rotate(*, subscriber_id: int, rotated_by: User) -> SubscriberWithSecret:
    """Make a new secret; the old one keeps signing beside it for ``ROTATION_OVERLAP``, then stops."""
    subscriber = WebhookSubscriber.objects.select_for_update().get(pk=subscriber_id)
    now = timezone.now()
    secret = signing.secret_new()
    subscriber.previous_secret = subscriber.secret
    subscriber.previous_secret_until = now + ROTATION_OVERLAP
    subscriber.secret = secret
    subscriber.save(update_fields=["previous_secret", "previous_secret_until", "secret"])
    audit_record(
        actor=rotated_by,
        action=AuditAction.WEBHOOK_SECRET_ROTATED,
        target=subscriber,
        summary=f"Secret of webhook subscriber {subscriber.name} rotated; the old one signs until "
        f"{timezone.localtime(subscriber.previous_secret_until):%H:%M %d %B %Y}",
    )
    return SubscriberWithSecret(subscriber=subscriber, secret=secret)


@transaction.atomic
def webhook_subscriber_deactivate(*, subscriber_id: int, deactivated_by: User) -> WebhookSubscriber:
    """Stop sending to this subscriber: new events are not queued for it, pending deliveries are given up."""
    subscriber = WebhookSubscriber.objects.select_for_update().get(pk=subscriber_id)
    subscriber.is_active = False
    subscriber.save(update_fields=["is_active"])
    given_up = WebhookDelivery.objects.filter(subscriber=subscriber, status=WebhookDelivery.Status.PENDING).update(
        status=WebhookDelivery.Status.FAILED, last_error="Subscriber deactivated"
    )
    audit_record(
        actor=deactivated_by,
        action=AuditAction.WEBHOOK_SUBSCRIBER_DEACTIVATED,
        target=subscriber,
        summary=f"Webhook subscriber {subscriber.name} deactivated",
        data={"pending_given_up": given_up},
    )
    return subscriber


@transaction.atomic
def webhook_redeliver(*, delivery_id: int, requested_by: User) -> WebhookDelivery:
    """Send a delivery again (delivered or given up), with the same ``webhook-id`` so the receiver sees a replay."""
    delivery = WebhookDelivery.objects.select_for_update().select_related("event", "subscriber").get(pk=delivery_id)
    if not delivery.subscriber.is_active:
        raise ValidationError("This subscriber is deactivated; set up a new one to send to it again.")
    if delivery.status == WebhookDelivery.Status.PENDING:
        raise ValidationError("This delivery is still being tried; it will be sent without asking.")
    previous = delivery.status
    delivery.status = WebhookDelivery.Status.PENDING
    delivery.attempts = 0  # a fresh set of retries; the log keeps every earlier attempt
    delivery.next_attempt_at = timezone.now()
    delivery.claimed_until = None
    delivery.save(update_fields=["status", "attempts", "next_attempt_at", "claimed_until"])
    audit_record(
        actor=requested_by,
        action=AuditAction.WEBHOOK_DELIVERY_REPLAYED,
        target=delivery.subscriber,
        summary=f"{delivery.event.kind} {delivery.event.message_id} sent again to {delivery.subscriber.name}",
        data={"delivery": delivery.pk, "message_id": delivery.event.message_id, "was": previous},
    )
    enqueue_on_commit(DELIVER_TASK, delivery.pk)
    return delivery
