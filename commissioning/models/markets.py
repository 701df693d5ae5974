"""Dynamic markets under the Procurement Act 2023: notices, applications, conditions and exclusion checks."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q


class DynamicMarket(models.Model):
    """The dynamic market an agreement is run as (its procurement route says so)."""

    agreement = models.OneToOneField("contracts.Agreement", on_delete=models.PROTECT, related_name="dynamic_market")
    assessment_days = models.PositiveSmallIntegerField(
        default=10, help_text="Calendar days the council gives itself to assess a request to join."
    )
    conditions_summary = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"Dynamic market: {self.agreement.name}"


class NoticeKind(models.TextChoices):
    DYNAMIC_MARKET = "dynamic_market_notice", "Dynamic market notice"
    MODIFICATION = "modification_notice", "Dynamic market modification notice"
    CESSATION = "cessation_notice", "Dynamic market cessation notice"


class MarketNotice(models.Model):
    market = models.ForeignKey(DynamicMarket, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=30, choices=NoticeKind.choices)
    published_on = models.DateField()
    reference = models.CharField(max_length=100, help_text="The Central Digital Platform notice identifier.")
    summary = models.TextField(blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        ordering = ["market", "published_on", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["market"], condition=Q(kind="dynamic_market_notice"), name="market_one_establishing_notice"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} {self.reference}"


class DebarmentEntry(models.Model):
    """An entry on the debarment list (Procurement Act 2023, section 62), as recorded by an officer."""

    supplier_name = models.CharField(max_length=255)
    companies_house_number = models.CharField(max_length=20, blank=True)
    ground = models.CharField(max_length=200)
    mandatory = models.BooleanField(default=True)
    entered_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    source = models.CharField(max_length=300, blank=True)

    class Meta:
        ordering = ["supplier_name"]
        verbose_name_plural = "debarment entries"

    def __str__(self) -> str:
        return self.supplier_name


class MarketApplicationStatus(models.TextChoices):
    SUBMITTED = "submitted", "Submitted"
    ADMITTED = "admitted", "Admitted"
    REFUSED = "refused", "Refused"


class ApplicationOutcome(models.TextChoices):
    ADMIT = "admit", "Admit to the market"
    REFUSE = "refuse", "Refuse"


class MarketApplication(models.Model):
    """A supplier's request to join: the CQC locations, the Leeds declarations and the exclusion answers."""

    market = models.ForeignKey(DynamicMarket, on_delete=models.PROTECT, related_name="applications")
    provider = models.ForeignKey("providers.Provider", on_delete=models.PROTECT, related_name="market_applications")
    status = models.CharField(
        max_length=20, choices=MarketApplicationStatus.choices, default=MarketApplicationStatus.SUBMITTED
    )
    locations = models.ManyToManyField("providers.CqcLocation", related_name="market_applications")
    declares_contract_compliance = models.BooleanField(default=False)
    declares_staff_pay_passed_on = models.BooleanField(default=False)
    declares_fee_rates_accepted = models.BooleanField(default=False)
    exclusion_answers = models.JSONField(default=dict, help_text='Ground key -> {"applies": bool, "explanation": str}.')
    submitted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    submitted_at = models.DateTimeField()
    assess_by = models.DateField(help_text="The end of the set time for assessment.")
    evaluated_at = models.DateTimeField(null=True, blank=True)
    outcome = models.CharField(max_length=10, choices=ApplicationOutcome.choices, blank=True)
    reasons = models.TextField(blank=True)
    is_override = models.BooleanField(default=False)
    override_justification = models.TextField(blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    membership = models.OneToOneField(
        "contracts.ProviderMembership",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="market_application",
    )

    class Meta:
        ordering = ["-submitted_at"]
        constraints = [
            models.UniqueConstraint(
                fields=["market", "provider"],
                condition=Q(status="submitted"),
                name="market_application_one_pending",
            ),
            models.CheckConstraint(
                condition=Q(is_override=False) | ~Q(override_justification=""),
                name="market_decision_override_justified",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.provider} to {self.market}"

    @property
    def automatic_result_passed(self) -> bool | None:
        results = list(self.checks.all())
        if not results:
            return None
        return all(result.passed for result in results)


class MarketCheckKind(models.TextChoices):
    CONDITION = "condition", "Condition of membership"
    DEBARMENT = "debarment", "Debarment list"
    MANDATORY = "mandatory", "Mandatory exclusion ground"
    DISCRETIONARY = "discretionary", "Discretionary exclusion ground"


class MarketCheck(models.Model):
    application = models.ForeignKey(MarketApplication, on_delete=models.CASCADE, related_name="checks")
    kind = models.CharField(max_length=20, choices=MarketCheckKind.choices)
    criterion = models.CharField(max_length=50)
    position = models.PositiveSmallIntegerField()
    title = models.CharField(max_length=200)
    passed = models.BooleanField()
    reason = models.TextField()
    evidence = models.JSONField(default=dict, blank=True)
    evaluated_at = models.DateTimeField()

    class Meta:
        ordering = ["application", "position"]
        constraints = [models.UniqueConstraint(fields=["application", "criterion"], name="market_check_unique")]

    def __str__(self) -> str:
        return f"{self.title}: {'pass' if self.passed else 'fail'}"
