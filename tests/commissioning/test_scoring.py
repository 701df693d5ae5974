"""The tender arithmetic against a tender scored by hand.

Leeds's delivery-partner model: 60/40 quality/price, combined; social value 10% of the overall score,
so quality questions are worth 54 points, social value 10 and price 36. Four questions weighted 15, 15,
10 and 20 (of 60) are worth 13.5, 13.5, 9 and 18 points. Scores are on a 0-5 scale.

By hand (points = score / 5 x question points; price = 850,000 / bid x 36):

| Bidder | Q1 | Q2 | Q3 | Q4 | Quality | SV | Price £ | Price pts | Total |
|---|---|---|---|---|---|---|---|---|---|
| A | 4 → 10.80 | 3 → 8.10 | 5 → 9.00 | 4 → 14.40 | 42.30 | 3 → 6.00 | 920,000 | 33.26 | 81.56 |
| B | 5 → 13.50 | 4 → 10.80 | 3 → 5.40 | 3 → 10.80 | 40.50 | 4 → 8.00 | 1,000,000 | 30.60 | 79.10 |
| C | 3 → 8.10 | 3 → 8.10 | 4 → 7.20 | 5 → 18.00 | 41.40 | 5 → 10.00 | 850,000 | 36.00 | 87.40 |

A's price points: 850,000 / 920,000 x 36 = 33.2608... → 33.26; total 42.30 + 6.00 + 33.2608... = 81.5608... → 81.56.
Ranking: C, A, B.
"""

from __future__ import annotations

from decimal import Decimal

import pytest

from commissioning.scoring import (
    BidFacts,
    EvaluationMethod,
    EvaluationModel,
    QuestionSpec,
    SocialValueMode,
    divergence,
    score_lot,
)

TWO_PLACES = Decimal("0.01")
QUESTIONS = (
    QuestionSpec("Q1", Decimal(15), 5),
    QuestionSpec("Q2", Decimal(15), 5),
    QuestionSpec("Q3", Decimal(10), 5),
    QuestionSpec("Q4", Decimal(20), 5),
)
BIDS = [
    BidFacts("A", Decimal(920_000), {"Q1": 4, "Q2": 3, "Q3": 5, "Q4": 4}, social_value_score=3),
    BidFacts("B", Decimal(1_000_000), {"Q1": 5, "Q2": 4, "Q3": 3, "Q4": 3}, social_value_score=4),
    BidFacts("C", Decimal(850_000), {"Q1": 3, "Q2": 3, "Q3": 4, "Q4": 5}, social_value_score=5),
]


def leeds_model(**changes: object) -> EvaluationModel:
    values: dict[str, object] = {
        "quality_weight": Decimal(60),
        "price_weight": Decimal(40),
        "social_value_weight": Decimal(10),
        "social_value_mode": SocialValueMode.SHARE_OF_TOTAL,
        "method": EvaluationMethod.COMBINED,
        "questions": QUESTIONS,
    }
    values.update(changes)
    return EvaluationModel(**values)  # type: ignore[arg-type]


def rounded(value: Decimal) -> Decimal:
    return value.quantize(TWO_PLACES)


def test_the_service_agrees_with_the_tender_scored_by_hand_to_two_decimal_places():
    result = score_lot(leeds_model(), BIDS)
    assert result.points == (Decimal(54), Decimal(10), Decimal(36))
    by_key = {bid.key: bid for bid in result.bids}
    expected = {
        "A": ("42.30", "6.00", "33.26", "81.56", {"Q1": "10.80", "Q2": "8.10", "Q3": "9.00", "Q4": "14.40"}),
        "B": ("40.50", "8.00", "30.60", "79.10", {"Q1": "13.50", "Q2": "10.80", "Q3": "5.40", "Q4": "10.80"}),
        "C": ("41.40", "10.00", "36.00", "87.40", {"Q1": "8.10", "Q2": "8.10", "Q3": "7.20", "Q4": "18.00"}),
    }
    for key, (quality, social, price, total, questions) in expected.items():
        bid = by_key[key]
        assert rounded(bid.quality_points) == Decimal(quality), key
        assert rounded(bid.social_value_points) == Decimal(social), key
        assert rounded(bid.price_points) == Decimal(price), key
        assert rounded(bid.total) == Decimal(total), key
        assert {q: rounded(p) for q, p in bid.question_points.items()} == {q: Decimal(p) for q, p in questions.items()}
    assert [bid.key for bid in result.bids] == ["C", "A", "B"]
    assert [bid.rank for bid in result.bids] == [1, 2, 3]


def test_social_value_inside_quality_takes_its_points_from_quality_not_price():
    result = score_lot(leeds_model(social_value_mode=SocialValueMode.WITHIN_QUALITY), BIDS)
    assert result.points == (Decimal(50), Decimal(10), Decimal(40))


def test_separate_evaluation_ranks_the_compliant_bids_on_price():
    # B at £840,000 is the cheapest but C still has the best combined total (86.98 against B's 84.50).
    bids = [BIDS[0], BidFacts("B", Decimal(840_000), BIDS[1].scores, social_value_score=4), BIDS[2]]
    assert [bid.key for bid in score_lot(leeds_model(), bids).bids] == ["C", "B", "A"]
    assert [bid.key for bid in score_lot(leeds_model(method=EvaluationMethod.SEPARATE), bids).bids] == ["B", "C", "A"]


def test_a_bid_below_a_question_minimum_is_not_ranked_and_does_not_set_the_lowest_price():
    questions = (QuestionSpec("Q1", Decimal(15), 5, minimum_score=4), *QUESTIONS[1:])
    result = score_lot(leeds_model(questions=questions), BIDS)
    by_key = {bid.key: bid for bid in result.bids}
    assert not by_key["C"].compliant and by_key["C"].rank is None
    assert "below the minimum of 4" in by_key["C"].failures[0]
    assert result.lowest_compliant_price == Decimal(920_000)
    assert by_key["A"].price_points == Decimal(36)


def test_a_minimum_share_of_quality_points_is_a_threshold_too():
    result = score_lot(leeds_model(minimum_quality_percent=Decimal(77)), BIDS)
    # 42.30 / 54 = 78.3%, 40.50 / 54 = 75.0%, 41.40 / 54 = 76.7%
    assert [bid.key for bid in result.bids if bid.compliant] == ["A"]


def test_weights_that_do_not_add_up_are_refused():
    with pytest.raises(ValueError, match="add up to 100"):
        score_lot(leeds_model(price_weight=Decimal(30)), BIDS)


def test_divergence_is_the_spread_of_the_independent_scores():
    assert divergence([2, 4, 3]) == 2
    assert divergence([]) == 0
