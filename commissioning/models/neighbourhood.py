"""The CHWS neighbourhood model: a team holds a bank of hours for an area and works to people's outcomes.

People are identified here only by the council's person reference (for example the social care record
number); their details stay in brokerage, encrypted.
"""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q


class NeighbourhoodAgreement(models.Model):
    """Marks an agreement as the neighbourhood model: teams hold hours banks instead of buying packages."""

    agreement = models.OneToOneField("contracts.Agreement", on_delete=models.PROTECT, related_name="neighbourhood")
    pilot_started_on = models.DateField(null=True, blank=True)
    objectives = models.JSONField(default=list, blank=True)

    def __str__(self) -> str:
        return f"Neighbourhood model: {self.agreement.name}"


class HoursBank(models.Model):
    neighbourhood = models.ForeignKey(NeighbourhoodAgreement, on_delete=models.PROTECT, related_name="hours_banks")
    area = models.ForeignKey("providers.LocalityArea", on_delete=models.PROTECT, related_name="hours_banks")
    team_name = models.CharField(max_length=200)
    provider = models.ForeignKey(
        "providers.Provider", on_delete=models.PROTECT, null=True, blank=True, related_name="hours_banks"
    )
    weekly_hours = models.DecimalField(max_digits=8, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))])
    starts_on = models.DateField()
    is_pilot = models.BooleanField(default=False)

    class Meta:
        ordering = ["area__display_order", "team_name"]
        constraints = [models.UniqueConstraint(fields=["neighbourhood", "area"], name="hours_bank_one_per_area")]

    def __str__(self) -> str:
        return f"{self.team_name} ({self.area})"


class HoursBankWeek(models.Model):
    bank = models.ForeignKey(HoursBank, on_delete=models.CASCADE, related_name="weeks")
    week_starting = models.DateField(help_text="A Monday.")
    hours_available = models.DecimalField(max_digits=8, decimal_places=2)
    hours_used = models.DecimalField(max_digits=8, decimal_places=2, validators=[MinValueValidator(Decimal(0))])

    class Meta:
        ordering = ["bank", "week_starting"]
        constraints = [models.UniqueConstraint(fields=["bank", "week_starting"], name="hours_bank_week_once")]

    def __str__(self) -> str:
        return f"{self.bank}, week of {self.week_starting}: {self.hours_used} hours"


class Referral(models.Model):
    bank = models.ForeignKey(HoursBank, on_delete=models.PROTECT, related_name="referrals")
    person_reference = models.CharField(max_length=50)
    referred_on = models.DateField()
    started_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    referred_by = models.CharField(max_length=200, blank=True)
    origin_package = models.ForeignKey(
        "brokerage.CarePackage", on_delete=models.PROTECT, null=True, blank=True, related_name="neighbourhood_referrals"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-referred_on", "pk"]
        constraints = [
            models.CheckConstraint(
                condition=Q(started_on__isnull=True) | Q(started_on__gte=models.F("referred_on")),
                name="referral_starts_after_referral",
            ),
        ]

    def __str__(self) -> str:
        return f"Referral {self.person_reference} to {self.bank}"


class OutcomeStatus(models.TextChoices):
    IN_PROGRESS = "in_progress", "In progress"
    ACHIEVED = "achieved", "Achieved"
    NOT_ACHIEVED = "not_achieved", "Not achieved"


class ReferralOutcome(models.Model):
    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="outcomes")
    description = models.CharField(max_length=300)
    agreed_on = models.DateField()
    status = models.CharField(max_length=20, choices=OutcomeStatus.choices, default=OutcomeStatus.IN_PROGRESS)

    class Meta:
        ordering = ["referral", "pk"]

    def __str__(self) -> str:
        return self.description


class TeamRecord(models.Model):
    """What the team did and how it meets the person's outcomes."""

    referral = models.ForeignKey(Referral, on_delete=models.CASCADE, related_name="team_records")
    outcome = models.ForeignKey(ReferralOutcome, on_delete=models.SET_NULL, null=True, blank=True, related_name="+")
    recorded_on = models.DateField()
    hours = models.DecimalField(max_digits=6, decimal_places=2, validators=[MinValueValidator(Decimal(0))])
    how_met = models.TextField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        ordering = ["referral", "recorded_on", "pk"]

    def __str__(self) -> str:
        return f"{self.recorded_on}: {self.hours} hours"


class OutcomeProgress(models.TextChoices):
    NONE = "none", "No progress"
    SOME = "some", "Some progress"
    GOOD = "good", "Good progress"
    ACHIEVED = "achieved", "Achieved"


class OutcomeReview(models.Model):
    outcome = models.ForeignKey(ReferralOutcome, on_delete=models.CASCADE, related_name="reviews")
    reviewed_on = models.DateField()
    progress = models.CharField(max_length=20, choices=OutcomeProgress.choices)
    note = models.TextField(blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        ordering = ["outcome", "reviewed_on", "pk"]

    def __str__(self) -> str:
        return f"{self.reviewed_on}: {self.get_progress_display()}"


class CareModel(models.TextChoices):
    TIME_AND_TASK = "time_and_task", "Time and task"
    NEIGHBOURHOOD = "neighbourhood", "Neighbourhood team (CHWS)"


class WorkforceMeasure(models.Model):
    """A period's workforce and carers' figures for one area and model, from the provider's or survey returns."""

    area = models.ForeignKey("providers.LocalityArea", on_delete=models.PROTECT, related_name="+")
    care_model = models.CharField(max_length=20, choices=CareModel.choices)
    period_start = models.DateField()
    period_end = models.DateField()
    median_hourly_pay = models.DecimalField(max_digits=6, decimal_places=2)
    real_living_wage = models.DecimalField(max_digits=6, decimal_places=2)
    staff_turnover_percent = models.DecimalField(max_digits=5, decimal_places=2)
    carers_survey_score = models.DecimalField(
        max_digits=4,
        decimal_places=2,
        validators=[MinValueValidator(Decimal(0)), MaxValueValidator(Decimal(10))],
        help_text="Mean satisfaction of informal carers, 0 to 10.",
    )
    carers_survey_responses = models.PositiveIntegerField(default=0)
    source = models.CharField(max_length=300)

    class Meta:
        ordering = ["area", "-period_end"]
        constraints = [
            models.UniqueConstraint(fields=["area", "care_model", "period_start"], name="workforce_measure_once"),
        ]

    def __str__(self) -> str:
        return f"{self.area}, {self.get_care_model_display()}, to {self.period_end}"


class CareModelMove(models.Model):
    """A person's care moving between time and task and the neighbourhood team, kept as history."""

    person_reference = models.CharField(max_length=50)
    from_model = models.CharField(max_length=20, choices=CareModel.choices)
    to_model = models.CharField(max_length=20, choices=CareModel.choices)
    moved_on = models.DateField()
    reason = models.TextField()
    package = models.ForeignKey(
        "brokerage.CarePackage", on_delete=models.PROTECT, null=True, blank=True, related_name="care_model_moves"
    )
    referral = models.ForeignKey(Referral, on_delete=models.PROTECT, null=True, blank=True, related_name="moves")
    moved_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        ordering = ["person_reference", "moved_on", "pk"]
        constraints = [
            models.CheckConstraint(condition=~Q(from_model=models.F("to_model")), name="care_model_move_changes_model"),
        ]

    def __str__(self) -> str:
        return f"{self.person_reference}: {self.get_from_model_display()} to {self.get_to_model_display()}"
