"""The funding formula's inputs (indicators per locality area, current funding) and its last result."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MinValueValidator
from django.db import models


class FundingModel(models.Model):
    name = models.CharField(max_length=255, unique=True)
    budget_year = models.CharField(max_length=20, blank=True)
    budget = models.DecimalField(max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))])
    floor_percent = models.DecimalField(
        max_digits=5,
        decimal_places=2,
        default=Decimal(100),
        help_text="No area gets less than this share of its current funding (100: no area is worse off).",
    )
    calculated_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")

    class Meta:
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class FundingIndicator(models.Model):
    model = models.ForeignKey(FundingModel, on_delete=models.CASCADE, related_name="indicators")
    key = models.SlugField(max_length=50)
    name = models.CharField(max_length=200)
    weight = models.DecimalField(max_digits=7, decimal_places=3, validators=[MinValueValidator(Decimal(0))])
    source = models.CharField(max_length=300, help_text="Where the figures come from, e.g. ONS mid-year estimates.")

    class Meta:
        ordering = ["model", "pk"]
        constraints = [models.UniqueConstraint(fields=["model", "key"], name="funding_indicator_key_unique")]

    def __str__(self) -> str:
        return self.name


class IndicatorValue(models.Model):
    indicator = models.ForeignKey(FundingIndicator, on_delete=models.CASCADE, related_name="values")
    area = models.ForeignKey("providers.LocalityArea", on_delete=models.PROTECT, related_name="+")
    value = models.DecimalField(max_digits=16, decimal_places=4, validators=[MinValueValidator(Decimal(0))])

    class Meta:
        constraints = [models.UniqueConstraint(fields=["indicator", "area"], name="indicator_value_once")]

    def __str__(self) -> str:
        return f"{self.indicator}: {self.value}"


class AreaCurrentFunding(models.Model):
    model = models.ForeignKey(FundingModel, on_delete=models.CASCADE, related_name="current_funding")
    area = models.ForeignKey("providers.LocalityArea", on_delete=models.PROTECT, related_name="+")
    amount = models.DecimalField(max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal(0))])

    class Meta:
        constraints = [models.UniqueConstraint(fields=["model", "area"], name="current_funding_once")]

    def __str__(self) -> str:
        return f"{self.area}: £{self.amount}"


class AreaAllocation(models.Model):
    """The last calculation's result for one area (replaced on each calculation; the audit trail keeps each)."""

    model = models.ForeignKey(FundingModel, on_delete=models.CASCADE, related_name="allocations")
    area = models.ForeignKey("providers.LocalityArea", on_delete=models.PROTECT, related_name="+")
    formula_share = models.DecimalField(max_digits=13, decimal_places=12)
    amount = models.DecimalField(max_digits=14, decimal_places=2)
    current = models.DecimalField(max_digits=14, decimal_places=2)
    floor = models.DecimalField(max_digits=14, decimal_places=2)
    held_at_floor = models.BooleanField()

    class Meta:
        ordering = ["model", "area__display_order", "area__name"]
        constraints = [models.UniqueConstraint(fields=["model", "area"], name="area_allocation_once")]

    def __str__(self) -> str:
        return f"{self.area}: £{self.amount}"
