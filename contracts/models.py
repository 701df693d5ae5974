"""Agreements with providers, their lots or locality areas, provider memberships and fee rates.

The agreement also carries the allocation policy that brokerage follows for packages bought under it,
because the council sets that policy when it procures (Leeds: ranked DPS; Nottinghamshire: lead
provider first in each lot).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models
from django.db.models import Q

from contracts import costing
from contracts.months import add_months
from homecare.changes import ChangeTracked


class ProcurementRoute(models.TextChoices):
    LIGHT_TOUCH_DPS = "light_touch_dps", "Light Touch Regime DPS"
    # Procurement Act 2023 (in force 24 February 2025): replaces DPSs for new procurements.
    DYNAMIC_MARKET = "dynamic_market", "Dynamic market (Procurement Act 2023)"
    COMPETITIVE_TENDER_LOTS = "competitive_tender_lots", "Competitive tender with lots"
    FRAMEWORK = "framework", "Framework agreement"
    DIRECT_AWARD = "direct_award", "Direct award"


class AllocationPolicy(models.TextChoices):
    RANKED_DPS = "ranked_dps", "Ranked DPS (notify eligible providers, award to the best-ranked responder)"
    SEQUENTIAL_CASCADE = "sequential_cascade", "Sequential cascade (offer to one provider at a time)"
    LEAD_PROVIDER_FIRST = "lead_provider_first", "Lead provider first (first refusal, then additional providers)"


class LocalityRule(models.TextChoices):
    """How the ranking's locality step is measured (see brokerage.rotafit for the rota-fit estimate)."""

    OFFICE_DISTANCE = "office_distance", "Office distance (miles to the provider's nearest registered location)"
    ROTA_FIT = "rota_fit", "Rota fit (extra road miles a week to fit the visits into the provider's runs)"


class Urgency(models.TextChoices):
    """How soon a package must be placed. Shared with brokerage so deadlines are set per agreement."""

    HOSPITAL_DISCHARGE = "hospital_discharge", "Hospital discharge"
    URGENT = "urgent", "Urgent (community)"
    ROUTINE = "routine", "Routine"


class ServiceType(models.TextChoices):
    STANDARD = costing.STANDARD, "Standard homecare"
    DOUBLE_HANDED = costing.DOUBLE_HANDED, "Double-handed"
    HOUSING_WITH_CARE = costing.HOUSING_WITH_CARE, "Housing with Care"
    NIGHT_SITTING = "night_sitting", "Night sitting"


class Agreement(models.Model):
    """A contract under which the council buys homecare, e.g. Leeds's Interim Homecare Agreement."""

    name = models.CharField(max_length=255)
    reference = models.CharField(max_length=100, unique=True, help_text='For example "Contract ID 84738".')
    procurement_route = models.CharField(max_length=40, choices=ProcurementRoute.choices)
    council_name = models.CharField(max_length=150)
    term_start = models.DateField()
    term_end = models.DateField()
    indicative_annual_budget = models.DecimalField(
        max_digits=14, decimal_places=2, null=True, blank=True, validators=[MinValueValidator(Decimal("0"))]
    )
    budget_year = models.CharField(max_length=20, blank=True, help_text='The year the budget is for, e.g. "2024/25".')

    # How brokerage allocates packages bought under this agreement.
    allocation_policy = models.CharField(
        max_length=30, choices=AllocationPolicy.choices, default=AllocationPolicy.RANKED_DPS
    )
    response_window_hours = models.PositiveIntegerField(
        default=24, help_text="Ranked DPS: how long notified providers have to respond."
    )
    cascade_offer_timeout_hours = models.PositiveIntegerField(
        default=4, help_text="Sequential cascade: how long one provider has before the offer moves on."
    )
    lead_first_refusal_hours = models.PositiveIntegerField(
        default=24, help_text="Lead provider first: how long the lot's lead has before additional providers."
    )
    locality_rule = models.CharField(max_length=20, choices=LocalityRule.choices, default=LocalityRule.OFFICE_DISTANCE)

    # How long brokerage keeps the person's details of a package bought under this agreement before
    # anonymising them (brokerage.services.privacy). Eight years after care ends follows the Records
    # Management Code of Practice for Health and Social Care 2021 (adult social care records).
    retention_after_end_years = models.PositiveSmallIntegerField(
        default=8, help_text="Years after a package's care ends before the person's details are anonymised."
    )
    retention_after_cancel_days = models.PositiveIntegerField(
        default=365, help_text="Days after a package is cancelled (before care started) before anonymising."
    )
    retention_draft_days = models.PositiveIntegerField(
        default=90, help_text="Days a draft may wait unsubmitted before it is cancelled and anonymised."
    )

    # A suspended package (hospital, respite, holiday) is still paid for its first days, if the contract says so.
    suspension_retainer_days = models.PositiveSmallIntegerField(
        default=0, help_text="Days of a suspension still paid to the provider at the usual rate (0 for none)."
    )

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["-term_start", "name"]
        constraints = [
            models.CheckConstraint(
                condition=Q(term_end__gt=models.F("term_start")),
                name="agreement_term_ends_after_start",
                violation_error_message="The term must end after it starts.",
            ),
            models.CheckConstraint(
                condition=Q(response_window_hours__gte=1), name="agreement_response_window_positive"
            ),
            models.CheckConstraint(
                condition=Q(cascade_offer_timeout_hours__gte=1), name="agreement_cascade_timeout_positive"
            ),
            models.CheckConstraint(
                condition=Q(lead_first_refusal_hours__gte=1), name="agreement_lead_first_refusal_positive"
            ),
            models.CheckConstraint(
                condition=Q(retention_after_end_years__gte=1, retention_after_cancel_days__gte=1)
                & Q(retention_draft_days__gte=1),
                name="agreement_retention_positive",
                violation_error_message="Retention periods must be at least 1.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.reference})"

    @property
    def effective_end(self) -> date:
        """The term end pushed out by every extension taken so far, in order."""
        months = sum(ext.length_months for ext in self.extensions.all() if ext.taken)
        return add_months(self.term_end, months)

    @property
    def latest_possible_end(self) -> date:
        """The end if every extension option were taken."""
        months = sum(ext.length_months for ext in self.extensions.all())
        return add_months(self.term_end, months)


class AgreementExtension(models.Model):
    """An option to extend the agreement, e.g. "+12 months"; taken options move the effective end."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="extensions")
    sequence = models.PositiveSmallIntegerField(help_text="1 for the first option, 2 for the second…")
    length_months = models.PositiveSmallIntegerField(validators=[MinValueValidator(1)])
    taken = models.BooleanField(default=False)
    taken_on = models.DateField(null=True, blank=True)

    class Meta:
        ordering = ["agreement", "sequence"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "sequence"], name="extension_sequence_unique"),
            models.CheckConstraint(condition=Q(length_months__gte=1), name="extension_length_positive"),
            models.CheckConstraint(
                condition=Q(taken=False, taken_on__isnull=True) | Q(taken=True, taken_on__isnull=False),
                name="extension_taken_has_date",
            ),
        ]

    def __str__(self) -> str:
        state = "taken" if self.taken else "not taken"
        return f"Extension {self.sequence}: {self.length_months} months ({state})"


class PlacementDeadline(models.Model):
    """How long brokerage has to place a package of a given urgency under this agreement, and how long each
    provider has to answer its offer (the response window), in clock hours or in working hours."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="placement_deadlines")
    urgency = models.CharField(max_length=30, choices=Urgency.choices)
    hours = models.PositiveIntegerField(validators=[MinValueValidator(1)])
    # Empty: the agreement's own response window (the one window every urgency had before; old rows keep it).
    response_window_hours = models.PositiveIntegerField(
        null=True,
        blank=True,
        validators=[MinValueValidator(1)],
        help_text="How long providers have to answer an offer of this urgency; empty for the agreement's window.",
    )
    # Working hours are 09:00 to 17:00 UK time, Monday to Friday, except England and Wales bank holidays.
    working_hours_only = models.BooleanField(
        default=False, help_text="Count only working hours (09:00 to 17:00, Monday to Friday, not bank holidays)."
    )

    class Meta:
        ordering = ["agreement", "hours"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "urgency"], name="placement_deadline_one_per_urgency"),
            models.CheckConstraint(condition=Q(hours__gte=1), name="placement_deadline_positive"),
            models.CheckConstraint(
                condition=Q(response_window_hours__isnull=True) | Q(response_window_hours__gte=1),
                name="placement_deadline_response_window_positive",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_urgency_display()}: {self.hours} hours"


class Lot(models.Model):
    """A lot (Nottinghamshire) or locality area (Leeds) of an agreement."""

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="lots")
    number = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=150)
    # The council locality area this lot covers, so a package's area finds its lot.
    locality_area = models.ForeignKey(
        "providers.LocalityArea", on_delete=models.PROTECT, null=True, blank=True, related_name="lots"
    )

    class Meta:
        ordering = ["agreement", "number"]
        constraints = [
            models.UniqueConstraint(fields=["agreement", "number"], name="lot_number_unique_in_agreement"),
            models.UniqueConstraint(
                fields=["agreement", "locality_area"],
                condition=Q(locality_area__isnull=False),
                name="lot_one_per_locality_area",
                violation_error_message="Another lot of this agreement already covers that locality area.",
            ),
        ]

    def __str__(self) -> str:
        return f"Lot {self.number}: {self.name}"


class MembershipRole(models.TextChoices):
    DPS_MEMBER = "dps_member", "DPS member"
    LEAD_PROVIDER = "lead_provider", "Lead provider"
    ADDITIONAL_PROVIDER = "additional_provider", "Additional provider"


class MembershipStatus(models.TextChoices):
    APPOINTED = "appointed", "Appointed"
    SUSPENDED = "suspended", "Suspended"
    EXITED = "exited", "Exited"


class ProviderMembership(models.Model):
    """A provider's place on an agreement: a DPS member, or the lead or an additional provider of a lot."""

    agreement = models.ForeignKey(Agreement, on_delete=models.PROTECT, related_name="memberships")
    provider = models.ForeignKey("providers.Provider", on_delete=models.PROTECT, related_name="memberships")
    lot = models.ForeignKey(Lot, on_delete=models.PROTECT, null=True, blank=True, related_name="memberships")
    role = models.CharField(max_length=30, choices=MembershipRole.choices)
    status = models.CharField(max_length=20, choices=MembershipStatus.choices, default=MembershipStatus.APPOINTED)
    appointed_on = models.DateField()
    suspended_on = models.DateField(null=True, blank=True)
    suspension_reason = models.TextField(blank=True)
    exited_on = models.DateField(null=True, blank=True)
    exit_reason = models.TextField(blank=True)
    appointed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        ordering = ["agreement", "lot__number", "role", "provider__name"]
        constraints = [
            # Nottinghamshire: one lead per lot at a time; an exited lead makes room for the next.
            models.UniqueConstraint(
                fields=["lot"],
                condition=Q(role=MembershipRole.LEAD_PROVIDER) & ~Q(status=MembershipStatus.EXITED),
                name="membership_one_lead_per_lot",
                violation_error_message="This lot already has a lead provider.",
            ),
            models.UniqueConstraint(
                fields=["agreement", "provider"],
                condition=Q(lot__isnull=True) & ~Q(status=MembershipStatus.EXITED),
                name="membership_one_current_agreement_wide",
            ),
            models.UniqueConstraint(
                fields=["agreement", "provider", "lot"],
                condition=Q(lot__isnull=False) & ~Q(status=MembershipStatus.EXITED),
                name="membership_one_current_per_lot",
            ),
            models.CheckConstraint(
                condition=Q(role=MembershipRole.DPS_MEMBER) | Q(lot__isnull=False),
                name="membership_lot_roles_have_lot",
            ),
            models.CheckConstraint(
                condition=~Q(status=MembershipStatus.SUSPENDED)
                | (Q(suspended_on__isnull=False) & ~Q(suspension_reason="")),
                name="membership_suspension_has_reason",
            ),
            models.CheckConstraint(
                condition=~Q(status=MembershipStatus.EXITED) | Q(exited_on__isnull=False),
                name="membership_exit_has_date",
            ),
        ]

    def __str__(self) -> str:
        where = f", {self.lot}" if self.lot_id else ""
        return f"{self.provider}: {self.get_role_display()}{where} ({self.get_status_display()})"


class FeeRate(ChangeTracked):
    """The council's hourly rate for a service type, in force from ``effective_from`` until the next one.

    Rates form a step function per (agreement, service type), so they cannot overlap: at most one rate
    starts on any date, and each runs until the next begins. A change may start on any date, mid-week
    included; costing works day by day.
    """

    agreement = models.ForeignKey(Agreement, on_delete=models.CASCADE, related_name="fee_rates")
    service_type = models.CharField(max_length=30, choices=ServiceType.choices)
    hourly_rate = models.DecimalField(max_digits=8, decimal_places=2)
    staff_pay_element = models.DecimalField(
        max_digits=8,
        decimal_places=2,
        help_text="The part of each hour's rate that must be passed in full to care workers.",
    )
    effective_from = models.DateField()
    note = models.CharField(max_length=255, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["agreement", "service_type", "effective_from"]
        constraints = [
            models.UniqueConstraint(
                fields=["agreement", "service_type", "effective_from"], name="fee_rate_one_per_start_date"
            ),
            models.CheckConstraint(
                condition=Q(hourly_rate__gt=0),
                name="fee_rate_positive",
                violation_error_message="The hourly rate must be more than zero.",
            ),
            models.CheckConstraint(
                condition=Q(staff_pay_element__gt=0) & Q(staff_pay_element__lte=models.F("hourly_rate")),
                name="fee_rate_staff_pay_within_rate",
                violation_error_message="The staff-pay element must be above zero and no more than the hourly rate.",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_service_type_display()} £{self.hourly_rate}/hour from {self.effective_from:%d %b %Y}"
