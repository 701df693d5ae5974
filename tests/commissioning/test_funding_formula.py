from __future__ import annotations

from decimal import ROUND_FLOOR, Decimal

import pytest
from hypothesis import example, given
from hypothesis import strategies as st

from commissioning.funding_formula import FundingFormulaError, Indicator, allocate, scenario, sensitivity

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
@example(budget_pennies=2, values=[1, 1, 1], floor=100)  # a budget of pennies, shared by more areas than pennies
def test_any_budget_is_shared_to_the_penny_with_every_floor_held(budget_pennies, values, floor):
    areas = [f"area{n}" for n in range(len(values))]
    budget = Decimal(budget_pennies) / 100
    indicator = Indicator("x", Decimal(1), {area: Decimal(v) for area, v in zip(areas, values, strict=True)})
    # Current funding: an equal split of 80% of the budget, rounded down to the penny, so the floors always
    # fit (rounded to the nearest penny, three areas' shares of a 2p budget came to 3p).
    current = {
        area: (budget * Decimal("0.8") / len(areas)).quantize(Decimal("0.01"), rounding=ROUND_FLOOR) for area in areas
    }
    shares = allocate(budget=budget, areas=areas, indicators=[indicator], current=current, floor_percent=Decimal(floor))
    assert sum(share.amount for share in shares) == budget
    assert all(share.amount >= share.floor for share in shares)


CHANGES = st.sampled_from([Decimal(-25), Decimal(-10), Decimal(0), Decimal(10), Decimal(25)])


@given(over_65=CHANGES, deprivation=CHANGES, demand=CHANGES, floor=st.sampled_from([Decimal(0), Decimal(90)]))
def test_any_chosen_weight_changes_still_sum_to_the_budget_and_respect_the_floor(over_65, deprivation, demand, floor):
    budget = Decimal("1000000.01")
    rows = scenario(
        budget=budget,
        areas=AREAS,
        indicators=INDICATORS,
        current=CURRENT,
        floor_percent=floor,
        weight_changes={"over_65": over_65, "deprivation": deprivation, "demand_hours": demand},
    )
    assert sum(row.changed.amount for row in rows) == budget
    assert sum(row.movement for row in rows) == 0
    for row in rows:
        assert row.changed.amount >= row.changed.floor
        assert row.changed.amount == row.changed.amount.quantize(Decimal("0.01"))


def test_a_weight_change_moves_money_towards_the_areas_that_indicator_favours():
    rows = {
        row.area: row
        for row in scenario(
            budget=Decimal(1000000),
            areas=AREAS,
            indicators=INDICATORS,
            current=CURRENT,
            floor_percent=Decimal(0),
            weight_changes={"deprivation": Decimal(25)},
        )
    }
    # South has the most deprivation: its share rises; north, with the most people over 65, loses.
    assert rows["south"].movement > 0 > rows["north"].movement
    # Equal changes to every weight change nothing (weights are relative).
    same = scenario(
        budget=Decimal(1000000),
        areas=AREAS,
        indicators=INDICATORS,
        current=CURRENT,
        floor_percent=Decimal(0),
        weight_changes=dict.fromkeys(["over_65", "deprivation", "demand_hours"], Decimal(10)),
    )
    assert all(row.movement == 0 for row in same)


def test_a_change_to_an_unknown_indicator_or_a_fall_of_100_percent_is_refused():
    for changes, message in [
        ({"nonsense": Decimal(10)}, "No indicator nonsense"),
        ({"over_65": Decimal(-100)}, "less"),
    ]:
        with pytest.raises(FundingFormulaError, match=message):
            scenario(
                budget=Decimal(1000),
                areas=AREAS,
                indicators=INDICATORS,
                current=CURRENT,
                floor_percent=Decimal(0),
                weight_changes=changes,
            )
