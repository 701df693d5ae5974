"""An alert raised to Care Communications Centre staff, emailed once and acknowledged by a person.

``dedupe_key`` names the situation (this package's deadline; this provider's current run of unanswered
offers), so detecting the same situation again, by a second or late beat run, never raises a second alert.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone


class Alert(models.Model):
    class Kind(models.TextChoices):
        DEADLINE_BREACH = "deadline_breach", "Placement deadline passed"
        PROVIDER_UNRESPONSIVE = "provider_unresponsive", "Provider not responding to offers"
        MISSED_VISITS = "missed_visits", "Visits missed for one person"

    kind = models.CharField(max_length=30, choices=Kind.choices)
    dedupe_key = models.CharField(max_length=200, unique=True)
    package = models.ForeignKey(
        "brokerage.CarePackage", null=True, blank=True, on_delete=models.CASCADE, related_name="alerts"
    )
    provider = models.ForeignKey(
        "providers.Provider", null=True, blank=True, on_delete=models.CASCADE, related_name="brokerage_alerts"
    )
    summary = models.CharField(max_length=500)
    raised_at = models.DateTimeField()
    # Set when the email to CCC staff was sent; claimed with a conditional update so it is sent once.
    emailed_at = models.DateTimeField(null=True, blank=True)
    acknowledged_at = models.DateTimeField(null=True, blank=True)
    acknowledged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    acknowledgement_note = models.TextField(blank=True)
    # Who follows the situation up from here (the acknowledger by default; another CCC member or an officer).
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["-raised_at", "-id"]
        indexes = [
            models.Index(fields=["raised_at"], condition=Q(acknowledged_at__isnull=True), name="brokerage_alert_open"),
            models.Index(fields=["raised_at"], condition=Q(emailed_at__isnull=True), name="brokerage_alert_unsent"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.summary}"

    def acknowledged_summary(self) -> str:
        """Who acknowledged the alert and when, in words ("" while it is open)."""
        if self.acknowledged_at is None:
            return ""
        who = self.acknowledged_by.get_username() if self.acknowledged_by else "someone"
        return f"{who} acknowledged this alert at {timezone.localtime(self.acknowledged_at):%H:%M on %d %B %Y}."
