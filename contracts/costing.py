"""The cost of care over any period, day by day, so a fee-rate change on any date (mid-week too) is respected.

Pure Python over plain data: no ORM. The selectors load the rates; this module does the arithmetic.
A day's cost is that day's hours times the rate in force on that day; a period's cost is the sum over
its days, rounded to the penny once at the end (rounding each day would drift by pennies a year).
"""

from __future__ import annotations

from collections.abc import Collection, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal
from typing import Protocol

PENNY = Decimal("0.01")
MINUTES_PER_HOUR = Decimal(60)

# The service types fee rates are set for (``contracts.models.ServiceType`` has the same values); plain
# strings here keep this module free of the ORM.
STANDARD = "standard"
DOUBLE_HANDED = "double_handed"
HOUSING_WITH_CARE = "housing_with_care"


class NoRateInForce(ValueError):
    """Raised when care falls on a day before the first fee rate of its service type starts."""


@dataclass(frozen=True)
class RateStep:
    """A fee rate that applies from ``effective_from`` until the next step starts."""

    effective_from: date
    hourly_rate: Decimal


def rate_on(steps: Sequence[RateStep], day: date) -> Decimal:
    """The hourly rate in force on ``day``: the latest step that has started by then."""
    in_force: RateStep | None = None
    for step in sorted(steps, key=lambda s: s.effective_from):
        if step.effective_from <= day:
            in_force = step
        else:
            break
    if in_force is None:
        raise NoRateInForce(f"No fee rate is in force on {day:%d %B %Y}.")
    return in_force.hourly_rate


def cost_of_days(hours_by_day: Mapping[date, Decimal], steps: Sequence[RateStep]) -> Decimal:
    """Sum of hours x rate for each day, rounded to the penny once."""
    total = sum(
        (Decimal(hours) * rate_on(steps, day) for day, hours in hours_by_day.items() if hours),
        start=Decimal("0"),
    )
    return total.quantize(PENNY, rounding=ROUND_HALF_UP)


def hours_by_day(*, start: date, end: date, hours_by_weekday: Mapping[int, Decimal]) -> dict[date, Decimal]:
    """Expand a weekly pattern (0 = Monday … 6 = Sunday) over the days from ``start`` to ``end`` inclusive."""
    if end < start:
        raise ValueError("The period ends before it starts.")
    for weekday, hours in hours_by_weekday.items():
        if weekday not in range(7):
            raise ValueError(f"Weekday must be 0 (Monday) to 6 (Sunday), not {weekday}.")
        if Decimal(hours) < 0:
            raise ValueError("Hours cannot be negative.")
    days: dict[date, Decimal] = {}
    day = start
    while day <= end:
        days[day] = Decimal(hours_by_weekday.get(day.weekday(), Decimal("0")))
        day += timedelta(days=1)
    return days


def period_cost(
    *, start: date, end: date, hours_by_weekday: Mapping[int, Decimal], steps: Sequence[RateStep]
) -> Decimal:
    """Cost of a weekly visit pattern from ``start`` to ``end`` inclusive."""
    return cost_of_days(hours_by_day(start=start, end=end, hours_by_weekday=hours_by_weekday), steps)


def weekly_cost(*, week_start: date, hours_by_weekday: Mapping[int, Decimal], steps: Sequence[RateStep]) -> Decimal:
    """Cost of the seven days starting ``week_start`` (any weekday), each day at its own rate."""
    return period_cost(
        start=week_start, end=week_start + timedelta(days=6), hours_by_weekday=hours_by_weekday, steps=steps
    )


class CostedVisit(Protocol):
    """A weekly visit as costing reads it (an ISA's ``VisitData`` and a package's ``Visit`` row both are)."""

    @property
    def day_of_week(self) -> int: ...

    @property
    def duration_minutes(self) -> int: ...

    @property
    def carers(self) -> int: ...


def _base_type(*, housing_with_care: bool, rated_types: Collection[str]) -> str:
    return HOUSING_WITH_CARE if housing_with_care and HOUSING_WITH_CARE in rated_types else STANDARD


def service_type_for(visit: CostedVisit, *, base: str, rated_types: Collection[str]) -> str:
    """The service type whose rate pays for ``visit``: double-handed when it is and the agreement rates it."""
    return DOUBLE_HANDED if visit.carers > 1 and DOUBLE_HANDED in rated_types else base


def paid_hours(visit: CostedVisit, *, service_type: str) -> Decimal:
    """Hours paid for one visit at ``service_type``'s rate.

    A double-handed rate is a price per hour of the visit (it already pays both carers), so a double-handed
    visit at that rate is paid for its length once. At any other rate each carer's time is paid: a
    60-minute visit with 2 carers is 2 hours at the standard rate.
    """
    carers = 1 if service_type == DOUBLE_HANDED else visit.carers
    return Decimal(visit.duration_minutes * carers) / MINUTES_PER_HOUR


def hours_by_service_type(
    visits: Iterable[CostedVisit],
    *,
    housing_with_care: bool,
    rated_types: Collection[str],
    hours_per_week: Decimal | None = None,
) -> dict[str, dict[int, Decimal]]:
    """The costing rule: which service type's rate pays for each visit, as paid hours per weekday.

    1. The base type is Housing with Care for a Housing with Care package when the agreement rates it,
       otherwise standard.
    2. A double-handed visit is paid at the double-handed rate when the agreement has one, per hour of the
       visit (60 minutes with 2 carers is 1 hour at that rate).
    3. Without a double-handed rate, each carer's time counts at the base rate: 60 minutes with 2 carers is
       2 hours at the base rate.
    4. A package with no visit pattern (some imported ones carry only weekly hours) spreads
       ``hours_per_week`` evenly over the seven days at the base type.
    """
    base = _base_type(housing_with_care=housing_with_care, rated_types=rated_types)
    by_type: dict[str, dict[int, Decimal]] = {}
    any_visit = False
    for visit in visits:
        any_visit = True
        service = service_type_for(visit, base=base, rated_types=rated_types)
        by_day = by_type.setdefault(service, {})
        by_day[visit.day_of_week] = by_day.get(visit.day_of_week, Decimal(0)) + paid_hours(visit, service_type=service)
    if not any_visit and hours_per_week:
        by_type[base] = dict.fromkeys(range(7), hours_per_week / 7)
    return by_type


def carer_hours_by_service_type(
    visits: Iterable[CostedVisit],
    *,
    housing_with_care: bool,
    rated_types: Collection[str],
    hours_per_week: Decimal | None = None,
) -> dict[str, Decimal]:
    """Carer hours a week (each carer of a double-handed visit counts) under each service type of
    ``hours_by_service_type``: the care delivered, beside the hours paid."""
    base = _base_type(housing_with_care=housing_with_care, rated_types=rated_types)
    totals: dict[str, Decimal] = {}
    any_visit = False
    for visit in visits:
        any_visit = True
        service = service_type_for(visit, base=base, rated_types=rated_types)
        totals[service] = totals.get(service, Decimal(0)) + Decimal(visit.duration_minutes * visit.carers) / 60
    if not any_visit and hours_per_week:
        totals[base] = hours_per_week
    return totals


def week_cost_by_type(
    *, week_start: date, hours: Mapping[str, Mapping[int, Decimal]], rates: Mapping[str, Sequence[RateStep]]
) -> Decimal:
    """Cost of one week of ``hours_by_service_type`` from ``week_start``; raises NoRateInForce for a type
    (or a day) with no rate."""
    total = Decimal(0)
    for service_type, by_day in hours.items():
        if service_type not in rates:
            raise NoRateInForce(f"No {service_type.replace('_', ' ')} fee rate is set.")
        total += weekly_cost(week_start=week_start, hours_by_weekday=by_day, steps=rates[service_type])
    return total
