"""Batch allocation: never breaks a condition or a capacity, equals brute force, and equals a plain flow."""

from __future__ import annotations

import itertools
import math
import random
from dataclasses import replace

import numpy as np
import pytest
from ortools.graph.python import min_cost_flow

from brokerage.allocation import AreaCapacity, QualityScore
from brokerage.allocation.conditions import unmet_conditions
from brokerage.allocation.geography import nearest_miles
from brokerage.allocation.ranking import earliest_start
from brokerage.batch import BatchPackage, BatchSettings, Method, Why, build_problem, pair_cost, propose, solve
from brokerage.batch.fairness import penalty, segment_arrays, segments
from brokerage.batch.solver import UNPLACED_COST
from tests.brokerage.allocation.builders import AS_OF, make_candidate, make_isa, miles_north

AREAS = ("inner-east", "inner-west")


def random_batch(rng: random.Random, *, packages: int, providers: int) -> list[BatchPackage]:
    candidates = []
    for pid in range(1, providers + 1):
        candidates.append(
            make_candidate(
                pid,
                quality=QualityScore(points=rng.choice((13, 14, 15)), label="Good"),
                areas=tuple(
                    AreaCapacity(area_code=area, hours_available=rng.choice((0.0, 10.0, 20.0, 30.0, 45.0)))
                    for area in AREAS
                    if rng.random() < 0.8
                ),
                lead_time_days=rng.choice((0, 1, 3)),
                locations=(miles_north(rng.uniform(0.5, 8.0)),),
                dps_active=rng.random() < 0.9,
                skills=frozenset({"dementia"}) if rng.random() < 0.8 else frozenset(),
                recent_awards=rng.randint(0, 3),
            )
        )
    return [
        BatchPackage(
            isa=make_isa(
                reference=f"MOSAIC-{i}",
                area_code=rng.choice(AREAS),
                hours_per_week=rng.choice((5.0, 7.5, 10.0, 14.0)),
                location=miles_north(rng.uniform(-2.0, 2.0)),
            ),
            candidates=candidates,
        )
        for i in range(packages)
    ]


def brute_force(batch: list[BatchPackage], *, weight: int, units: bool) -> int:
    """The best objective over every assignment, computed from the documented rules alone."""
    options = []
    for entry in batch:
        choices: list[tuple[int, str, int] | None] = [None]
        for c in entry.candidates:
            if not unmet_conditions(entry.isa, c):
                quality_gap = 15 - c.quality.points
                cost = pair_cost(
                    quality_gap=quality_gap,
                    start_days=(earliest_start(entry.isa, c, as_of=AS_OF) - AS_OF).days,
                    locality_miles=nearest_miles(entry.isa.location, c.locations),
                )
                choices.append((c.provider_id, entry.isa.area_code, cost))
        options.append(choices)
    best_quality = max(
        (c.quality.points for e in batch for c in e.candidates if not unmet_conditions(e.isa, c)), default=15
    )
    shift = 15 - best_quality  # the problem measures quality from the batch's best, the test from 15
    capacity = {(c.provider_id, a.area_code): a.hours_available for c in batch[0].candidates for a in c.areas}
    prior = {c.provider_id: c.recent_awards for c in batch[0].candidates}
    largest: dict[tuple[int, str], float] = {}
    for entry, choices in zip(batch, options, strict=True):
        for choice in choices[1:]:
            assert choice is not None
            key = (choice[0], choice[1])
            largest[key] = max(largest.get(key, 0.0), entry.isa.hours_per_week)
    best = None
    for assignment in itertools.product(*options):
        used: dict[tuple[int, str], float] = {}
        count: dict[tuple[int, str], int] = {}
        per_provider: dict[int, int] = {}
        total = 0
        for entry, choice in zip(batch, assignment, strict=True):
            if choice is None:
                total += UNPLACED_COST
                continue
            key = (choice[0], choice[1])
            used[key] = used.get(key, 0.0) + entry.isa.hours_per_week
            count[key] = count.get(key, 0) + 1
            per_provider[choice[0]] = per_provider.get(choice[0], 0) + 1
            total += choice[2] - 10_000_000 * shift
        if units:
            if any(count[key] > math.floor(capacity[key] / largest[key] + 1e-9) for key in count):
                continue
        elif any(used[key] > capacity[key] + 1e-9 for key in used):
            continue
        total += sum(weight * ((prior[p] + n) ** 2 - prior[p] ** 2) for p, n in per_provider.items())
        best = total if best is None else min(best, total)
    assert best is not None
    return best


@pytest.mark.parametrize("seed", range(12))
@pytest.mark.parametrize("method", [Method.FLOW, Method.HOURS])
@pytest.mark.parametrize("weight", [0, 40_000])
def test_batch_equals_brute_force_on_small_instances(seed: int, method: Method, weight: int) -> None:
    rng = random.Random(seed)
    batch = random_batch(rng, packages=rng.randint(3, 6), providers=rng.randint(2, 3))
    solution = solve(build_problem(batch, as_of=AS_OF), BatchSettings(fairness_weight=weight, method=method))
    assert solution.objective == brute_force(batch, weight=weight, units=method is Method.FLOW)


@pytest.mark.parametrize("seed", range(6))
@pytest.mark.parametrize("method", [Method.FLOW, Method.HOURS])
def test_batch_never_breaks_a_condition_or_a_capacity(seed: int, method: Method) -> None:
    rng = random.Random(100 + seed)
    batch = random_batch(rng, packages=60, providers=8)
    problem = build_problem(batch, as_of=AS_OF)
    proposal = propose(problem, BatchSettings(fairness_weight=20_000, method=method, time_limit_seconds=3))
    used: dict[tuple[int, str], float] = {}
    by_ref = {entry.isa.reference: entry for entry in batch}
    for line in proposal.lines:
        if line.provider_id is None:
            continue
        entry = by_ref[line.package_reference]
        candidate = next(c for c in entry.candidates if c.provider_id == line.provider_id)
        assert unmet_conditions(entry.isa, candidate) == ()
        key = (line.provider_id, entry.isa.area_code)
        used[key] = used.get(key, 0.0) + entry.isa.hours_per_week
    for (pid, area), hours in used.items():
        candidate = next(c for c in batch[0].candidates if c.provider_id == pid)
        assert hours <= (candidate.hours_available_in(area) or 0.0) + 1e-9
    assert proposal.totals.placed > 0


@pytest.mark.parametrize("seed", range(5))
def test_without_fairness_the_total_cost_is_a_plain_min_cost_flows(seed: int) -> None:
    rng = random.Random(200 + seed)
    batch = random_batch(rng, packages=80, providers=10)
    problem = build_problem(batch, as_of=AS_OF)
    solution = solve(problem, BatchSettings(fairness_weight=0, method=Method.FLOW))
    # The plain textbook network: package -> (provider, area) -> sink, one unit per package, no provider layer.
    n, s = problem.package_count, len(problem.slot_hours)
    largest = np.zeros(s)
    for k in range(len(problem.pair_package)):
        slot = problem.pair_slot[k]
        largest[slot] = max(largest[slot], problem.package_hours[problem.pair_package[k]])
    plain = min_cost_flow.SimpleMinCostFlow()
    for k in range(len(problem.pair_package)):
        plain.add_arc_with_capacity_and_unit_cost(
            int(problem.pair_package[k]), n + int(problem.pair_slot[k]), 1, int(problem.pair_cost[k])
        )
    for i in range(n):
        plain.add_arc_with_capacity_and_unit_cost(i, n + s, 1, UNPLACED_COST)
        plain.set_node_supply(i, 1)
    for slot in range(s):
        units = math.floor(problem.slot_hours[slot] / largest[slot] + 1e-9) if largest[slot] else 0
        plain.add_arc_with_capacity_and_unit_cost(n + slot, n + s, units, 0)
    plain.set_node_supply(n + s, -n)
    assert plain.solve() == plain.OPTIMAL
    assert solution.objective == plain.optimal_cost()


def plenty(hours: float) -> tuple[AreaCapacity, ...]:
    return (AreaCapacity(area_code="inner-east", hours_available=hours),)


def test_fairness_spreads_work_that_one_provider_would_otherwise_take_all_of() -> None:
    near = make_candidate(
        1, locations=(miles_north(0.5),), areas=(AreaCapacity(area_code="inner-east", hours_available=200.0),)
    )
    far = make_candidate(
        2, locations=(miles_north(1.5),), areas=(AreaCapacity(area_code="inner-east", hours_available=200.0),)
    )
    batch = [BatchPackage(isa=make_isa(reference=f"M-{i}"), candidates=(near, far)) for i in range(6)]
    problem = build_problem(batch, as_of=AS_OF)
    greedy = propose(problem, BatchSettings(fairness_weight=0))
    # Weight 5: the k-th package at a provider costs 5(2k - 1); provider 2 is 10 tenths of a mile further, so
    # moving one from 1 (n1 packages) to 2 (n2) pays while 5(2n1 - 1) > 5(2n2 + 1) + 10, i.e. n1 - n2 > 1.5.
    fair = propose(problem, BatchSettings(fairness_weight=5))
    assert {line.provider_id for line in greedy.lines} == {1}
    assert [line.provider_id for line in fair.lines].count(2) == 3
    moved = [line for line in fair.lines if line.provider_id == 2]
    assert all(line.why is Why.FAIRNESS and line.alternative_id == 1 for line in moved)
    assert all(line.fairness_change is not None and line.fairness_change > 0 for line in moved)
    assert fair.totals.gini_after < greedy.totals.gini_after


def test_a_full_better_ranked_provider_is_named_as_the_reason() -> None:
    near = make_candidate(
        1, locations=(miles_north(0.5),), areas=(AreaCapacity(area_code="inner-east", hours_available=14.0),)
    )
    far = make_candidate(2, locations=(miles_north(1.5),))
    batch = [BatchPackage(isa=make_isa(reference=f"M-{i}"), candidates=(near, far)) for i in range(2)]
    proposal = propose(build_problem(batch, as_of=AS_OF), BatchSettings(method=Method.HOURS))
    assert sorted(line.why for line in proposal.lines) == sorted([Why.FIRST_CHOICE, Why.BETTER_RANKED_FULL])
    assert proposal.totals.hours_placed == 28.0


def test_a_package_no_one_can_take_is_left_unplaced_with_the_reason() -> None:
    outsider = make_candidate(1, dps_active=False)
    batch = [BatchPackage(isa=make_isa(), candidates=(outsider,))]
    proposal = propose(build_problem(batch, as_of=AS_OF), BatchSettings())
    assert proposal.lines[0].why is Why.NO_ELIGIBLE
    assert proposal.totals.unplaced == 1


def test_rota_fit_locality_replaces_office_distance_in_the_cost() -> None:
    near = make_candidate(1, locations=(miles_north(0.5),))
    far = make_candidate(2, locations=(miles_north(5.0),))
    batch = [BatchPackage(isa=make_isa(), candidates=(near, far), locality_miles={1: 9.0, 2: 0.4})]
    proposal = propose(build_problem(batch, as_of=AS_OF), BatchSettings())
    assert proposal.lines[0].provider_id == 2
    assert proposal.lines[0].locality_miles == 0.4
    assert replace(proposal.totals, solve_seconds=0).mean_locality_miles == 0.4


def test_the_vectorised_penalty_pieces_are_the_documented_ones() -> None:
    prior = np.asarray([0, 3, 7, 2], dtype=np.int64)
    most = np.asarray([1, 5, 200, 0], dtype=np.int64)
    owner, _, units, costs = segment_arrays(weight=3, prior=prior, max_units=most)
    for p in range(4):
        expected = segments(weight=3, prior=int(prior[p]), max_units=int(most[p]))
        assert list(zip(units[owner == p].tolist(), costs[owner == p].tolist(), strict=True)) == expected
    # Exact at every unit while a provider has at most MAX_SEGMENTS pieces of one unit each.
    assert penalty(weight=3, prior=3, units=4, max_units=5) == 3 * ((3 + 4) ** 2 - 3**2)
