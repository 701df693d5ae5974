"""Tenders: lots, questions and weights, bids, evaluators' independent scores, moderation and the result."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q

from commissioning.scoring import EvaluationMethod, SocialValueMode

PRICE_FORMULA = "Price points = lowest compliant price / bid price x price weight"
SOCIAL_VALUE_MODE_CHOICES = [
    (SocialValueMode.SHARE_OF_TOTAL.value, "A share of the overall score"),
    (SocialValueMode.WITHIN_QUALITY.value, "Inside the quality weight"),
]
EVALUATION_METHOD_CHOICES = [
    (EvaluationMethod.COMBINED.value, "Combined price and quality"),
    (EvaluationMethod.SEPARATE.value, "Separate: quality threshold, then lowest price"),
]
DEFAULT_DESCRIPTORS = {
    "0": "Unacceptable: no response, or it does not answer the question",
    "1": "Poor: major gaps or concerns",
    "2": "Weak: some gaps or concerns",
    "3": "Satisfactory: meets the requirement",
    "4": "Good: meets the requirement with some added value",
    "5": "Excellent: exceeds the requirement, fully evidenced",
}


class TenderStatus(models.TextChoices):
    SETUP = "setup", "Being set up"
    SCORING = "scoring", "Independent scoring"
    MODERATION = "moderation", "Moderation"
    MODERATED = "moderated", "Moderated"
    STANDSTILL = "standstill", "Standstill"
    AWARDED = "awarded", "Awarded"


class Tender(models.Model):
    """A competitive tender whose award places providers on an agreement (its lots' lead and additional providers)."""

    reference = models.CharField(max_length=100, unique=True)
    title = models.CharField(max_length=255)
    agreement = models.ForeignKey("contracts.Agreement", on_delete=models.PROTECT, related_name="tenders")
    status = models.CharField(max_length=20, choices=TenderStatus.choices, default=TenderStatus.SETUP)
    quality_weight = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal(60))
    price_weight = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal(40))
    social_value_weight = models.DecimalField(max_digits=5, decimal_places=2, default=Decimal(10))
    social_value_mode = models.CharField(
        max_length=20,
        choices=SOCIAL_VALUE_MODE_CHOICES,
        default=SocialValueMode.SHARE_OF_TOTAL,
    )
    evaluation_method = models.CharField(
        max_length=20,
        choices=EVALUATION_METHOD_CHOICES,
        default=EvaluationMethod.COMBINED,
    )
    scale_max = models.PositiveSmallIntegerField(default=5, validators=[MinValueValidator(1), MaxValueValidator(100)])
    scale_descriptors = models.JSONField(default=dict, blank=True, help_text="Score -> what it means.")
    minimum_quality_percent = models.DecimalField(max_digits=5, decimal_places=2, null=True, blank=True)
    divergence_threshold = models.PositiveSmallIntegerField(
        default=1, help_text="Independent scores further apart than this need a moderation rationale."
    )
    price_formula = models.CharField(max_length=200, default=PRICE_FORMULA, editable=False)
    standstill_working_days = models.PositiveSmallIntegerField(default=8)
    recommended_at = models.DateTimeField(null=True, blank=True)
    standstill_starts_on = models.DateField(null=True, blank=True)
    standstill_ends_on = models.DateField(null=True, blank=True)
    awarded_at = models.DateTimeField(null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+")
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        ordering = ["-created_at"]
        constraints = [
            models.CheckConstraint(
                condition=Q(quality_weight__gte=0, price_weight__gte=0, social_value_weight__gte=0),
                name="tender_weights_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.title} ({self.reference})"


class TenderLot(models.Model):
    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="lots")
    number = models.PositiveSmallIntegerField()
    name = models.CharField(max_length=150)
    contract_lot = models.ForeignKey(
        "contracts.Lot",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="tender_lots",
        help_text="The agreement's lot the winners join; none for an agreement-wide award.",
    )
    lead_places = models.PositiveSmallIntegerField(default=1, validators=[MaxValueValidator(1)])
    additional_places = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["tender", "number"]
        constraints = [models.UniqueConstraint(fields=["tender", "number"], name="tender_lot_number_unique")]

    def __str__(self) -> str:
        return f"Lot {self.number}: {self.name}"


class TenderQuestion(models.Model):
    """A quality question (weighted relative to the others), or the one social value question."""

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="questions")
    number = models.PositiveSmallIntegerField()
    text = models.CharField(max_length=500)
    weight = models.DecimalField(max_digits=7, decimal_places=3, default=Decimal(1))
    minimum_score = models.PositiveSmallIntegerField(null=True, blank=True)
    is_social_value = models.BooleanField(default=False)

    class Meta:
        ordering = ["tender", "number"]
        constraints = [
            models.UniqueConstraint(fields=["tender", "number"], name="tender_question_number_unique"),
            models.UniqueConstraint(
                fields=["tender"], condition=Q(is_social_value=True), name="tender_one_social_value_question"
            ),
        ]

    def __str__(self) -> str:
        return f"Q{self.number}: {self.text}"


class RecommendedRole(models.TextChoices):
    LEAD = "lead_provider", "Lead provider"
    ADDITIONAL = "additional_provider", "Additional provider"
    NOT_APPOINTED = "not_appointed", "Not recommended"


class Bid(models.Model):
    lot = models.ForeignKey(TenderLot, on_delete=models.CASCADE, related_name="bids")
    provider = models.ForeignKey("providers.Provider", on_delete=models.PROTECT, related_name="tender_bids")
    price = models.DecimalField(max_digits=14, decimal_places=2, validators=[MinValueValidator(Decimal("0.01"))])
    # The result, written when the recommendation is made.
    quality_points = models.DecimalField(max_digits=12, decimal_places=6, null=True, blank=True)
    social_value_points = models.DecimalField(max_digits=12, decimal_places=6, null=True, blank=True)
    price_points = models.DecimalField(max_digits=12, decimal_places=6, null=True, blank=True)
    total_points = models.DecimalField(max_digits=12, decimal_places=6, null=True, blank=True)
    compliant = models.BooleanField(null=True, blank=True)
    failures = models.JSONField(default=list, blank=True)
    rank = models.PositiveSmallIntegerField(null=True, blank=True)
    recommended_role = models.CharField(max_length=30, choices=RecommendedRole.choices, blank=True)
    membership = models.OneToOneField(
        "contracts.ProviderMembership", on_delete=models.PROTECT, null=True, blank=True, related_name="tender_bid"
    )

    class Meta:
        ordering = ["lot", "rank", "provider__name"]
        constraints = [
            models.UniqueConstraint(fields=["lot", "provider"], name="bid_one_per_provider_per_lot"),
            models.CheckConstraint(condition=Q(price__gt=0), name="bid_price_positive"),
        ]

    def __str__(self) -> str:
        return f"{self.provider} for {self.lot}"


class Evaluator(models.Model):
    """An officer on the panel. They declare conflicts of interest before they may see or score any bid."""

    tender = models.ForeignKey(Tender, on_delete=models.CASCADE, related_name="evaluators")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="tender_panels")
    organisation = models.CharField(max_length=150, blank=True, help_text="Which partner the evaluator is from.")
    declared_at = models.DateTimeField(null=True, blank=True)
    declaration = models.TextField(blank=True)
    conflicted_bids = models.ManyToManyField(Bid, blank=True, related_name="conflicted_evaluators")

    class Meta:
        ordering = ["tender", "user__username"]
        constraints = [models.UniqueConstraint(fields=["tender", "user"], name="evaluator_once_per_tender")]

    def __str__(self) -> str:
        return f"{self.user} on {self.tender}"


class IndependentScore(models.Model):
    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="independent_scores")
    question = models.ForeignKey(TenderQuestion, on_delete=models.CASCADE, related_name="independent_scores")
    evaluator = models.ForeignKey(Evaluator, on_delete=models.CASCADE, related_name="scores")
    score = models.PositiveSmallIntegerField()
    comment = models.TextField(blank=True)
    scored_at = models.DateTimeField()

    class Meta:
        ordering = ["bid", "question", "evaluator"]
        constraints = [
            models.UniqueConstraint(fields=["bid", "question", "evaluator"], name="independent_score_once"),
        ]

    def __str__(self) -> str:
        return f"{self.evaluator}: {self.score}"


class ModeratedScore(models.Model):
    """The panel's consensus for one question of one bid. A rationale is required where scores diverged."""

    bid = models.ForeignKey(Bid, on_delete=models.CASCADE, related_name="moderated_scores")
    question = models.ForeignKey(TenderQuestion, on_delete=models.CASCADE, related_name="moderated_scores")
    score = models.PositiveSmallIntegerField()
    rationale = models.TextField(blank=True)
    spread = models.PositiveSmallIntegerField(help_text="Highest minus lowest independent score.")
    moderated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    moderated_at = models.DateTimeField()

    class Meta:
        ordering = ["bid", "question"]
        constraints = [models.UniqueConstraint(fields=["bid", "question"], name="moderated_score_once")]

    def __str__(self) -> str:
        return f"Agreed {self.score}"
