"""The quality score and the CQC part of DPS entry (pure rules, no database)."""

from __future__ import annotations

from itertools import pairwise, product

import pytest
from hypothesis import given
from hypothesis import strategies as st

from providers.quality import (
    NOT_YET_RATED_POINTS,
    CqcRatings,
    KeyQuestion,
    Rating,
    cqc_dps_eligibility,
    quality_score,
)
from tests.providers.factories import ALL_GOOD, ratings

JUDGEMENTS = [Rating.OUTSTANDING, Rating.GOOD, Rating.REQUIRES_IMPROVEMENT, Rating.INADEQUATE]
ANY_KEY_QUESTION_RATING = st.sampled_from(list(Rating))


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("Requires improvement", Rating.REQUIRES_IMPROVEMENT),
        ("Requires Improvement", Rating.REQUIRES_IMPROVEMENT),
        (" requires  improvement ", Rating.REQUIRES_IMPROVEMENT),
        ("Inspected but not rated", Rating.INSPECTED_BUT_NOT_RATED),
        ("Insufficient evidence to rate", Rating.INSUFFICIENT_EVIDENCE),
        ("No published rating", Rating.NOT_YET_RATED),
        ("", Rating.NOT_YET_RATED),
        (None, Rating.NOT_YET_RATED),
        ("OUTSTANDING", Rating.OUTSTANDING),
    ],
)
def test_ratings_are_read_in_every_spelling_cqc_uses(text, expected):
    assert Rating.parse(text) is expected


def test_an_unknown_rating_word_is_refused_rather_than_guessed():
    with pytest.raises(ValueError, match="Unrecognised CQC rating 'Excellent'"):
        Rating.parse("Excellent")


def test_key_questions_are_matched_by_name_in_any_order():
    names = {"Well-led": "Outstanding", "Safe": "Requires Improvement", "Caring": "Good", "responsive": "Good"}
    parsed = CqcRatings.from_names("Good", names)
    assert parsed.key_questions[KeyQuestion.WELL_LED] is Rating.OUTSTANDING
    assert parsed.key_questions[KeyQuestion.SAFE] is Rating.REQUIRES_IMPROVEMENT
    # A key question CQC did not list is not yet rated, not silently Good.
    assert parsed.key_questions[KeyQuestion.EFFECTIVE] is Rating.NOT_YET_RATED


def test_all_good_ranks_above_good_with_one_requires_improvement_key_question():
    assert quality_score(ratings("Good")) > quality_score(ratings("Good", safe=Rating.REQUIRES_IMPROVEMENT))


def test_all_good_still_wins_when_the_other_four_key_questions_are_outstanding():
    mixed = ratings(
        "Good",
        safe=Rating.REQUIRES_IMPROVEMENT,
        effective=Rating.OUTSTANDING,
        caring=Rating.OUTSTANDING,
        responsive=Rating.OUTSTANDING,
        well_led=Rating.OUTSTANDING,
    )
    assert quality_score(ratings("Good")) > quality_score(mixed)


@given(
    st.fixed_dictionaries(dict.fromkeys(KeyQuestion, ANY_KEY_QUESTION_RATING)),
    st.sampled_from(list(KeyQuestion)),
)
def test_any_requires_improvement_key_question_ranks_below_all_good_at_the_same_overall(key_questions, weak):
    with_ri = CqcRatings(Rating.GOOD, {**key_questions, weak: Rating.REQUIRES_IMPROVEMENT})
    assert quality_score(ratings("Good")) > quality_score(with_ri)


@given(
    st.fixed_dictionaries(dict.fromkeys(KeyQuestion, ANY_KEY_QUESTION_RATING)),
    st.fixed_dictionaries(dict.fromkeys(KeyQuestion, ANY_KEY_QUESTION_RATING)),
)
def test_a_better_overall_rating_always_ranks_higher_whatever_the_key_questions(better_kqs, worse_kqs):
    for better, worse in pairwise(JUDGEMENTS):
        assert quality_score(CqcRatings(better, better_kqs)) > quality_score(CqcRatings(worse, worse_kqs))


def test_outstanding_key_questions_count():
    one = quality_score(ratings("Good", caring=Rating.OUTSTANDING))
    two = quality_score(ratings("Good", caring=Rating.OUTSTANDING, well_led=Rating.OUTSTANDING))
    assert two > one > quality_score(ratings("Good"))


def test_not_yet_rated_sits_deliberately_between_requires_improvement_and_good():
    unrated = quality_score(CqcRatings.not_yet_rated())
    assert unrated.rated is False
    assert unrated.points == NOT_YET_RATED_POINTS
    assert (
        quality_score(ratings("Requires improvement"))
        < unrated
        < quality_score(ratings("Good", safe=Rating.INADEQUATE))
    )
    assert "Not yet rated" in unrated.label


def test_inspected_but_not_rated_is_treated_as_not_yet_rated():
    score = quality_score(CqcRatings(Rating.INSPECTED_BUT_NOT_RATED, {}))
    assert score.rated is False
    assert score.points == NOT_YET_RATED_POINTS
    assert "Inspected but not rated" in score.explanation


def test_the_explanation_shows_each_adjustment_and_the_total():
    score = quality_score(ratings("Good", safe=Rating.REQUIRES_IMPROVEMENT, caring=Rating.OUTSTANDING))
    assert score.points == 296
    assert (
        score.explanation
        == "Overall Good: 300; Safe Requires improvement: -5; Caring Outstanding: +1. Total 296 points."
    )
    assert score.label == "Good (Safe Requires improvement)"


@pytest.mark.parametrize("overall", ["Outstanding", "Good", "Requires improvement"])
def test_requires_improvement_or_better_with_no_inadequate_key_question_may_enter_the_dps(overall):
    assert cqc_dps_eligibility(ratings(overall, safe=Rating.REQUIRES_IMPROVEMENT)).passed


@pytest.mark.parametrize("key_question", list(KeyQuestion))
def test_an_inadequate_key_question_fails_dps_entry_even_when_good_overall(key_question):
    outcome = cqc_dps_eligibility(CqcRatings(Rating.GOOD, {**ALL_GOOD, key_question: Rating.INADEQUATE}))
    assert not outcome.passed
    assert outcome.reason.startswith(f"CQC rates this location Inadequate for {key_question.value}")


def test_inadequate_overall_fails_dps_entry():
    outcome = cqc_dps_eligibility(ratings("Inadequate"))
    assert not outcome.passed
    assert outcome.reason == "CQC rates this location Inadequate overall."


@pytest.mark.parametrize("overall", [Rating.NOT_YET_RATED, Rating.INSPECTED_BUT_NOT_RATED])
def test_not_yet_rated_may_enter_the_dps(overall):
    outcome = cqc_dps_eligibility(CqcRatings(overall, {}))
    assert outcome.passed
    assert "not-yet-rated" in outcome.reason


def test_insufficient_evidence_for_a_key_question_does_not_fail_dps_entry():
    assert cqc_dps_eligibility(ratings("Good", responsive=Rating.INSUFFICIENT_EVIDENCE)).passed


def test_every_combination_of_published_ratings_is_eligible_exactly_when_nothing_is_inadequate():
    for overall, safe, well_led in product(JUDGEMENTS, repeat=3):
        outcome = cqc_dps_eligibility(ratings(overall, safe=safe, well_led=well_led))
        assert outcome.passed == (Rating.INADEQUATE not in (overall, safe, well_led))
