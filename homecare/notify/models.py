"""Every message sent through GOV.UK Notify, with the delivery status Notify reports back by callback."""

from __future__ import annotations

from django.db import models


class Notification(models.Model):
    class Channel(models.TextChoices):
        EMAIL = "email", "Email"
        SMS = "sms", "Text message"

    notify_id = models.CharField(max_length=36, unique=True)  # Notify's id for the notification
    reference = models.CharField(max_length=100)  # ours, sent to Notify: "<kind>:<uuid>"
    kind = models.CharField(max_length=40)  # the message: offer_email, award_email, urgent_offer_sms, ...
    channel = models.CharField(max_length=10, choices=Channel.choices)
    template_id = models.CharField(max_length=36)
    recipient = models.CharField(max_length=254)  # a staff email address or a provider's office mobile
    created_at = models.DateTimeField()
    # From Notify's callback: created, sending, delivered, permanent-failure, temporary-failure, technical-failure.
    status = models.CharField(max_length=30, default="created")
    status_at = models.DateTimeField(null=True, blank=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    completed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["kind", "created_at"])]

    def __str__(self) -> str:
        return f"{self.kind} to {self.recipient} ({self.status})"
