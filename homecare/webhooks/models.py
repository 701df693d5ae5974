"""The transactional outbox and its deliveries to subscribers (Standard Webhooks).

An ``OutboxEvent`` is written in the same transaction as the change it reports, with one ``WebhookDelivery``
per subscriber that wants its kind; the broker only carries delivery ids. Each attempt is logged.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from encrypted_model_fields.fields import EncryptedCharField

from homecare.webhooks.kinds import EventKind


class WebhookSubscriber(models.Model):
    """A system (Mosaic, LAS, a provider's rostering system) that receives events at its URL."""

    name = models.CharField(max_length=200)
    url = models.URLField(max_length=500, help_text="HTTPS address that receives the events (POST, JSON).")
    # Kept encrypted at rest: the service must sign with it, so it cannot be a one-way digest.
    secret = EncryptedCharField(max_length=200)
    # After a rotation both secrets sign each delivery until this time, so the receiver can switch over.
    previous_secret = EncryptedCharField(max_length=200, blank=True, default="")
    previous_secret_until = models.DateTimeField(null=True, blank=True)
    event_kinds = models.JSONField(default=list, blank=True, help_text="Kinds to receive; empty means all.")
    # A provider's own system (its rostering software) gets only the events about that provider; a council
    # system (no provider) gets every event. An id, not a foreign key: the platform knows no product model.
    provider_id = models.PositiveIntegerField(null=True, blank=True)
    is_active = models.BooleanField(default=True)
    created_at = models.DateTimeField()
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, on_delete=models.SET_NULL, related_name="+")

    def __str__(self) -> str:
        return self.name

    def wants(self, kind: str, *, provider_id: int | None) -> bool:
        if self.provider_id is not None and self.provider_id != provider_id:
            return False
        return self.is_active and (not self.event_kinds or kind in self.event_kinds)


class OutboxEvent(models.Model):
    # The Standard Webhooks message id (``webhook-id``): the same for every attempt and every redelivery,
    # so a receiver recognises a replay and processes it once.
    message_id = models.CharField(max_length=40, unique=True)
    kind = models.CharField(max_length=40, choices=EventKind.choices)
    # Events with the same key are delivered to each subscriber in the order they were recorded
    # ("package:<id>"); the package row is locked when they are recorded, so that is also commit order.
    ordering_key = models.CharField(max_length=80)
    provider_id = models.PositiveIntegerField(null=True, blank=True)  # the provider it concerns, if one
    occurred_at = models.DateTimeField()
    correlation_id = models.CharField(max_length=100, blank=True, default="")
    payload = models.JSONField()

    class Meta:
        indexes = [models.Index(fields=["ordering_key", "id"])]

    def __str__(self) -> str:
        return f"{self.kind} {self.message_id}"


class WebhookDelivery(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "Waiting to be delivered"
        DELIVERED = "delivered", "Delivered"
        FAILED = "failed", "Gave up after the last retry"

    event = models.ForeignKey(OutboxEvent, on_delete=models.CASCADE, related_name="deliveries")
    subscriber = models.ForeignKey(WebhookSubscriber, on_delete=models.CASCADE, related_name="deliveries")
    ordering_key = models.CharField(max_length=80)  # the event's, copied so a stream is read from one table
    status = models.CharField(max_length=20, choices=Status.choices, default=Status.PENDING)
    attempts = models.PositiveIntegerField(default=0)
    next_attempt_at = models.DateTimeField()
    # A worker holds a delivery while it sends; a worker killed mid-send lets the claim lapse, then the sweep
    # sends again (the receiver de-duplicates on webhook-id).
    claimed_until = models.DateTimeField(null=True, blank=True)
    delivered_at = models.DateTimeField(null=True, blank=True)
    last_status_code = models.PositiveIntegerField(null=True, blank=True)
    last_error = models.CharField(max_length=500, blank=True, default="")

    class Meta:
        constraints = [models.UniqueConstraint(fields=["event", "subscriber"], name="webhook_delivery_once")]
        indexes = [
            models.Index(fields=["subscriber", "ordering_key", "status", "event"]),
            models.Index(fields=["status", "next_attempt_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.event} to {self.subscriber}"


class WebhookAttempt(models.Model):
    """One POST to a subscriber: the delivery log officers read (a redelivery's attempts are added to it)."""

    delivery = models.ForeignKey(WebhookDelivery, on_delete=models.CASCADE, related_name="log")
    attempted_at = models.DateTimeField()
    status_code = models.PositiveIntegerField(null=True, blank=True)
    error = models.CharField(max_length=500, blank=True, default="")
    duration_ms = models.PositiveIntegerField(default=0)

    class Meta:
        ordering = ["-attempted_at", "-pk"]

    def __str__(self) -> str:
        return f"{self.delivery} at {self.attempted_at:%Y-%m-%d %H:%M:%S}"
