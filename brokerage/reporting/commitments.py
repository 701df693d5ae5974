"""The cost of many packages over a year, day by day at the rate in force each day. Pure: no ORM.

Each package is a ``Commitment``: a weekly pattern of paid carer hours of one service type between two dates.
Rather than walking every day of every package, the hours are summed per day with difference arrays (one per
weekday: a package adds its hours for that weekday where it starts and takes them away after it ends), so a
year of 100,000 packages costs 7 array updates per package plus one pass over the year. Each day's total is
then costed with ``contracts.costing.cost_of_days``, so rate changes on any date, mid-week included, apply.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from contracts.costing import RateStep, cost_of_days


@dataclass(frozen=True)
class Commitment:
    service_type: str
    hours_by_weekday: Mapping[int, Decimal]
    start: date
    end: date  # inclusive
    # Care delivered a week, each carer counted; differs from the paid hours for double-handed visits
    # paid at a double-handed rate (one paid hour per hour of visit). None: the same as the paid hours.
    carer_hours: Decimal | None = None

    @property
    def weekly_hours(self) -> Decimal:
        """Paid hours a week."""
        return sum(self.hours_by_weekday.values(), Decimal(0))

    @property
    def weekly_carer_hours(self) -> Decimal:
        return self.weekly_hours if self.carer_hours is None else self.carer_hours


def hours_per_day(commitments: Iterable[Commitment], *, start: date, end: date) -> dict[str, dict[date, Decimal]]:
    """Paid carer hours on each day from ``start`` to ``end`` (inclusive), per service type."""
    if end < start:
        return {}
    days = (end - start).days + 1
    diffs: dict[str, list[list[Decimal]]] = defaultdict(lambda: [[Decimal(0)] * (days + 1) for _ in range(7)])
    for commitment in commitments:
        first, last = max(commitment.start, start), min(commitment.end, end)
        if last < first:
            continue
        lo, hi = (first - start).days, (last - start).days + 1
        arrays = diffs[commitment.service_type]
        for weekday, hours in commitment.hours_by_weekday.items():
            arrays[weekday][lo] += hours
            arrays[weekday][hi] -= hours
    result: dict[str, dict[date, Decimal]] = {}
    for service_type, arrays in diffs.items():
        running = [Decimal(0)] * 7
        by_day: dict[date, Decimal] = {}
        for offset in range(days):
            day = start + timedelta(days=offset)
            for weekday in range(7):
                running[weekday] += arrays[weekday][offset]
            by_day[day] = running[day.weekday()]
        result[service_type] = by_day
    return result


def cost_between(
    commitments: Iterable[Commitment], *, start: date, end: date, rates: Mapping[str, Sequence[RateStep]]
) -> Decimal:
    """The cost of the commitments from ``start`` to ``end`` inclusive, at the rates in force each day."""
    total = Decimal(0)
    for service_type, by_day in hours_per_day(commitments, start=start, end=end).items():
        total += cost_of_days(by_day, rates[service_type])
    return total


def financial_year(on: date) -> tuple[date, date]:
    """English councils' financial year (1 April to 31 March) containing ``on``."""
    first_year = on.year if on.month >= 4 else on.year - 1
    return date(first_year, 4, 1), date(first_year + 1, 3, 31)
