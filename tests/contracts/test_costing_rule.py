"""The one costing rule for double-handed visits, against weekly costs worked out by hand."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from contracts import costing

MONDAY = date(2025, 6, 2)
STANDARD_RATE = Decimal("17.28")


@dataclass(frozen=True)
class Call:
    day_of_week: int
    duration_minutes: int
    carers: int = 1


def _week(visits: list[Call], rates: dict[str, list[costing.RateStep]], *, housing_with_care: bool = False) -> Decimal:
    hours = costing.hours_by_service_type(visits, housing_with_care=housing_with_care, rated_types=rates)
    return costing.week_cost_by_type(week_start=MONDAY, hours=hours, rates=rates)


def _rates(**by_type: str) -> dict[str, list[costing.RateStep]]:
    return {name: [costing.RateStep(date(2024, 4, 1), Decimal(rate))] for name, rate in by_type.items()}


# Like ISA-000159: four hours of single-handed calls and one hour-long double-handed call a week.
ISA_000159_LIKE = [Call(0, 60), Call(1, 60), Call(2, 60), Call(3, 60), Call(4, 60, carers=2)]


def test_a_double_handed_rate_is_paid_per_hour_of_the_visit_not_per_carer_hour() -> None:
    rates = _rates(standard="17.28", double_handed="34.56")
    # 4 hours x £17.28 + 1 hour of visit x £34.56 = £69.12 + £34.56 = £103.68 (not 2 carer hours x £34.56).
    assert _week(ISA_000159_LIKE, rates) == Decimal("103.68")


def test_without_a_double_handed_rate_each_carer_hour_is_paid_at_the_standard_rate() -> None:
    rates = _rates(standard="17.28")
    # 4 hours + 1 hour x 2 carers = 6 carer hours x £17.28 = £103.68.
    assert _week(ISA_000159_LIKE, rates) == Decimal("103.68")


def test_a_double_handed_rate_below_two_standard_hours_costs_less_than_two_carers() -> None:
    rates = _rates(standard="20.00", double_handed="35.00")
    # 45 minutes with 2 carers, every day: 7 x 0.75 hours x £35.00 = £183.75.
    assert _week([Call(day, 45, carers=2) for day in range(7)], rates) == Decimal("183.75")


def test_housing_with_care_doubles_carer_hours_at_its_own_rate_without_a_double_handed_rate() -> None:
    rates = _rates(standard="20.00", housing_with_care="18.00")
    # 30 minutes single and 30 minutes with 2 carers: 0.5 + 1.0 carer hours x £18.00 = £27.00.
    assert _week([Call(0, 30), Call(1, 30, carers=2)], rates, housing_with_care=True) == Decimal("27.00")


def test_carer_hours_count_each_carer_beside_the_paid_hours() -> None:
    rates = _rates(standard="17.28", double_handed="34.56")
    carer_hours = costing.carer_hours_by_service_type(ISA_000159_LIKE, housing_with_care=False, rated_types=rates)
    paid = costing.hours_by_service_type(ISA_000159_LIKE, housing_with_care=False, rated_types=rates)
    assert carer_hours == {"standard": Decimal(4), "double_handed": Decimal(2)}
    assert {kind: sum(days.values()) for kind, days in paid.items()} == {
        "standard": Decimal(4),
        "double_handed": Decimal(1),
    }
