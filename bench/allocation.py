"""How long the allocation engine takes to rank one ISA, and how much memory it needs.

Run: .venv/bin/python bench/allocation.py [--quick]

Ranks one realistic package (four calls a day, seven days, two of them double-handed) against 100, 1,000 and
10,000 generated providers around Leeds, about two-thirds of which meet every condition. Prints the median
wall time over several repeats, and the peak memory traced while ranking (tracemalloc, measured in a separate
run because tracing slows the code down). Also times storing the ranking as JSON, replaying stored inputs
and one ranked-DPS policy decision at each size. Pure Python: no database or settings needed.
"""

from __future__ import annotations

import argparse
import functools
import random
import statistics
import sys
import time
import tracemalloc
from collections.abc import Callable
from datetime import UTC, date, datetime, timedelta
from datetime import time as clock
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from brokerage.allocation import (
    ENGINE_VERSION,
    AreaCapacity,
    CarerGender,
    DayCoverage,
    GeoPoint,
    Isa,
    LotRole,
    PolicyKind,
    PolicySettings,
    ProviderCandidate,
    QualityScore,
    Visit,
    Weekday,
    inputs_to_json,
    next_actions,
    rank_providers,
    replay,
)

AS_OF = date(2026, 3, 2)
LEEDS = GeoPoint(latitude=53.8008, longitude=-1.5491)
AREAS = [f"area-{n}" for n in range(10)]
SKILLS = ["dementia", "end-of-life", "stoma", "peg-feeding", "epilepsy"]
LANGUAGES = ["English", "Polish", "Urdu", "Punjabi", "Romanian"]
SIZES = (100, 1_000, 10_000)


def package() -> Isa:
    calls = ((7, 9, 45, 1), (12, 14, 30, 1), (17, 18, 30, 2), (20, 22, 30, 2))
    visits = tuple(
        Visit(weekday=day, window_start=clock(start), window_end=clock(end), duration_minutes=minutes, carers=carers)
        for day in Weekday
        for start, end, minutes, carers in calls
    )
    return Isa(
        reference="MOSAIC-BENCH-1",
        location=LEEDS,
        postcode_district="LS9",
        area_code=AREAS[0],
        area_name="Inner East",
        visits=visits,
        hours_per_week=sum(v.duration_minutes * v.carers for v in visits) / 60,
        requested_start=AS_OF + timedelta(days=2),
        required_skills=frozenset({"dementia"}),
        language="Polish",
        carer_gender=CarerGender.FEMALE,
    )


def providers(count: int, seed: int = 20260302) -> list[ProviderCandidate]:
    rng = random.Random(seed)
    full_week = tuple(DayCoverage(weekday=day, earliest=clock(6), latest=clock(23)) for day in Weekday)
    short_week = tuple(DayCoverage(weekday=day, earliest=clock(8), latest=clock(18)) for day in Weekday)
    result = []
    for provider_id in range(1, count + 1):
        areas = rng.sample(AREAS, k=rng.randint(2, 6))
        if rng.random() < 0.85 and AREAS[0] not in areas:
            areas[0] = AREAS[0]
        result.append(
            ProviderCandidate(
                provider_id=provider_id,
                name=f"Provider {provider_id}",
                dps_active=rng.random() < 0.97,
                lot_role=LotRole.DPS_MEMBER,
                cqc_eligible=rng.random() < 0.97,
                quality=QualityScore(points=rng.randint(11, 16), label="Good"),
                areas=tuple(AreaCapacity(area_code=a, hours_available=rng.choice((10.0, 40.0, 80.0))) for a in areas),
                coverage=full_week if rng.random() < 0.95 else short_week,
                lead_time_days=rng.randint(0, 10),
                locations=tuple(
                    GeoPoint(
                        latitude=LEEDS.latitude + rng.uniform(-0.3, 0.3),
                        longitude=LEEDS.longitude + rng.uniform(-0.4, 0.4),
                    )
                    for _ in range(rng.randint(1, 3))
                ),
                double_handed=rng.random() < 0.95,
                skills=frozenset(rng.sample(SKILLS, k=rng.randint(2, 5))) | {"dementia"},
                languages=frozenset(rng.sample(LANGUAGES, k=rng.randint(1, 3))) | {"Polish"},
                carer_genders=frozenset(CarerGender),
                recent_awards=rng.randint(0, 5),
            )
        )
    return result


def median_seconds(work: Callable[[], object], repeats: int) -> tuple[float, float]:
    """Median wall-clock and CPU seconds; CPU time is the steadier figure on a shared machine."""
    wall, cpu = [], []
    for _ in range(repeats):
        started, started_cpu = time.perf_counter(), time.process_time()
        work()
        wall.append(time.perf_counter() - started)
        cpu.append(time.process_time() - started_cpu)
    return statistics.median(wall), statistics.median(cpu)


def peak_mib(work: Callable[[], object]) -> float:
    tracemalloc.start()
    try:
        work()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 2**20


def main() -> None:
    parser = argparse.ArgumentParser(description="Time and memory to rank one ISA against many providers.")
    parser.add_argument("--quick", action="store_true", help="three repeats per size, for a smoke run")
    quick = parser.parse_args().quick
    isa = package()
    policy = PolicySettings(kind=PolicyKind.RANKED_DPS, response_window=timedelta(hours=48))
    now = datetime(2026, 3, 2, 9, tzinfo=UTC)

    print(f"Allocation engine {ENGINE_VERSION}: one ISA, {len(isa.visits)} visits, {isa.hours_per_week:.1f} h/week")
    print("rank = rank_providers (median wall / CPU); peak = tracemalloc peak while ranking;")
    print("to_json = store the ranking; replay = decode stored inputs and rank again; policy = one next_actions")
    columns = [("providers", 9), ("eligible", 8), ("rank wall", 10), ("rank CPU", 9), ("peak", 9)]
    columns += [("to_json", 9), ("replay", 9), ("policy", 8)]
    print(" ".join(f"{title:>{width}}" for title, width in columns))
    for size in SIZES:
        candidates = providers(size)
        repeats = 3 if quick else {100: 51, 1_000: 21, 10_000: 7}[size]
        rank = functools.partial(rank_providers, isa, candidates, as_of=AS_OF)
        ranking = rank()
        stored_inputs = inputs_to_json(isa, candidates, as_of=AS_OF)
        assert replay(stored_inputs) == ranking, "replay must reproduce the ranking"

        wall, cpu = median_seconds(rank, repeats)
        peak = peak_mib(rank)
        fewer = max(3, repeats // 3)
        to_json, _ = median_seconds(ranking.to_json, fewer)
        replayed, _ = median_seconds(functools.partial(replay, stored_inputs), fewer)
        decide, _ = median_seconds(
            functools.partial(next_actions, settings=policy, ranking=ranking, offers=(), now=now), fewer
        )
        print(
            f"{size:>9,} {len(ranking.ranked):>8,} {wall * 1e3:>7.1f} ms {cpu * 1e3:>6.1f} ms {peak:>5.1f} MiB "
            f"{to_json * 1e3:>6.1f} ms {replayed * 1e3:>6.1f} ms {decide * 1e3:>5.1f} ms"
        )


if __name__ == "__main__":
    main()
