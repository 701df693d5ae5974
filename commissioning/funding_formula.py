"""The funding formula: each area's share of a budget from weighted indicators, with a floor (pure, no ORM).

1. Each indicator is turned into shares: an area's value over the sum of every area's value.
2. An area's formula share is the weighted mean of its indicator shares (weights are relative).
3. The floor: no area gets less than ``floor_percent`` of its current funding ("no area should be
   disadvantaged from the current position" at 100%). Areas the formula would put below their floor are
   held at the floor (rounded up to the penny) and the rest of the budget is shared among the others in
   proportion to their formula shares; repeated until no area is below its floor.
4. Money is whole pennies: the free areas' exact amounts are rounded down and the pennies left over go
   to the largest remainders (ties to the area listed first), so the shares add up to the budget exactly.

Everything is Decimal; floats never touch money.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal

PENNY = Decimal("0.01")
HUNDRED = Decimal(100)


class FundingFormulaError(ValueError):
    pass


@dataclass(frozen=True)
class Indicator:
    key: str
    weight: Decimal
    values: Mapping[str, Decimal]  # area key -> value


@dataclass(frozen=True)
class AreaShare:
    area: str
    formula_share: Decimal  # 0..1, before the floor
    amount: Decimal  # pounds, to the penny
    current: Decimal
    floor: Decimal  # pounds, to the penny (rounded up)
    held_at_floor: bool

    @property
    def change(self) -> Decimal:
        return self.amount - self.current


def formula_shares(areas: Sequence[str], indicators: Sequence[Indicator]) -> dict[str, Decimal]:
    total_weight = sum((indicator.weight for indicator in indicators), Decimal(0))
    if total_weight <= 0:
        raise FundingFormulaError("The indicators need a total weight above zero.")
    shares = dict.fromkeys(areas, Decimal(0))
    for indicator in indicators:
        if indicator.weight < 0:
            raise FundingFormulaError(f"The weight of {indicator.key} cannot be negative.")
        missing = [area for area in areas if area not in indicator.values]
        if missing:
            raise FundingFormulaError(f"{indicator.key} has no value for {', '.join(missing)}.")
        total = sum((indicator.values[area] for area in areas), Decimal(0))
        if any(indicator.values[area] < 0 for area in areas) or total <= 0:
            raise FundingFormulaError(f"{indicator.key} needs values of zero or more, with a total above zero.")
        for area in areas:
            shares[area] += indicator.weight / total_weight * indicator.values[area] / total
    return shares


def _pennies(amount: Decimal, rounding: str) -> int:
    return int((amount / PENNY).to_integral_value(rounding=rounding))


def allocate(
    *,
    budget: Decimal,
    areas: Sequence[str],
    indicators: Sequence[Indicator],
    current: Mapping[str, Decimal],
    floor_percent: Decimal,
) -> list[AreaShare]:
    """Each area's amount, in the order given; see the module docstring for the steps."""
    if budget <= 0 or budget != budget.quantize(PENNY):
        raise FundingFormulaError("The budget must be above zero and in whole pennies.")
    if not areas or len(set(areas)) != len(areas):
        raise FundingFormulaError("List each area once.")
    if floor_percent < 0:
        raise FundingFormulaError("The floor cannot be negative.")
    shares = formula_shares(areas, indicators)
    budget_pennies = _pennies(budget, ROUND_FLOOR)
    floors = {area: _pennies(current.get(area, Decimal(0)) * floor_percent / HUNDRED, ROUND_CEILING) for area in areas}
    if sum(floors.values()) > budget_pennies:
        raise FundingFormulaError(
            f"The floors add up to £{Decimal(sum(floors.values())) * PENNY:,.2f}, more than the budget of "
            f"£{budget:,.2f}: lower the floor or raise the budget."
        )
    held: set[str] = set()
    while True:
        free = [area for area in areas if area not in held]
        left = Decimal(budget_pennies - sum(floors[area] for area in held))
        free_share = sum((shares[area] for area in free), Decimal(0))
        if free_share == 0:
            exact = {area: left / len(free) for area in free} if free else {}
        else:
            exact = {area: left * shares[area] / free_share for area in free}
        below = [area for area in free if exact[area] < floors[area]]
        if not below:
            break
        held.update(below)
    pennies = {area: floors[area] for area in held}
    for area, value in exact.items():
        pennies[area] = int(value.to_integral_value(rounding=ROUND_FLOOR))
    leftover = budget_pennies - sum(pennies.values())
    by_remainder = sorted(exact, key=lambda area: (-(exact[area] - pennies[area]), areas.index(area)))
    for area in by_remainder[:leftover]:
        pennies[area] += 1
    return [
        AreaShare(
            area=area,
            formula_share=shares[area],
            amount=Decimal(pennies[area]) * PENNY,
            current=current.get(area, Decimal(0)),
            floor=Decimal(floors[area]) * PENNY,
            held_at_floor=area in held,
        )
        for area in areas
    ]


@dataclass(frozen=True)
class Sensitivity:
    indicator: str
    step_percent: Decimal
    changes: dict[str, Decimal]  # area -> change in pounds when this indicator's weight rises by the step


def sensitivity(
    *,
    budget: Decimal,
    areas: Sequence[str],
    indicators: Sequence[Indicator],
    current: Mapping[str, Decimal],
    floor_percent: Decimal,
    step_percent: Decimal = Decimal(10),
) -> list[Sensitivity]:
    """For each indicator: how every area's amount moves when that weight alone rises by ``step_percent``."""
    base = {
        share.area: share.amount
        for share in allocate(
            budget=budget, areas=areas, indicators=indicators, current=current, floor_percent=floor_percent
        )
    }
    result = []
    for position, indicator in enumerate(indicators):
        bumped = list(indicators)
        bumped[position] = Indicator(
            key=indicator.key, weight=indicator.weight * (1 + step_percent / HUNDRED), values=indicator.values
        )
        moved = allocate(budget=budget, areas=areas, indicators=bumped, current=current, floor_percent=floor_percent)
        result.append(
            Sensitivity(
                indicator=indicator.key,
                step_percent=step_percent,
                changes={share.area: share.amount - base[share.area] for share in moved},
            )
        )
    return result


@dataclass(frozen=True)
class ScenarioRow:
    area: str
    base: AreaShare
    changed: AreaShare

    @property
    def movement(self) -> Decimal:
        return self.changed.amount - self.base.amount


def scenario(
    *,
    budget: Decimal,
    areas: Sequence[str],
    indicators: Sequence[Indicator],
    current: Mapping[str, Decimal],
    floor_percent: Decimal,
    weight_changes: Mapping[str, Decimal],  # indicator key -> percent change of its weight (e.g. -25, +10)
) -> list[ScenarioRow]:
    """Every area's allocation as it is and with the chosen weights changed together; both go through ``allocate``,
    so each still adds up to the budget exactly and respects the floor."""
    unknown = set(weight_changes) - {indicator.key for indicator in indicators}
    if unknown:
        raise FundingFormulaError(f"No indicator {', '.join(sorted(unknown))} in this model.")
    if any(change <= -HUNDRED for change in weight_changes.values()):
        raise FundingFormulaError("A weight can fall by less than 100% only.")
    changed = [
        Indicator(
            key=indicator.key,
            weight=indicator.weight * (1 + weight_changes.get(indicator.key, Decimal(0)) / HUNDRED),
            values=indicator.values,
        )
        for indicator in indicators
    ]
    base = allocate(budget=budget, areas=areas, indicators=indicators, current=current, floor_percent=floor_percent)
    moved = allocate(budget=budget, areas=areas, indicators=changed, current=current, floor_percent=floor_percent)
    return [ScenarioRow(area=b.area, base=b, changed=m) for b, m in zip(base, moved, strict=True)]
