"""A dated change to an awarded package, with its own status history (``PackageChangeStatusEvent``).

The kinds and how their statuses move (``brokerage.services.changes`` holds the rules)::

    variation:  proposed -> accepted
                proposed -> declined | expired -> rebrokering -> replaced (a new provider's award starts)
                proposed -> withdrawn (the package was suspended, ended or handed back first)
    suspension: active -> resumed | rebrokering -> replaced | withdrawn (the package ended)
    end:        completed
    review:     completed
    request:    requested -> approved (a variation, already agreed, is made from it) | refused

Costs read the change's ``applied_from``: the first day its new visit pattern is paid for. An accepted
variation applies from its effective date; a re-brokered one from the new provider's start, because the
current provider keeps delivering the old pattern until then.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class PackageChange(models.Model):
    class Kind(models.TextChoices):
        VARIATION = "variation", "Variation"
        SUSPENSION = "suspension", "Suspension"
        END = "end", "End"
        REVIEW = "review", "Review"
        REQUEST = "request", "Provider request"

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Awaiting the provider's answer"
        ACCEPTED = "accepted", "Accepted by the provider"
        DECLINED = "declined", "Declined by the provider"
        EXPIRED = "expired", "Not answered in time"
        REBROKERING = "rebrokering", "Being re-brokered"
        REPLACED = "replaced", "New provider awarded"
        WITHDRAWN = "withdrawn", "Withdrawn"
        ACTIVE = "active", "In effect"
        RESUMED = "resumed", "Care resumed"
        COMPLETED = "completed", "Completed"
        REQUESTED = "requested", "Awaiting an officer's decision"
        APPROVED = "approved", "Approved"
        REFUSED = "refused", "Refused"

    class SuspensionReason(models.TextChoices):
        HOSPITAL = "hospital", "Hospital admission"
        RESPITE = "respite", "Respite care"
        HOLIDAY = "holiday", "Holiday"
        OTHER = "other", "Another reason"

    class EndReason(models.TextChoices):
        DIED = "died", "The person died"
        RESIDENTIAL = "residential", "Moved to residential care"
        NOT_NEEDED = "not_needed", "Care no longer needed"
        MOVED_AWAY = "moved_away", "Moved out of the area"
        HAND_BACK = "hand_back", "Hand-back completed"

    OPEN_STATUSES = (Status.PROPOSED, Status.REBROKERING, Status.ACTIVE, Status.REQUESTED)

    package = models.ForeignKey("brokerage.CarePackage", on_delete=models.CASCADE, related_name="changes")
    kind = models.CharField(max_length=20, choices=Kind.choices)
    status = models.CharField(max_length=20, choices=Status.choices)
    # The provider delivering the care when the change was made (it keeps delivering while re-brokering).
    provider = models.ForeignKey(
        "providers.Provider", null=True, blank=True, on_delete=models.PROTECT, related_name="package_changes"
    )
    round_number = models.PositiveIntegerField()
    # Variation: the first day of the new pattern; suspension: the first day without care; end: the last
    # day of care; review: the day it was held.
    effective_from = models.DateField()
    applied_from = models.DateField(null=True, blank=True)
    expected_return_on = models.DateField(null=True, blank=True)
    resumed_on = models.DateField(null=True, blank=True)
    reason_code = models.CharField(max_length=20, blank=True)
    note = models.TextField(blank=True)
    # The new care (``visits``, ``hours_per_week``, needs) and, for a variation, what it replaced.
    pattern = models.JSONField(default=dict, blank=True)
    previous = models.JSONField(default=dict, blank=True)
    exclude_current_provider = models.BooleanField(default=False)
    # Copied from the agreement when the suspension starts, so a later contract change does not rewrite it.
    retainer_days = models.PositiveSmallIntegerField(default=0)
    respond_by = models.DateTimeField(null=True, blank=True)
    source_request = models.ForeignKey(
        "self", null=True, blank=True, on_delete=models.SET_NULL, related_name="variations"
    )
    created_at = models.DateTimeField()
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    # When the provider's staff were emailed about it; claimed with a conditional update so it is sent once.
    notified_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        constraints = [
            # The database as well as the package lock: never two variations waiting, nor two suspensions.
            models.UniqueConstraint(
                fields=["package"],
                condition=Q(kind="variation", status__in=["proposed", "rebrokering"]),
                name="brokerage_change_one_open_variation",
            ),
            models.UniqueConstraint(
                fields=["package"],
                condition=Q(kind="suspension", status__in=["active", "rebrokering"]),
                name="brokerage_change_one_active_suspension",
            ),
        ]
        indexes = [
            models.Index(fields=["package", "kind", "status"], name="brokerage_change_pkg_kind"),
            models.Index(fields=["respond_by"], condition=Q(status="proposed"), name="brokerage_change_respond_by"),
            models.Index(fields=["provider", "status"], name="brokerage_change_provider"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} of {self.package}"

    @property
    def reason_label(self) -> str:
        """The suspension's or the end's reason as people read it."""
        labels = dict(self.SuspensionReason.choices if self.kind == self.Kind.SUSPENSION else self.EndReason.choices)
        return str(labels.get(self.reason_code, self.reason_code))


class PackageChangeStatusEvent(models.Model):
    """The status history of a change, one row per transition, written with the change."""

    change = models.ForeignKey(PackageChange, on_delete=models.CASCADE, related_name="status_events")
    from_status = models.CharField(max_length=20, blank=True)
    to_status = models.CharField(max_length=20, choices=PackageChange.Status.choices)
    changed_at = models.DateTimeField()
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    actor_label = models.CharField(max_length=150)
    reason = models.TextField(blank=True)

    class Meta:
        ordering = ["changed_at", "id"]

    def __str__(self) -> str:
        return f"{self.change}: {self.from_status or '-'} -> {self.to_status}"


class IdempotentRequest(models.Model):
    """One API call made with an ``Idempotency-Key``: what was asked (a fingerprint) and what was answered.

    The same key with the same request gets the stored answer again, without running the action twice;
    the same key with another request is refused. ``status_code`` is null while the first call is running.
    """

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    key = models.CharField(max_length=255)
    fingerprint = models.CharField(max_length=64)
    status_code = models.PositiveSmallIntegerField(null=True, blank=True)
    body = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["user", "key"], name="brokerage_idempotent_one_per_user_key"),
        ]

    def __str__(self) -> str:
        return f"{self.key} ({self.status_code or 'running'})"
