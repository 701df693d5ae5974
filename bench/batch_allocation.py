"""Batch allocation beside the bare solver on the same instance, at 5,000 x 100 and 100,000 x 10,000.

Run: .venv/bin/python bench/batch_allocation.py [--quick]

Generates packages and providers around Leeds (seeded), then:

1. builds the batch problem: every package checked against the providers serving its area with the engine's
   own must-meet conditions, and each eligible pair costed (quality, start, locality). At 100,000 x 10,000
   the full 10^9 pairs cannot be checked in Python here (at the measured rate it would take hours), so
   candidates are the providers that serve the package's area (about 20 of 10,000): sparse candidate arcs.
   Any other provider fails the area condition anyway.
2. times the bare solver: OR-Tools min-cost flow on the same eligible arcs (package -> provider/area slot
   -> sink, one unit per package, the same unit capacities), nothing else;
3. times the batch allocation on the same problem: the network with the provider layer and the convex
   fairness penalty, solved, plus the review (each line's explanation and the totals).

Prints CPU and wall seconds (median of repeats) and the ratio batch / bare solver (target <= 1.2). Step 1 is
printed separately: both solvers need the eligible pairs. Pure Python, numpy and OR-Tools; no database.
"""

from __future__ import annotations

import argparse
import functools
import random
import statistics
import sys
import time
from collections.abc import Callable
from datetime import date, timedelta
from datetime import time as clock
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from ortools.graph.python import min_cost_flow

from brokerage.allocation import (
    AreaCapacity,
    DayCoverage,
    GeoPoint,
    Isa,
    ProviderCandidate,
    QualityScore,
    Visit,
    Weekday,
)
from brokerage.batch import BatchPackage, BatchProblem, BatchSettings, Proposal, Totals, build_problem, propose
from brokerage.batch.solver import UNPLACED_COST, max_units_per_slot

AS_OF = date(2026, 3, 2)
LEEDS = GeoPoint(latitude=53.8008, longitude=-1.5491)
FULL_WEEK = tuple(DayCoverage(weekday=day, earliest=clock(7), latest=clock(22)) for day in Weekday)
CALLS = ((7, 10, 30), (12, 14, 30), (17, 19, 30), (20, 22, 30))


def instance(packages: int, providers: int, areas: int, areas_each: int, seed: int = 14) -> list[BatchPackage]:
    rng = random.Random(seed)
    area_codes = [f"area-{n}" for n in range(areas)]
    spread = 0.25 if areas <= 20 else 2.0  # degrees: Leeds for the small instance, a region for the large
    centres = {
        code: (LEEDS.latitude + rng.uniform(-spread, spread) / 4, LEEDS.longitude + rng.uniform(-spread, spread))
        for code in area_codes
    }
    in_area: dict[str, list[ProviderCandidate]] = {code: [] for code in area_codes}
    mean_hours = 11.0
    for pid in range(1, providers + 1):
        served = rng.sample(area_codes, areas_each)
        lat, lon = centres[served[0]]
        # Declared hours about twice the demand in each area: the flow model counts a slot in units of its
        # largest eligible package, so it uses well under the hours declared when sizes vary.
        per_area = packages * mean_hours / areas / (providers * areas_each / areas) * 2.0
        candidate = ProviderCandidate(
            provider_id=pid,
            name=f"Provider {pid}",
            dps_active=rng.random() < 0.97,
            cqc_eligible=rng.random() < 0.95,
            quality=QualityScore(points=rng.choice((12, 13, 14, 14, 15, 15)), label="Good"),
            areas=tuple(
                AreaCapacity(area_code=code, hours_available=round(rng.uniform(0.3, 1.7) * per_area)) for code in served
            ),
            coverage=FULL_WEEK,
            lead_time_days=rng.choice((0, 1, 2, 3, 7)),
            locations=(GeoPoint(latitude=lat + rng.uniform(-0.05, 0.05), longitude=lon + rng.uniform(-0.08, 0.08)),),
            double_handed=rng.random() < 0.6,
            skills=frozenset(s for s in ("dementia", "stoma") if rng.random() < 0.6),
            recent_awards=rng.randint(0, 12),
        )
        for code in served:
            in_area[code].append(candidate)
    batch = []
    for i in range(packages):
        code = area_codes[i % areas]
        lat, lon = centres[code]
        calls = rng.randint(1, 4)
        carers = 2 if rng.random() < 0.15 else 1
        visits = tuple(
            Visit(weekday=day, window_start=clock(a), window_end=clock(b), duration_minutes=m, carers=carers)
            for day in Weekday
            for a, b, m in CALLS[:calls]
        )
        isa = Isa(
            reference=f"B-{i}",
            location=GeoPoint(latitude=lat + rng.uniform(-0.04, 0.04), longitude=lon + rng.uniform(-0.07, 0.07)),
            postcode_district="LS1",
            area_code=code,
            area_name=code,
            visits=visits,
            hours_per_week=sum(v.duration_minutes * v.carers for v in visits) / 60,
            requested_start=AS_OF + timedelta(days=rng.randint(0, 10)),
            required_skills=frozenset({"dementia"}) if rng.random() < 0.3 else frozenset(),
        )
        batch.append(BatchPackage(isa=isa, candidates=in_area[code]))
    return batch


def bare_solver(problem: BatchProblem) -> int:
    """The plain min-cost flow on the same eligible arcs and unit capacities; returns its optimal cost."""
    n, s = problem.package_count, len(problem.slot_hours)
    units = max_units_per_slot(problem)
    flow = min_cost_flow.SimpleMinCostFlow()
    pair_arcs = flow.add_arcs_with_capacity_and_unit_cost(
        problem.pair_package.astype(np.int32),
        (n + problem.pair_slot).astype(np.int32),
        np.ones(len(problem.pair_package), dtype=np.int64),
        problem.pair_cost,
    )
    flow.add_arcs_with_capacity_and_unit_cost(
        np.arange(n, dtype=np.int32),
        np.full(n, n + s, np.int32),
        np.ones(n, np.int64),
        np.full(n, UNPLACED_COST, np.int64),
    )
    flow.add_arcs_with_capacity_and_unit_cost(
        np.arange(n, n + s, dtype=np.int32), np.full(s, n + s, np.int32), units, np.zeros(s, np.int64)
    )
    flow.set_nodes_supplies(np.asarray([*range(n), n + s], np.int32), np.asarray([1] * n + [-n], np.int64))
    assert flow.solve() == flow.OPTIMAL
    np.asarray(flow.flows(pair_arcs))  # read the assignment back, as any caller must
    return int(flow.optimal_cost())


def timed(work: Callable[[], object], repeats: int) -> tuple[float, float]:
    walls, cpus = [], []
    for _ in range(repeats):
        wall, cpu = time.perf_counter(), time.process_time()
        work()
        walls.append(time.perf_counter() - wall)
        cpus.append(time.process_time() - cpu)
    return statistics.median(walls), statistics.median(cpus)


def measure(problem: BatchProblem, settings: BatchSettings, repeats: int) -> tuple[float, float, float, float, object]:
    bare_wall, bare_cpu = timed(functools.partial(bare_solver, problem), repeats)
    proposals: list[Proposal] = []
    batch_wall, batch_cpu = timed(lambda: proposals.append(propose(problem, settings)), repeats)
    return bare_wall, bare_cpu, batch_wall, batch_cpu, proposals[-1].totals


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--quick", action="store_true", help="only 5,000 x 100, one repeat")
    parser.add_argument("--fairness-weight", type=int, default=10)
    args = parser.parse_args()
    sizes = [(5_000, 100, 10, 3, 5)]
    if not args.quick:
        sizes.append((100_000, 10_000, 1_000, 2, 3))
    print(
        f"{'instance':>18} {'pairs':>10} {'build s':>8} {'bare cpu':>9} {'batch cpu':>10} {'ratio':>6} "
        f"{'bare wall':>10} {'batch wall':>11} {'placed':>8} {'gini':>12}"
    )
    for packages, providers, areas, areas_each, repeats in sizes:
        batch = instance(packages, providers, areas, areas_each)
        started = time.perf_counter()
        problem = build_problem(batch, as_of=AS_OF)
        build = time.perf_counter() - started
        settings = BatchSettings(fairness_weight=args.fairness_weight)
        bare_wall, bare_cpu, batch_wall, batch_cpu, totals = measure(problem, settings, 1 if args.quick else repeats)
        assert isinstance(totals, Totals)
        print(
            f"{packages:>8,} x {providers:<7,} {len(problem.pair_package):>10,} {build:>8.1f} {bare_cpu:>9.2f} "
            f"{batch_cpu:>10.2f} {batch_cpu / bare_cpu:>6.2f} {bare_wall:>10.2f} {batch_wall:>11.2f} "
            f"{totals.placed:>8,} {totals.gini_before:.2f}->{totals.gini_after:.2f}"
        )


if __name__ == "__main__":
    main()
