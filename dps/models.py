"""DPS application rounds, providers' applications, their automatic evaluation and the officer's decision."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class RoundStatus(models.TextChoices):
    SCHEDULED = "scheduled", "Scheduled"
    OPEN = "open", "Open"
    CLOSED = "closed", "Closed"
    CANCELLED = "cancelled", "Cancelled"


class DpsRound(models.Model):
    """A window in which providers may apply to join the agreement's DPS.

    Generated from the agreement's schedule (1, 3 and 6 months after start, then yearly); officers may
    move the dates while a round is scheduled. A beat task opens and closes rounds on time.
    """

    agreement = models.ForeignKey("contracts.Agreement", on_delete=models.PROTECT, related_name="dps_rounds")
    number = models.PositiveSmallIntegerField()
    label = models.CharField(max_length=100, help_text='Why this round exists, e.g. "3 months after start".')
    opens_at = models.DateTimeField()
    closes_at = models.DateTimeField()
    status = models.CharField(max_length=20, choices=RoundStatus.choices, default=RoundStatus.SCHEDULED)
    opened_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["agreement", "opens_at"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "number"], name="dps_round_number_unique"),
            models.CheckConstraint(
                condition=Q(closes_at__gt=models.F("opens_at")),
                name="dps_round_closes_after_opening",
                violation_error_message="A round must close after it opens.",
            ),
        ]
        indexes = [models.Index(fields=["status", "opens_at"]), models.Index(fields=["status", "closes_at"])]

    def __str__(self) -> str:
        return f"Round {self.number} ({self.label})"


class ApplicationStatus(models.TextChoices):
    DRAFT = "draft", "Draft"
    SUBMITTED = "submitted", "Submitted"
    APPOINTED = "appointed", "Appointed"
    REJECTED = "rejected", "Rejected"


class ProviderApplication(models.Model):
    """A provider's application in one round: the CQC locations it will work from and its declarations."""

    dps_round = models.ForeignKey(DpsRound, on_delete=models.PROTECT, related_name="applications")
    provider = models.ForeignKey("providers.Provider", on_delete=models.PROTECT, related_name="dps_applications")
    status = models.CharField(max_length=20, choices=ApplicationStatus.choices, default=ApplicationStatus.DRAFT)
    locations = models.ManyToManyField("providers.CqcLocation", blank=True, related_name="dps_applications")
    declares_contract_compliance = models.BooleanField(
        default=False, verbose_name="We will comply with the terms of the contract"
    )
    declares_staff_pay_passed_on = models.BooleanField(
        default=False, verbose_name="We will pass the whole staff-pay element of the fee to our care workers"
    )
    declares_fee_rates_accepted = models.BooleanField(default=False, verbose_name="We accept the council's fee rates")
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    submitted_at = models.DateTimeField(null=True, blank=True)
    evaluated_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["dps_round", "provider__name"]
        constraints = [
            models.UniqueConstraint(fields=["dps_round", "provider"], name="dps_application_one_per_round"),
            models.CheckConstraint(
                condition=Q(status=ApplicationStatus.DRAFT) | Q(submitted_at__isnull=False),
                name="dps_application_submitted_has_time",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider} in {self.dps_round}"

    @property
    def automatic_result_passed(self) -> bool | None:
        """True when every criterion passed; None before evaluation."""
        results = list(self.criterion_results.all())
        if not results:
            return None
        return all(result.passed for result in results)


class CriterionResult(models.Model):
    """The automatic evaluation of one published criterion for one application, with its evidence."""

    application = models.ForeignKey(ProviderApplication, on_delete=models.CASCADE, related_name="criterion_results")
    criterion = models.CharField(max_length=50)
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    passed = models.BooleanField()
    reason = models.TextField()
    evidence = models.JSONField(default=dict, blank=True)
    evaluated_at = models.DateTimeField()

    class Meta:
        ordering = ["application", "position"]
        constraints = [
            models.UniqueConstraint(fields=["application", "criterion"], name="dps_criterion_result_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.title}: {'pass' if self.passed else 'fail'}"


class DecisionOutcome(models.TextChoices):
    APPOINT = "appoint", "Appoint"
    REJECT = "reject", "Reject"


class ApplicationDecision(models.Model):
    """The officer's decision on an application. Going against the automatic result is an override."""

    application = models.OneToOneField(ProviderApplication, on_delete=models.PROTECT, related_name="decision")
    outcome = models.CharField(max_length=10, choices=DecisionOutcome.choices)
    reasons = models.TextField()
    automatic_passed = models.BooleanField(help_text="Whether every criterion passed when the decision was made.")
    is_override = models.BooleanField(default=False)
    override_justification = models.TextField(blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    decided_at = models.DateTimeField()
    membership = models.OneToOneField(
        "contracts.ProviderMembership", on_delete=models.PROTECT, null=True, blank=True, related_name="dps_decision"
    )

    class Meta:
        ordering = ["-decided_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(is_override=False) | ~Q(override_justification=""),
                name="dps_decision_override_justified",
                violation_error_message="An override needs a written justification.",
            ),
            models.CheckConstraint(
                condition=Q(outcome=DecisionOutcome.REJECT) | Q(membership__isnull=False),
                name="dps_decision_appointment_has_membership",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_outcome_display()}: {self.application}"
