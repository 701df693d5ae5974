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
from functools import cached_property
from typing import Any

import numpy as np

from brokerage.batch.fairness import gini, marginals
from brokerage.batch.problem import LOCALITY_WEIGHT, BatchProblem, IntArray
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
    rank_change: int | None
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


_WHY = tuple(Why)


class Proposal:
    """The reviewed batch: per-package columns (numpy) computed at once, `lines` rendered on first use."""

    def __init__(
        self,
        problem: BatchProblem,
        solution: BatchSolution,
        *,
        alternative: IntArray,
        why: IntArray,
        rank_change: IntArray,
        fairness_change: IntArray,
        totals: Totals,
    ) -> None:
        self.problem = problem
        self.solution = solution
        self.alternative = alternative
        self.why = why
        self.rank_change = rank_change
        self.fairness_change = fairness_change
        self.totals = totals

    @cached_property
    def lines(self) -> tuple[Line, ...]:
        problem, solution = self.problem, self.solution
        lines = []
        for i in range(problem.package_count):
            k = int(solution.package_pair[i])
            a = int(self.alternative[i])
            why = _WHY[int(self.why[i])]
            alt_name = problem.provider_names[problem.pair_provider[a]] if a >= 0 else ""
            placed = k >= 0
            p = int(problem.pair_provider[k]) if placed else -1
            rank_change = int(self.rank_change[i]) if placed and a >= 0 else None
            fairness_change = int(self.fairness_change[i]) if placed and a >= 0 else None
            lines.append(
                Line(
                    package_reference=problem.package_refs[i],
                    hours=float(problem.package_hours[i]),
                    provider_id=int(problem.provider_ids[p]) if placed else None,
                    provider_name=problem.provider_names[p] if placed else "",
                    quality_points=int(problem.pair_quality[k]) if placed else None,
                    start_days=int(problem.pair_start_days[k]) if placed else None,
                    locality_miles=float(problem.pair_locality_miles[k]) if placed else None,
                    why=why,
                    alternative_id=int(problem.provider_ids[problem.pair_provider[a]]) if placed and a >= 0 else None,
                    alternative_name=alt_name if placed else "",
                    rank_change=rank_change,
                    fairness_change=fairness_change,
                    explanation=_explain(
                        why, alt_name, rank_change, fairness_change, int(solution.provider_units[p]) if placed else 0
                    ),
                )
            )
        return tuple(lines)

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
        f"{fairness_change:+,}; this provider takes its package number {placed_units} of the batch instead."
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
    has_alt = alt >= 0
    safe_alt = np.where(has_alt, alt, 0)
    safe_chosen = np.where(placed, chosen, 0)
    # A batch with no eligible pair at all still indexes safely: one dummy provider and pair, never read.
    pair_provider = problem.pair_provider if len(order) else np.zeros(1, dtype=np.int64)
    pair_cost = problem.pair_cost if len(order) else np.zeros(1, dtype=np.int64)
    pair_slot = problem.pair_slot if len(order) else np.zeros(1, dtype=np.int64)
    p = pair_provider[safe_chosen]
    q = pair_provider[safe_alt]
    rank_change = pair_cost[safe_alt] - pair_cost[safe_chosen]
    units = solution.provider_units if problem.provider_count else np.zeros(1, dtype=np.int64)
    prior = problem.prior_units if problem.provider_count else np.zeros(1, dtype=np.int64)
    max_units = solution.max_units if problem.provider_count else np.zeros(1, dtype=np.int64)
    fairness_change = marginals(weight=weight, prior=prior[q], unit=units[q] + 1, max_units=max_units[q]) - marginals(
        weight=weight, prior=prior[p], unit=np.maximum(units[p], 1), max_units=max_units[p]
    )
    # Room left at the alternative's slot for this package.
    slot_count = len(problem.slot_hours)
    used_hours = np.zeros(slot_count)
    np.add.at(used_hours, problem.pair_slot[chosen[placed]], problem.package_hours[placed])
    used_units = np.bincount(problem.pair_slot[chosen[placed]], minlength=slot_count)
    alt_slot = pair_slot[safe_alt]
    slot_hours = problem.slot_hours if slot_count else np.zeros(1)
    slot_units = solution.slot_units if slot_count else np.zeros(1, dtype=np.int64)
    if not slot_count:
        used_hours, used_units = np.zeros(1), np.zeros(1, dtype=np.int64)
    if solution.method is Method.HOURS:
        room = used_hours[alt_slot] + problem.package_hours <= slot_hours[alt_slot] + 1e-9
    else:
        room = used_units[alt_slot] < slot_units[alt_slot]
    code = {why: index for index, why in enumerate(_WHY)}
    why = np.where(
        ~placed,
        np.where(first < 0, code[Why.NO_ELIGIBLE], code[Why.CAPACITY_FULL]),
        np.where(
            ~has_alt | (rank_change >= 0),
            code[Why.FIRST_CHOICE],
            np.where(room, code[Why.FAIRNESS], code[Why.BETTER_RANKED_FULL]),
        ),
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
    return Proposal(
        problem,
        solution,
        alternative=alt,
        why=why.astype(np.int64),
        rank_change=rank_change.astype(np.int64),
        fairness_change=fairness_change.astype(np.int64),
        totals=totals,
    )


def propose(problem: BatchProblem, settings: BatchSettings) -> Proposal:
    return explain(problem, solve(problem, settings))
