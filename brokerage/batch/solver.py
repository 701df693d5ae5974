"""Solve a batch: place as many packages as possible, then minimise rank cost plus the fairness penalty.

Two exact models over the same `BatchProblem`:

- `solve_flow` (OR-Tools min-cost flow; each package is one unit). Network: package -> (provider, area) slot
  -> provider -> sink, plus package -> sink ("unplaced", cost `UNPLACED_COST`). A slot's capacity in units
  is floor(declared hours / the largest package eligible for it), so the hours a provider declared are never
  exceeded whichever packages it receives (n packages of at most h_max hours use at most n * h_max hours).
  That is safe but can leave hours unused when package sizes vary widely; `solve_hours` counts them exactly.
  The provider -> sink arcs are the pieces of the convex fairness penalty (`fairness.segments`).
- `solve_hours` (OR-Tools CP-SAT; capacity counted in hours, to the hundredth of an hour): a Boolean per
  eligible pair, at most one per package, hours per slot within the declaration, the same penalty pieces as
  integer variables. Capacity in hours makes it a multiple-knapsack problem, which CP-SAT may not prove
  optimal within `time_limit_seconds` (per phase); then it returns the best feasible assignment it found and
  says so (`proven_optimal` is False). Feasibility (conditions, hours) holds either way.

Both minimise  UNPLACED_COST * unplaced + sum of rank costs + fairness penalty. `UNPLACED_COST` exceeds any
package's rank cost and fairness cost, so placing one more package always comes first.
"""

from __future__ import annotations

import time
from dataclasses import dataclass
from enum import StrEnum

import numpy as np
from ortools.graph.python import min_cost_flow
from ortools.sat.python import cp_model

from brokerage.batch.fairness import penalties, segment_arrays, segments
from brokerage.batch.problem import BatchProblem, IntArray

UNPLACED_COST = 10**12
HOURS_SCALE = 100


class Method(StrEnum):
    FLOW = "flow"
    HOURS = "hours"


class SolverFailed(RuntimeError):
    """The solver did not reach an optimum (a time limit, or a malformed network)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class BatchSettings:
    """`fairness_weight` is the penalty's weight (0 = off); see `fairness`."""

    fairness_weight: int = 0
    method: Method = Method.FLOW
    time_limit_seconds: float = 20.0


@dataclass(frozen=True, slots=True, kw_only=True)
class BatchSolution:
    """`package_pair[i]` is the chosen pair of package i, or -1 when it stays unplaced."""

    method: Method
    fairness_weight: int
    package_pair: IntArray
    provider_units: IntArray
    max_units: IntArray
    slot_units: IntArray
    objective: int
    rank_cost: int
    fairness_cost: int
    unplaced: int
    solve_seconds: float
    # False when CP-SAT stopped at its time limit: the assignment is feasible, the best it found.
    proven_optimal: bool = True


def max_units_per_slot(problem: BatchProblem) -> IntArray:
    """A slot's capacity in packages for the flow model: declared hours / its largest eligible package."""
    slot_count = len(problem.slot_hours)
    largest = np.zeros(slot_count, dtype=np.float64)
    np.maximum.at(largest, problem.pair_slot, problem.package_hours[problem.pair_package])
    pairs_at = np.bincount(problem.pair_slot, minlength=slot_count)
    with np.errstate(divide="ignore", invalid="ignore"):
        units = np.where(largest > 0, np.floor(problem.slot_hours / largest + 1e-9), 0)
    return np.minimum(units.astype(np.int64), pairs_at).astype(np.int64)


def _provider_max_units(problem: BatchProblem, slot_units: IntArray) -> IntArray:
    per_provider = np.zeros(problem.provider_count, dtype=np.int64)
    np.add.at(per_provider, problem.slot_provider, slot_units)
    eligible_packages = np.bincount(problem.pair_provider, minlength=problem.provider_count)
    return np.minimum(per_provider, eligible_packages).astype(np.int64)


def _finish(
    problem: BatchProblem,
    settings: BatchSettings,
    package_pair: IntArray,
    max_units: IntArray,
    slot_units: IntArray,
    started: float,
    *,
    proven: bool = True,
) -> BatchSolution:
    placed = package_pair >= 0
    chosen = package_pair[placed]
    provider_units = np.bincount(problem.pair_provider[chosen], minlength=problem.provider_count).astype(np.int64)
    rank_cost = int(problem.pair_cost[chosen].sum())
    fairness_cost = penalties(
        weight=settings.fairness_weight, prior=problem.prior_units, units=provider_units, max_units=max_units
    )
    unplaced = int((~placed).sum())
    return BatchSolution(
        method=settings.method,
        fairness_weight=settings.fairness_weight,
        package_pair=package_pair,
        provider_units=provider_units,
        max_units=max_units,
        slot_units=slot_units,
        objective=UNPLACED_COST * unplaced + rank_cost + fairness_cost,
        rank_cost=rank_cost,
        fairness_cost=fairness_cost,
        unplaced=unplaced,
        solve_seconds=time.perf_counter() - started,
        proven_optimal=proven,
    )


def solve_flow(problem: BatchProblem, settings: BatchSettings) -> BatchSolution:
    started = time.perf_counter()
    n, s, p = problem.package_count, len(problem.slot_hours), problem.provider_count
    sink = n + s + p
    slot_units = max_units_per_slot(problem)
    max_units = _provider_max_units(problem, slot_units)
    flow = min_cost_flow.SimpleMinCostFlow()
    pair_arcs = flow.add_arcs_with_capacity_and_unit_cost(
        problem.pair_package.astype(np.int32),
        (n + problem.pair_slot).astype(np.int32),
        np.ones(len(problem.pair_package), dtype=np.int64),
        problem.pair_cost,
    )
    packages = np.arange(n, dtype=np.int32)
    flow.add_arcs_with_capacity_and_unit_cost(
        packages, np.full(n, sink, dtype=np.int32), np.ones(n, dtype=np.int64), np.full(n, UNPLACED_COST, np.int64)
    )
    flow.add_arcs_with_capacity_and_unit_cost(
        np.arange(n, n + s, dtype=np.int32),
        (n + s + problem.slot_provider).astype(np.int32),
        slot_units,
        np.zeros(s, dtype=np.int64),
    )
    if settings.fairness_weight:
        owner, _, caps, costs = segment_arrays(
            weight=settings.fairness_weight, prior=problem.prior_units, max_units=max_units
        )
    else:
        owner, caps, costs = np.arange(p, dtype=np.int64), max_units, np.zeros(p, dtype=np.int64)
    flow.add_arcs_with_capacity_and_unit_cost(
        (n + s + owner).astype(np.int32),
        np.full(len(owner), sink, dtype=np.int32),
        caps.astype(np.int64),
        costs.astype(np.int64),
    )
    flow.set_nodes_supplies(np.asarray([*range(n), sink], dtype=np.int32), np.asarray([1] * n + [-n], dtype=np.int64))
    status = flow.solve()
    if status != flow.OPTIMAL:
        raise SolverFailed(f"min-cost flow ended with status {status}")
    used = np.asarray(flow.flows(pair_arcs), dtype=np.int64)
    package_pair = np.full(n, -1, dtype=np.int64)
    chosen = np.flatnonzero(used > 0)
    package_pair[problem.pair_package[chosen]] = chosen
    return _finish(problem, settings, package_pair, max_units, slot_units, started)


def solve_hours(problem: BatchProblem, settings: BatchSettings) -> BatchSolution:
    started = time.perf_counter()
    n, p = problem.package_count, problem.provider_count
    pair_count = len(problem.pair_package)
    model = cp_model.CpModel()
    x = [model.new_bool_var(f"x{k}") for k in range(pair_count)]
    by_package: list[list[int]] = [[] for _ in range(n)]
    by_slot: list[list[int]] = [[] for _ in range(len(problem.slot_hours))]
    by_provider: list[list[int]] = [[] for _ in range(p)]
    for k in range(pair_count):
        by_package[int(problem.pair_package[k])].append(k)
        by_slot[int(problem.pair_slot[k])].append(k)
        by_provider[int(problem.pair_provider[k])].append(k)
    for ks in by_package:
        if ks:
            model.add_at_most_one(x[k] for k in ks)
    hours = np.rint(problem.package_hours * HOURS_SCALE).astype(np.int64)
    for slot, ks in enumerate(by_slot):
        limit = int(np.floor(problem.slot_hours[slot] * HOURS_SCALE + 1e-6))
        model.add(sum(int(hours[problem.pair_package[k]]) * x[k] for k in ks) <= limit)
    # In hours the most a provider can take is every package eligible for it.
    max_units = np.asarray([len(ks) for ks in by_provider], dtype=np.int64)
    solver = cp_model.CpSolver()
    solver.parameters.max_time_in_seconds = settings.time_limit_seconds
    solver.parameters.num_workers = 1
    # Two phases rather than one big UNPLACED_COST, which would weaken CP-SAT's bounds: place as many as
    # possible, then, with that many placed, minimise rank cost plus the fairness penalty.
    model.maximize(sum(x))
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise SolverFailed(f"CP-SAT (placing) ended with status {solver.status_name(status)}")
    proven = status == cp_model.OPTIMAL
    most = round(solver.objective_value)
    model.add(sum(x) == most)
    for k in range(pair_count):
        model.add_hint(x[k], solver.boolean_value(x[k]))
    objective = [int(problem.pair_cost[k]) * x[k] for k in range(pair_count)]
    if settings.fairness_weight:
        for q, ks in enumerate(by_provider):
            pieces = segments(
                weight=settings.fairness_weight, prior=int(problem.prior_units[q]), max_units=int(max_units[q])
            )
            parts = []
            for j, (size, cost) in enumerate(pieces):
                part = model.new_int_var(0, size, f"f{q}_{j}")
                parts.append(part)
                objective.append(cost * part)
            model.add(sum(parts) == sum(x[k] for k in ks))
    model.minimize(sum(objective))
    status = solver.solve(model)
    if status not in (cp_model.OPTIMAL, cp_model.FEASIBLE):
        raise SolverFailed(f"CP-SAT ended with status {solver.status_name(status)}")
    proven = proven and status == cp_model.OPTIMAL
    package_pair = np.full(n, -1, dtype=np.int64)
    for k in range(pair_count):
        if solver.boolean_value(x[k]):
            package_pair[int(problem.pair_package[k])] = k
    slot_units = np.bincount(
        problem.pair_slot[package_pair[package_pair >= 0]], minlength=len(problem.slot_hours)
    ).astype(np.int64)
    return _finish(problem, settings, package_pair, max_units, slot_units, started, proven=proven)


def solve(problem: BatchProblem, settings: BatchSettings) -> BatchSolution:
    if settings.method is Method.HOURS:
        return solve_hours(problem, settings)
    return solve_flow(problem, settings)
