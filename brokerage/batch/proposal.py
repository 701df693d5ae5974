"""A batch proposal for review: each package's line with its explanation, and the totals.

Each placed line names the best alternative (the cheapest other eligible provider by rank cost) and what
moving the package there would do: the change in rank cost, and the change in the fairness penalty (the
next package's cost at the alternative minus this package's cost at the chosen provider). That says why this
provider: it ranks first, or the better-ranked one is full, or giving it one more package would cost the
fairness measure more than the ranking gains.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from enum import StrEnum
from typing import Any

import numpy as np

from brokerage.batch.fairness import gini, marginals
from brokerage.batch.problem import LOCALITY_WEIGHT, BatchProblem
from brokerage.batch.solver import BatchSettings, BatchSolution, Method, solve


class Why(StrEnum):
    FIRST_CHOICE = "first_choice"
    BETTER_RANKED_FULL = "better_ranked_full"
    FAIRNESS = "fairness"
    NO_ELIGIBLE = "no_eligible"
    CAPACITY_FULL = "capacity_full"


@dataclass(frozen=True, slots=True, kw_only=True)
class Line:
    package_reference: str
    hours: float
    provider_id: int | None
    provider_name: str
    quality_points: int | None
    start_days: int | None
    locality_miles: float | None
    why: Why
    alternative_id: int | None
    alternative_name: str
    rank_cost_change: int | None
    fairness_change: int | None
    explanation: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Totals:
    packages: int
    placed: int
    unplaced: int
    hours_placed: float
    gini_before: float
    gini_after: float
    mean_locality_miles: float
    rank_cost: int
    fairness_cost: int
    fairness_weight: int
    method: str
    solve_seconds: float
    proven_optimal: bool


@dataclass(frozen=True, slots=True, kw_only=True)
class Proposal:
    lines: tuple[Line, ...]
    totals: Totals

    def to_dict(self) -> dict[str, Any]:
        return {"lines": [asdict(line) for line in self.lines], "totals": asdict(self.totals)}


def _explain(why: Why, alt_name: str, rank_change: int | None, fairness_change: int | None, placed_units: int) -> str:
    miles = "" if rank_change is None else f"{abs(rank_change) / (10 * LOCALITY_WEIGHT):.1f}"
    if why is Why.NO_ELIGIBLE:
        return "No provider meets every condition of this package."
    if why is Why.CAPACITY_FULL:
        return "Every provider that meets its conditions has used its declared hours in this batch."
    if why is Why.FIRST_CHOICE:
        if alt_name and fairness_change is not None:
            return (
                f"Ranks first for this package. Moving it to {alt_name} would add {rank_change:,} to the rank cost "
                f"and change the fairness penalty by {fairness_change:+,}."
            )
        return "Ranks first for this package; no other provider is eligible."
    if why is Why.BETTER_RANKED_FULL:
        return f"{alt_name} ranks higher but its declared hours in this area are used by this batch."
    return (
        f"{alt_name} ranks higher (saving {rank_change and -rank_change:,} in rank cost, about {miles} miles if the "
        f"difference is locality), but giving it one more package would raise the fairness penalty by "
        f"{fairness_change:+,}; this provider takes its {placed_units}th package of the batch instead."
    )


def explain(problem: BatchProblem, solution: BatchSolution) -> Proposal:
    """Lines and totals for a solved batch; vectorised where it matters (numpy), text per line."""
    n = problem.package_count
    chosen = solution.package_pair
    placed = chosen >= 0
    weight = solution.fairness_weight
    # Best alternative per package: cheapest pair that is not the chosen one.
    order = np.lexsort((problem.pair_cost, problem.pair_package))
    sorted_pkg = problem.pair_package[order]
    starts = np.searchsorted(sorted_pkg, np.arange(n))
    ends = np.searchsorted(sorted_pkg, np.arange(n), side="right")
    last = max(len(order) - 1, 0)
    padded = order if len(order) else np.zeros(1, dtype=np.int64)
    first = np.where(starts < ends, padded[np.minimum(starts, last)], -1)
    second = np.where(starts + 1 < ends, padded[np.minimum(starts + 1, last)], -1)
    alt = np.where(first == chosen, second, first)
    # Room left at each slot for one more of this package.
    slot_count = len(problem.slot_hours)
    used_hours = np.zeros(slot_count)
    np.add.at(used_hours, problem.pair_slot[chosen[placed]], problem.package_hours[placed])
    used_units = np.bincount(problem.pair_slot[chosen[placed]], minlength=slot_count)

    lines: list[Line] = []
    for i in range(n):
        k = int(chosen[i])
        a = int(alt[i])
        hours = float(problem.package_hours[i])
        alt_id = int(problem.provider_ids[problem.pair_provider[a]]) if a >= 0 else None
        alt_name = problem.provider_names[problem.pair_provider[a]] if a >= 0 else ""
        if k < 0:
            why = Why.NO_ELIGIBLE if first[i] < 0 else Why.CAPACITY_FULL
            lines.append(
                Line(
                    package_reference=problem.package_refs[i],
                    hours=hours,
                    provider_id=None,
                    provider_name="",
                    quality_points=None,
                    start_days=None,
                    locality_miles=None,
                    why=why,
                    alternative_id=None,
                    alternative_name="",
                    rank_cost_change=None,
                    fairness_change=None,
                    explanation=_explain(why, "", None, None, 0),
                )
            )
            continue
        p = int(problem.pair_provider[k])
        units_p = int(solution.provider_units[p])
        rank_change: int | None = None
        fairness_change: int | None = None
        if a >= 0:
            q = int(problem.pair_provider[a])
            rank_change = int(problem.pair_cost[a] - problem.pair_cost[k])
            gain = marginals(
                weight=weight,
                prior=problem.prior_units[[q, p]],
                unit=np.asarray([solution.provider_units[q] + 1, units_p]),
                max_units=solution.max_units[[q, p]],
            )
            fairness_change = int(gain[0] - gain[1]) if q != p else 0
            slot = int(problem.pair_slot[a])
            if solution.method is Method.HOURS:
                room = used_hours[slot] + hours <= problem.slot_hours[slot] + 1e-9
            else:
                room = bool(used_units[slot] < solution.slot_units[slot])
            if rank_change >= 0:
                why = Why.FIRST_CHOICE
            elif not room:
                why = Why.BETTER_RANKED_FULL
            else:
                why = Why.FAIRNESS
        else:
            why = Why.FIRST_CHOICE
        lines.append(
            Line(
                package_reference=problem.package_refs[i],
                hours=hours,
                provider_id=int(problem.provider_ids[p]),
                provider_name=problem.provider_names[p],
                quality_points=int(problem.pair_quality[k]),
                start_days=int(problem.pair_start_days[k]),
                locality_miles=float(problem.pair_locality_miles[k]),
                why=why,
                alternative_id=alt_id,
                alternative_name=alt_name,
                rank_cost_change=rank_change,
                fairness_change=fairness_change,
                explanation=_explain(why, alt_name, rank_change, fairness_change, units_p),
            )
        )
    after = problem.load_hours.copy()
    np.add.at(after, problem.pair_provider[chosen[placed]], problem.package_hours[placed])
    totals = Totals(
        packages=n,
        placed=int(placed.sum()),
        unplaced=solution.unplaced,
        hours_placed=float(problem.package_hours[placed].sum()),
        gini_before=gini(problem.load_hours),
        gini_after=gini(after),
        mean_locality_miles=float(problem.pair_locality_miles[chosen[placed]].mean()) if placed.any() else 0.0,
        rank_cost=solution.rank_cost,
        fairness_cost=solution.fairness_cost,
        fairness_weight=weight,
        method=solution.method.value,
        solve_seconds=solution.solve_seconds,
        proven_optimal=solution.proven_optimal,
    )
    return Proposal(lines=tuple(lines), totals=totals)


def propose(problem: BatchProblem, settings: BatchSettings) -> Proposal:
    return explain(problem, solve(problem, settings))
