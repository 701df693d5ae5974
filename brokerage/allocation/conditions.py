"""Step 1 of allocation: the ISA conditions a provider must meet before it can be ranked at all.

Every condition is checked for every provider, so an excluded provider learns everything it would have to
change, not just the first failure. Reasons only mention the package's needs and the provider's own data,
so they are safe to show to that provider.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from brokerage.allocation.inputs import DayCoverage, Isa, ProviderCandidate, Visit, minute_of_day

# How many uncovered visits a reason lists by name before summarising the rest.
_VISITS_LISTED = 3


class Condition(StrEnum):
    """Must-meet conditions, in the order they are checked and reported."""

    DPS_MEMBERSHIP = "dps_membership"
    CQC_ELIGIBILITY = "cqc_eligibility"
    AREA = "area"
    CAPACITY = "capacity"
    CARERS_PER_VISIT = "carers_per_visit"
    TIME_WINDOWS = "time_windows"
    SKILLS = "skills"
    LANGUAGE = "language"
    CARER_GENDER = "carer_gender"
    NOT_DECLINED = "not_declined"


@dataclass(frozen=True, slots=True, kw_only=True)
class ExclusionReason:
    condition: Condition
    message: str


def _dps_membership(isa: Isa, candidate: ProviderCandidate) -> str | None:
    return None if candidate.dps_active else "No active DPS membership for this agreement"


def _cqc_eligibility(isa: Isa, candidate: ProviderCandidate) -> str | None:
    if candidate.cqc_eligible:
        return None
    return f"Not CQC eligible: {candidate.cqc_reason}" if candidate.cqc_reason else "Not CQC eligible"


def _area(isa: Isa, candidate: ProviderCandidate) -> str | None:
    return None if candidate.hours_available_in(isa.area_code) is not None else f"Does not serve {isa.area_name}"


def _capacity(isa: Isa, candidate: ProviderCandidate) -> str | None:
    available = candidate.hours_available_in(isa.area_code)
    # A provider outside the area fails AREA alone: "0 hours available" there would say nothing new.
    if available is None or available >= isa.hours_per_week:
        return None
    return f"Needs {isa.hours_per_week:.1f} hours a week in {isa.area_name}; {available:.1f} available"


def _carers_per_visit(isa: Isa, candidate: ProviderCandidate) -> str | None:
    double_handed = [visit for visit in isa.visits if visit.carers >= 2]
    if not double_handed or candidate.double_handed:
        return None
    return (
        f"Needs 2 carers per visit for {len(double_handed)} of {len(isa.visits)} visits; "
        "does not provide double-handed care"
    )


def _fits(visit: Visit, coverage: DayCoverage) -> bool:
    """The visit can be delivered in full inside both its own window and the provider's working hours."""
    start = max(minute_of_day(visit.window_start), minute_of_day(coverage.earliest))
    end = min(minute_of_day(visit.window_end), minute_of_day(coverage.latest))
    return end - start >= visit.duration_minutes


def _time_windows(isa: Isa, candidate: ProviderCandidate) -> str | None:
    uncovered = [
        visit
        for visit in isa.visits
        if not any(c.weekday == visit.weekday and _fits(visit, c) for c in candidate.coverage)
    ]
    if not uncovered:
        return None
    listed = ", ".join(visit.describe() for visit in uncovered[:_VISITS_LISTED])
    more = f" and {len(uncovered) - _VISITS_LISTED} more" if len(uncovered) > _VISITS_LISTED else ""
    return f"Cannot cover {len(uncovered)} of {len(isa.visits)} visits in their time windows: {listed}{more}"


def _skills(isa: Isa, candidate: ProviderCandidate) -> str | None:
    has = {skill.casefold() for skill in candidate.skills}
    missing = sorted(skill for skill in isa.required_skills if skill.casefold() not in has)
    return f"Missing required skills: {', '.join(missing)}" if missing else None


def _language(isa: Isa, candidate: ProviderCandidate) -> str | None:
    if isa.language is None:
        return None
    speaks = {language.casefold() for language in candidate.languages}
    return None if isa.language.casefold() in speaks else f"No carers speaking {isa.language}"


def _carer_gender(isa: Isa, candidate: ProviderCandidate) -> str | None:
    if isa.carer_gender is None or isa.carer_gender in candidate.carer_genders:
        return None
    return f"No {isa.carer_gender.value} carers available"


def _not_declined(isa: Isa, candidate: ProviderCandidate) -> str | None:
    return "Has already declined or handed back this package" if candidate.declined else None


_CHECKS: tuple[tuple[Condition, Callable[[Isa, ProviderCandidate], str | None]], ...] = (
    (Condition.DPS_MEMBERSHIP, _dps_membership),
    (Condition.CQC_ELIGIBILITY, _cqc_eligibility),
    (Condition.AREA, _area),
    (Condition.CAPACITY, _capacity),
    (Condition.CARERS_PER_VISIT, _carers_per_visit),
    (Condition.TIME_WINDOWS, _time_windows),
    (Condition.SKILLS, _skills),
    (Condition.LANGUAGE, _language),
    (Condition.CARER_GENDER, _carer_gender),
    (Condition.NOT_DECLINED, _not_declined),
)


def unmet_conditions(isa: Isa, candidate: ProviderCandidate) -> tuple[ExclusionReason, ...]:
    """Every must-meet condition the candidate fails, in `Condition` order; empty when it meets them all."""
    reasons = []
    for condition, check in _CHECKS:
        message = check(isa, candidate)
        if message is not None:
            reasons.append(ExclusionReason(condition=condition, message=message))
    return tuple(reasons)
