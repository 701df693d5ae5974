"""How a tender's bids are scored, over plain data (no ORM), so the arithmetic can be checked by hand.

The weights come from the council's evaluation model:

* ``quality_weight`` and ``price_weight`` are the published split, e.g. 60/40.
* ``social_value_weight`` is social value's share, scored as its own question on the same scale:

  - ``SocialValueMode.SHARE_OF_TOTAL``: social value is a share of the whole score and the price/quality
    split applies to what is left. 60/40 with social value at 10% overall gives quality 54, price 36,
    social value 10 (Leeds's delivery-partner tender).
  - ``SocialValueMode.WITHIN_QUALITY``: social value is part of the quality weight: 60/40 with social value
    10 gives quality questions 50, social value 10, price 40.

* A quality question's weight is relative to the other questions: its points are
  ``score / scale maximum x question weight / sum of question weights x quality points``.
* Price is scored with the documented formula ``lowest compliant price / bid price x price points``.

Evaluation is either combined (rank on the total) or separate (quality is a pass/fail gate, then the
lowest price among the bids that pass wins; the quality points are still shown).

A bid that misses a minimum threshold (a question's minimum score, or the minimum share of the quality
points) is not compliant: it is not ranked and its price does not set the lowest price.

Everything is Decimal and unrounded; callers round to two places for display only.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from enum import StrEnum

HUNDRED = Decimal(100)
ZERO = Decimal(0)


class SocialValueMode(StrEnum):
    SHARE_OF_TOTAL = "share_of_total"
    WITHIN_QUALITY = "within_quality"


class EvaluationMethod(StrEnum):
    COMBINED = "combined"
    SEPARATE = "separate"


@dataclass(frozen=True)
class QuestionSpec:
    key: str
    weight: Decimal
    scale_max: int
    minimum_score: int | None = None


@dataclass(frozen=True)
class EvaluationModel:
    quality_weight: Decimal
    price_weight: Decimal
    social_value_weight: Decimal
    social_value_mode: SocialValueMode
    method: EvaluationMethod
    questions: tuple[QuestionSpec, ...]
    social_value_scale_max: int = 5
    # The least share (percent) of the available quality points a bid must reach to be compliant.
    minimum_quality_percent: Decimal | None = None

    def points(self) -> tuple[Decimal, Decimal, Decimal]:
        """(quality questions, social value, price) points out of 100."""
        if self.quality_weight + self.price_weight != HUNDRED:
            raise ValueError("The quality and price weights must add up to 100.")
        if not ZERO <= self.social_value_weight < HUNDRED:
            raise ValueError("Social value must be at least 0 and less than 100.")
        if self.social_value_mode is SocialValueMode.SHARE_OF_TOTAL:
            rest = HUNDRED - self.social_value_weight
            return (
                rest * self.quality_weight / HUNDRED,
                self.social_value_weight,
                rest * self.price_weight / HUNDRED,
            )
        if self.social_value_weight > self.quality_weight:
            raise ValueError("Social value inside quality cannot be more than the quality weight.")
        return self.quality_weight - self.social_value_weight, self.social_value_weight, self.price_weight


@dataclass(frozen=True)
class BidFacts:
    key: str
    price: Decimal
    # The moderated (consensus) score for each question key, and for social value.
    scores: dict[str, int]
    social_value_score: int = 0


@dataclass(frozen=True)
class BidResult:
    key: str
    question_points: dict[str, Decimal]
    quality_points: Decimal
    social_value_points: Decimal
    price_points: Decimal
    total: Decimal
    compliant: bool
    failures: tuple[str, ...]
    rank: int | None = None

    @property
    def quality_and_social_value(self) -> Decimal:
        return self.quality_points + self.social_value_points


@dataclass(frozen=True)
class LotResult:
    bids: tuple[BidResult, ...]  # ranked first, then the non-compliant bids
    lowest_compliant_price: Decimal | None
    points: tuple[Decimal, Decimal, Decimal]
    notes: list[str] = field(default_factory=list)


def _quality(model: EvaluationModel, bid: BidFacts, quality_points: Decimal) -> tuple[dict[str, Decimal], list[str]]:
    total_weight = sum((q.weight for q in model.questions), ZERO)
    if total_weight <= 0:
        raise ValueError("The quality questions need a total weight above zero.")
    points: dict[str, Decimal] = {}
    failures: list[str] = []
    for question in model.questions:
        if question.key not in bid.scores:
            raise ValueError(f"Bid {bid.key} has no score for question {question.key}.")
        score = bid.scores[question.key]
        if not 0 <= score <= question.scale_max:
            raise ValueError(f"Score {score} is outside the 0-{question.scale_max} scale.")
        points[question.key] = Decimal(score) / question.scale_max * question.weight / total_weight * quality_points
        if question.minimum_score is not None and score < question.minimum_score:
            failures.append(f"Question {question.key} scored {score}, below the minimum of {question.minimum_score}.")
    return points, failures


def score_lot(model: EvaluationModel, bids: Sequence[BidFacts]) -> LotResult:
    """Score and rank every bid in one lot.

    1. Quality and social value points from the moderated scores; thresholds decide compliance.
    2. The lowest compliant price sets the price points of every bid.
    3. Rank the compliant bids: combined on the total, separate on price (ties on the total, then the key).
    """
    quality_points, social_points, price_points = model.points()
    interim: list[tuple[BidFacts, dict[str, Decimal], Decimal, Decimal, list[str]]] = []
    for bid in bids:
        if bid.price <= 0:
            raise ValueError(f"Bid {bid.key} has a price of {bid.price}; a price must be above zero.")
        question_points, failures = _quality(model, bid, quality_points)
        quality = sum(question_points.values(), ZERO)
        if model.minimum_quality_percent is not None and quality_points > 0:
            achieved = quality / quality_points * HUNDRED
            if achieved < model.minimum_quality_percent:
                failures.append(
                    f"Quality reached {achieved:.2f}% of the points, below the minimum of "
                    f"{model.minimum_quality_percent}%."
                )
        if not 0 <= bid.social_value_score <= model.social_value_scale_max:
            raise ValueError(f"Social value score {bid.social_value_score} is outside the scale.")
        social = Decimal(bid.social_value_score) / model.social_value_scale_max * social_points
        interim.append((bid, question_points, quality, social, failures))
    compliant_prices = [bid.price for bid, _, _, _, failures in interim if not failures]
    lowest = min(compliant_prices) if compliant_prices else None
    results: list[BidResult] = []
    for bid, question_points, quality, social, failures in interim:
        price = lowest / bid.price * price_points if lowest is not None and not failures else ZERO
        results.append(
            BidResult(
                key=bid.key,
                question_points=question_points,
                quality_points=quality,
                social_value_points=social,
                price_points=price,
                total=quality + social + price,
                compliant=not failures,
                failures=tuple(failures),
            )
        )
    prices = {bid.key: bid.price for bid in bids}
    compliant = [result for result in results if result.compliant]
    if model.method is EvaluationMethod.COMBINED:
        compliant.sort(key=lambda r: (-r.total, r.key))
    else:
        compliant.sort(key=lambda r: (prices[r.key], -r.total, r.key))
    ranked = [BidResult(**{**result.__dict__, "rank": position}) for position, result in enumerate(compliant, start=1)]
    rest = sorted((result for result in results if not result.compliant), key=lambda r: r.key)
    notes = []
    if lowest is None:
        notes.append("No bid passed the quality thresholds, so no price points were given.")
    return LotResult(
        bids=(*ranked, *rest),
        lowest_compliant_price=lowest,
        points=(quality_points, social_points, price_points),
        notes=notes,
    )


def divergence(scores: Sequence[int]) -> int:
    """The spread between the highest and lowest independent scores for one question of one bid."""
    return max(scores) - min(scores) if scores else 0
