"""CQC ratings in, one documented quality score and the DPS eligibility outcome out.

Pure Python: no ORM and no Django, so the rule can be read, tested and replayed on its own.

The scheme
==========
``QualityScore.points`` = overall points + the sum of the five key-question adjustments.

=============================  ==============  ========================
Rating                         Overall points  Key-question adjustment
=============================  ==============  ========================
Outstanding                    400             +1
Good                           300              0
Requires improvement           200             -5
Inadequate                     100             -15
Insufficient evidence to rate  (key question)  -1
Not yet rated / Inspected but  250 (see below) -1 (a key question with
not rated / No published                       no rating of its own)
rating
=============================  ==============  ========================

Why it satisfies the council's allocation rule
----------------------------------------------
1. **The overall rating dominates.** Overall bands are 100 points apart and the five adjustments
   together can move a score by at most +5 or -75, so a provider can never overtake one with a
   better overall rating through its key questions.
2. **All-Good beats Good-with-a-Requires-improvement key question.** Good overall with five Good
   key questions scores 300. One Requires improvement key question costs 5, more than the +4 that
   the other four could earn even if all were Outstanding, so any Good-overall provider with a
   Requires improvement key question scores at most 299.
3. **Outstanding counts.** Each Outstanding key question adds 1, so among providers with the same
   overall rating and no weaker key questions, more Outstanding key questions rank higher.
4. **Inadequate anywhere fails DPS eligibility** (:func:`cqc_dps_eligibility`); in the score it
   also costs the most (-15 per key question, or the lowest overall band).
5. **Not yet rated is a deliberate position, not zero by accident.** A location with no published
   overall rating ("Not yet rated", "Inspected but not rated" — CQC's outcome when a new service
   has too little activity to rate — or no ``currentRatings`` at all) scores 250: *below* every
   Good or Outstanding provider (they have evidence of good care) and *above* every Requires
   improvement or Inadequate provider (they have evidence of shortfalls, which is worse than no
   evidence yet). CQC registration itself checks a provider can deliver safe care, which is why the
   council admits not-yet-rated providers to the DPS. ``QualityScore.rated`` is False for them,
   so a caller that wants a different policy can tell them apart instead of guessing from points.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from types import MappingProxyType


class Rating(StrEnum):
    """A CQC rating, spelt as CQC's API spells it today."""

    OUTSTANDING = "Outstanding"
    GOOD = "Good"
    REQUIRES_IMPROVEMENT = "Requires improvement"
    INADEQUATE = "Inadequate"
    INSPECTED_BUT_NOT_RATED = "Inspected but not rated"
    INSUFFICIENT_EVIDENCE = "Insufficient evidence to rate"
    NOT_YET_RATED = "Not yet rated"

    @classmethod
    def parse(cls, text: str | None) -> Rating:
        """Read a rating as CQC writes it, tolerating case, spacing and old spellings.

        Empty or missing means not yet rated, as does CQC's "No published rating".
        Anything else unknown raises ValueError: a new CQC wording must be looked at, not guessed.
        """
        key = _squash(text or "")
        if not key:
            return cls.NOT_YET_RATED
        try:
            return _RATING_ALIASES[key]
        except KeyError:
            raise ValueError(f"Unrecognised CQC rating {text!r}.") from None

    @property
    def is_published_rating(self) -> bool:
        """True for the four ratings CQC publishes as a judgement (Outstanding to Inadequate)."""
        return self in _JUDGEMENTS


_JUDGEMENTS = frozenset({Rating.OUTSTANDING, Rating.GOOD, Rating.REQUIRES_IMPROVEMENT, Rating.INADEQUATE})


def _squash(text: str) -> str:
    return re.sub(r"[^a-z]", "", text.lower())


_RATING_ALIASES: dict[str, Rating] = {_squash(rating.value): rating for rating in Rating} | {
    "nopublishedrating": Rating.NOT_YET_RATED,
    "notrated": Rating.NOT_YET_RATED,
    "notyetinspected": Rating.NOT_YET_RATED,
    "insufficientevidence": Rating.INSUFFICIENT_EVIDENCE,
    "inspectednotrated": Rating.INSPECTED_BUT_NOT_RATED,
}


class KeyQuestion(StrEnum):
    """CQC's five key questions, in CQC's usual reading order."""

    SAFE = "Safe"
    EFFECTIVE = "Effective"
    CARING = "Caring"
    RESPONSIVE = "Responsive"
    WELL_LED = "Well-led"

    @classmethod
    def parse(cls, name: str) -> KeyQuestion:
        """Match a key question by name ("Well-led", "well led", "WELL_LED"); CQC lists them in any order."""
        try:
            return _KEY_QUESTION_ALIASES[_squash(name)]
        except KeyError:
            raise ValueError(f"Unrecognised CQC key question {name!r}.") from None


_KEY_QUESTION_ALIASES: dict[str, KeyQuestion] = {_squash(kq.value): kq for kq in KeyQuestion}


@dataclass(frozen=True)
class CqcRatings:
    """A location's overall rating and its five key-question ratings from one report."""

    overall: Rating
    key_questions: Mapping[KeyQuestion, Rating] = field(hash=False)
    report_date: date | None = None

    def __post_init__(self) -> None:
        # Read-only and complete: a key question CQC did not list counts as not yet rated.
        complete = {kq: self.key_questions.get(kq, Rating.NOT_YET_RATED) for kq in KeyQuestion}
        object.__setattr__(self, "key_questions", MappingProxyType(complete))

    @classmethod
    def not_yet_rated(cls) -> CqcRatings:
        return cls(overall=Rating.NOT_YET_RATED, key_questions={})

    @classmethod
    def from_names(
        cls, overall: str | None, key_questions: Mapping[str, str | None], report_date: date | None = None
    ) -> CqcRatings:
        """Build from CQC's own words, matching key questions by name."""
        return cls(
            overall=Rating.parse(overall),
            key_questions={KeyQuestion.parse(name): Rating.parse(value) for name, value in key_questions.items()},
            report_date=report_date,
        )

    @property
    def is_rated(self) -> bool:
        return self.overall.is_published_rating

    def ratings_anywhere(self) -> list[Rating]:
        return [self.overall, *self.key_questions.values()]


OVERALL_POINTS: Mapping[Rating, int] = MappingProxyType(
    {
        Rating.OUTSTANDING: 400,
        Rating.GOOD: 300,
        Rating.REQUIRES_IMPROVEMENT: 200,
        Rating.INADEQUATE: 100,
    }
)
NOT_YET_RATED_POINTS = 250
KEY_QUESTION_ADJUSTMENT: Mapping[Rating, int] = MappingProxyType(
    {
        Rating.OUTSTANDING: 1,
        Rating.GOOD: 0,
        Rating.REQUIRES_IMPROVEMENT: -5,
        Rating.INADEQUATE: -15,
        Rating.INSUFFICIENT_EVIDENCE: -1,
        Rating.INSPECTED_BUT_NOT_RATED: -1,
        Rating.NOT_YET_RATED: -1,
    }
)


@dataclass(frozen=True, order=True)
class QualityScore:
    """A location's place in the council's quality order: compare scores directly (higher is better)."""

    points: int
    rated: bool = field(compare=False)
    label: str = field(compare=False)
    explanation: str = field(compare=False)


def quality_score(ratings: CqcRatings) -> QualityScore:
    """Score a set of CQC ratings by the scheme in this module's docstring."""
    if not ratings.is_rated:
        why = (
            "No published CQC rating yet"
            if ratings.overall is Rating.NOT_YET_RATED
            else f"CQC outcome '{ratings.overall.value}', which is not a rating"
        )
        return QualityScore(
            points=NOT_YET_RATED_POINTS,
            rated=False,
            label="Not yet rated",
            explanation=(
                f"{why}: placed at {NOT_YET_RATED_POINTS} points, below every Good or Outstanding "
                "provider and above every Requires improvement or Inadequate one."
            ),
        )
    points = OVERALL_POINTS[ratings.overall]
    parts = [f"Overall {ratings.overall.value}: {points}"]
    weaker: list[str] = []
    for kq, rating in ratings.key_questions.items():
        adjustment = KEY_QUESTION_ADJUSTMENT[rating]
        points += adjustment
        if adjustment:
            parts.append(f"{kq.value} {rating.value}: {adjustment:+d}")
        if adjustment < 0:
            weaker.append(f"{kq.value} {rating.value}")
    label = ratings.overall.value
    if weaker:
        label += " (" + ", ".join(weaker) + ")"
    elif all(r in (Rating.GOOD, Rating.OUTSTANDING) for r in ratings.key_questions.values()):
        label += " (all key questions Good or better)"
    explanation = "; ".join(parts) + f". Total {points} points."
    return QualityScore(points=points, rated=True, label=label, explanation=explanation)


@dataclass(frozen=True)
class CriterionOutcome:
    """Whether one DPS entry criterion is met, with the reason in words an officer can pass on."""

    passed: bool
    reason: str


def cqc_dps_eligibility(ratings: CqcRatings) -> CriterionOutcome:
    """The CQC part of DPS entry: Requires improvement or better with no Inadequate key question,
    or not yet rated."""
    inadequate = [kq.value for kq, rating in ratings.key_questions.items() if rating is Rating.INADEQUATE]
    if ratings.overall is Rating.INADEQUATE:
        return CriterionOutcome(False, "CQC rates this location Inadequate overall.")
    if inadequate:
        return CriterionOutcome(
            False, f"CQC rates this location Inadequate for {', '.join(inadequate)}; no key question may be Inadequate."
        )
    if not ratings.is_rated:
        return CriterionOutcome(
            True, f"Not yet rated by CQC ({ratings.overall.value}); not-yet-rated locations may enter the DPS."
        )
    return CriterionOutcome(
        True, f"CQC rates this location {ratings.overall.value} overall with no Inadequate key question."
    )
