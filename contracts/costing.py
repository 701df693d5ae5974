"""The cost of care over any period, day by day, so a fee-rate change on any date (mid-week too) is respected.

Pure Python over plain data: no ORM. The selectors load the rates; this module does the arithmetic.
A day's cost is that day's hours times the rate in force on that day; a period's cost is the sum over
its days, rounded to the penny once at the end (rounding each day would drift by pennies a year).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import ROUND_HALF_UP, Decimal

PENNY = Decimal("0.01")


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
