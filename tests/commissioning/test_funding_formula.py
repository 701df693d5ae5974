from __future__ import annotations

from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from commissioning.funding_formula import FundingFormulaError, Indicator, allocate, sensitivity

AREAS = ["north", "south", "east"]
INDICATORS = [
    Indicator("over_65", Decimal(50), {"north": Decimal(12000), "south": Decimal(9000), "east": Decimal(3000)}),
    Indicator("deprivation", Decimal(30), {"north": Decimal("21.4"), "south": Decimal("33.1"), "east": Decimal("8.9")}),
    Indicator("demand_hours", Decimal(20), {"north": Decimal(5100), "south": Decimal(4300), "east": Decimal(2100)}),
]
CURRENT = {"north": Decimal("400000.00"), "south": Decimal("350000.00"), "east": Decimal("250000.00")}


def test_shares_sum_exactly_to_the_budget_and_no_area_falls_below_its_floor():
    budget = Decimal("1000000.01")
    shares = allocate(budget=budget, areas=AREAS, indicators=INDICATORS, current=CURRENT, floor_percent=Decimal(100))
    assert sum(share.amount for share in shares) == budget
    by_area = {share.area: share for share in shares}
    # East's formula share is about 13%, far below its current £250,000: the floor holds it there.
    assert by_area["east"].held_at_floor
    assert by_area["east"].amount == Decimal("250000.00")
    for share in shares:
        assert share.amount >= share.current
        assert share.amount == share.amount.quantize(Decimal("0.01"))


def test_without_a_floor_the_amounts_follow_the_formula():
    shares = allocate(
        budget=Decimal(1000), areas=AREAS, indicators=INDICATORS, current=CURRENT, floor_percent=Decimal(0)
    )
    assert sum(share.amount for share in shares) == Decimal(1000)
    assert not any(share.held_at_floor for share in shares)
    for share in shares:
        assert abs(share.amount - share.formula_share * 1000) < Decimal("0.01")


def test_floors_above_the_budget_are_refused_with_a_reason():
    with pytest.raises(FundingFormulaError, match="more than the budget"):
        allocate(
            budget=Decimal(900000), areas=AREAS, indicators=INDICATORS, current=CURRENT, floor_percent=Decimal(100)
        )


def test_sensitivity_moves_money_between_areas_but_never_the_total():
    rows = sensitivity(
        budget=Decimal(1200000), areas=AREAS, indicators=INDICATORS, current=CURRENT, floor_percent=Decimal(90)
    )
    assert [row.indicator for row in rows] == ["over_65", "deprivation", "demand_hours"]
    for row in rows:
        assert sum(row.changes.values()) == 0
    assert rows[1].changes["south"] > 0  # south is the most deprived: more weight on deprivation helps it


@given(
    budget_pennies=st.integers(min_value=1, max_value=10**11),
    values=st.lists(st.integers(min_value=1, max_value=10**6), min_size=2, max_size=11),
    floor=st.integers(min_value=0, max_value=100),
)
def test_any_budget_is_shared_to_the_penny_with_every_floor_held(budget_pennies, values, floor):
    areas = [f"area{n}" for n in range(len(values))]
    budget = Decimal(budget_pennies) / 100
    indicator = Indicator("x", Decimal(1), {area: Decimal(v) for area, v in zip(areas, values, strict=True)})
    # Current funding: an equal split of 80% of the budget, so the floors always fit.
    current = {area: (budget * Decimal("0.8") / len(areas)).quantize(Decimal("0.01")) for area in areas}
    shares = allocate(budget=budget, areas=areas, indicators=[indicator], current=current, floor_percent=Decimal(floor))
    assert sum(share.amount for share in shares) == budget
    assert all(share.amount >= share.floor for share in shares)
