"""Step 1 of allocation: the ISA conditions a provider must meet before it can be ranked at all.

Every condition is checked for every provider, so an excluded provider learns everything it would have to
change, not just the first failure. Reasons only mention the package's needs and the provider's own data,
so they are safe to show to that provider.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from enum import StrEnum

from brokerage.allocation.inputs import Isa, ProviderCandidate, Weekday, minute_of_day

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


class _Needs:
    """What the ISA asks of a provider, worked out once per ranking rather than once per candidate."""

    def __init__(self, isa: Isa) -> None:
        self.isa = isa
        self.double_handed_visits = sum(1 for visit in isa.visits if visit.carers >= 2)
        self.visits = tuple(
            (visit, minute_of_day(visit.window_start), minute_of_day(visit.window_end)) for visit in isa.visits
        )
        # Per weekday: the latest a provider's day may begin, the earliest it may end, and the longest visit,
        # for one stretch of working hours to cover every visit that day (the common case, checked fast).
        days: dict[Weekday, tuple[int, int, int]] = {}
        for visit, start, end in self.visits:
            begin_by, end_from, longest = days.get(visit.weekday, (24 * 60, 0, 0))
            days[visit.weekday] = (
                min(begin_by, end - visit.duration_minutes),
                max(end_from, start + visit.duration_minutes),
                max(longest, visit.duration_minutes),
            )
        self.days = days
        self.skills = tuple(sorted((skill, skill.casefold()) for skill in isa.required_skills))
        self.language = isa.language.casefold() if isa.language is not None else None


def _dps_membership(needs: _Needs, candidate: ProviderCandidate) -> str | None:
    return None if candidate.dps_active else "No active DPS membership for this agreement"


def _cqc_eligibility(needs: _Needs, candidate: ProviderCandidate) -> str | None:
    if candidate.cqc_eligible:
        return None
    return f"Not CQC eligible: {candidate.cqc_reason}" if candidate.cqc_reason else "Not CQC eligible"


def _area(needs: _Needs, candidate: ProviderCandidate) -> str | None:
    served = candidate.hours_available_in(needs.isa.area_code) is not None
    return None if served else f"Does not serve {needs.isa.area_name}"


def _capacity(needs: _Needs, candidate: ProviderCandidate) -> str | None:
    isa = needs.isa
    available = candidate.hours_available_in(isa.area_code)
    # A provider outside the area fails AREA alone: "0 hours available" there would say nothing new.
    if available is None or available >= isa.hours_per_week:
        return None
    return f"Needs {isa.hours_per_week:.1f} hours a week in {isa.area_name}; {available:.1f} available"


def _carers_per_visit(needs: _Needs, candidate: ProviderCandidate) -> str | None:
    if not needs.double_handed_visits or candidate.double_handed:
        return None
    return (
        f"Needs 2 carers per visit for {needs.double_handed_visits} of {len(needs.visits)} visits; "
        "does not provide double-handed care"
    )


def _time_windows(needs: _Needs, candidate: ProviderCandidate) -> str | None:
    """A visit is covered when it fits in full inside both its own window and the provider's hours that day."""
    hours: dict[Weekday, list[tuple[int, int]]] = {}
    for day in candidate.coverage:
        hours.setdefault(day.weekday, []).append((minute_of_day(day.earliest), minute_of_day(day.latest)))
    if all(
        any(
            earliest <= begin_by and latest >= end_from and latest - earliest >= longest
            for earliest, latest in hours.get(day, ())
        )
        for day, (begin_by, end_from, longest) in needs.days.items()
    ):
        return None
    # Visit by visit: exact when a day's hours come in several stretches, and names what is not covered.
    uncovered = [
        visit
        for visit, start, end in needs.visits
        if not any(
            min(end, latest) - max(start, earliest) >= visit.duration_minutes
            for earliest, latest in hours.get(visit.weekday, ())
        )
    ]
    if not uncovered:
        return None
    listed = ", ".join(visit.describe() for visit in uncovered[:_VISITS_LISTED])
    more = f" and {len(uncovered) - _VISITS_LISTED} more" if len(uncovered) > _VISITS_LISTED else ""
    return f"Cannot cover {len(uncovered)} of {len(needs.visits)} visits in their time windows: {listed}{more}"


def _skills(needs: _Needs, candidate: ProviderCandidate) -> str | None:
    if not needs.skills:
        return None
    has = {skill.casefold() for skill in candidate.skills}
    missing = [skill for skill, folded in needs.skills if folded not in has]
    return f"Missing required skills: {', '.join(missing)}" if missing else None


def _language(needs: _Needs, candidate: ProviderCandidate) -> str | None:
    if needs.language is None:
        return None
    if any(language.casefold() == needs.language for language in candidate.languages):
        return None
    return f"No carers speaking {needs.isa.language}"


def _carer_gender(needs: _Needs, candidate: ProviderCandidate) -> str | None:
    wanted = needs.isa.carer_gender
    if wanted is None or wanted in candidate.carer_genders:
        return None
    return f"No {wanted.value} carers available"


def _not_declined(needs: _Needs, candidate: ProviderCandidate) -> str | None:
    return "Has already declined or handed back this package" if candidate.declined else None


_CHECKS: tuple[tuple[Condition, Callable[[_Needs, ProviderCandidate], str | None]], ...] = (
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


class ConditionCheck:
    """The must-meet conditions of one ISA, ready to apply to many candidates."""

    def __init__(self, isa: Isa) -> None:
        self._needs = _Needs(isa)

    def __call__(self, candidate: ProviderCandidate) -> tuple[ExclusionReason, ...]:
        """Every condition the candidate fails, in `Condition` order; empty when it meets them all."""
        reasons = []
        for condition, check in _CHECKS:
            message = check(self._needs, candidate)
            if message is not None:
                reasons.append(ExclusionReason(condition=condition, message=message))
        return tuple(reasons)


def unmet_conditions(isa: Isa, candidate: ProviderCandidate) -> tuple[ExclusionReason, ...]:
    """Every must-meet condition the candidate fails, in `Condition` order; empty when it meets them all."""
    return ConditionCheck(isa)(candidate)
