"""Planned against actual: matching four weeks of 500,000 planned visits to their actual visits, and the flags.

Run (pure numpy, no database):

    .venv/bin/python bench/reconcile.py [--visits 500000] [--repeats 3]

Builds (seeded) four weeks of planned visits, four a day, for as many packages as make ``--visits``, and
actual visits for them: about 2% missed, 5% late, 4% short, 5% double-handed of which some attended by one
carer, and 1% unplanned extra visits at night. Times ``visits.matching.match`` (median wall and CPU of
``--repeats``), and as the reference a plain-Python nearest-visit matcher (a ``bisect`` per actual visit) on
the same inputs; asserts the two agree on every match and flag count, and prints the ratio.
"""

from __future__ import annotations

import argparse
import bisect
import random
import statistics
import sys
import time
from collections.abc import Callable
from pathlib import Path
from typing import TypeVar

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from visits import matching

T = TypeVar("T")
TARGET_SECONDS = 30.0
DAY = 24 * 60
START = 29_500_000  # minutes since 1970: March 2026


def build(visits: int, seed: int = 7) -> tuple[matching.Planned, matching.Actual]:
    rng = random.Random(seed)
    per_package = 28 * 4
    packages = max(1, visits // per_package)
    p_pkg, p_start, p_min, p_car = [], [], [], []
    a_pkg, a_in, a_min, a_car, a_planned = [], [], [], [], []
    for package in range(1, packages + 1):
        for day in range(28):
            for slot, hour in enumerate((8, 12, 17, 21)):
                start = START + day * DAY + hour * 60
                minutes = (30, 45, 30, 30)[slot]
                carers = 2 if rng.random() < 0.05 else 1
                p_pkg.append(package)
                p_start.append(start)
                p_min.append(minutes)
                p_car.append(carers)
                roll = rng.random()
                if roll < 0.02:
                    continue  # missed
                late = rng.randrange(31, 90) if roll < 0.07 else rng.randrange(-10, 20)
                length = rng.randrange(5, 20) if rng.random() < 0.04 else minutes + rng.randrange(-3, 6)
                came = 1 if carers == 2 and rng.random() < 0.2 else carers
                a_pkg.append(package)
                a_in.append(start + late)
                a_min.append(length)
                a_car.append(came)
                a_planned.append(start)
            if rng.random() < 0.04:  # an unplanned night visit, far from any planned one
                a_pkg.append(package)
                a_in.append(START + day * DAY + 3 * 60)
                a_min.append(30)
                a_car.append(1)
                a_planned.append(matching.NOT_MADE)
    planned = matching.Planned(
        package=np.array(p_pkg, dtype=np.int64),
        start=np.array(p_start, dtype=np.int64),
        minutes=np.array(p_min, dtype=np.int64),
        carers=np.array(p_car, dtype=np.int64),
    )
    actual = matching.Actual(
        package=np.array(a_pkg, dtype=np.int64),
        check_in=np.array(a_in, dtype=np.int64),
        minutes=np.array(a_min, dtype=np.int64),
        carers=np.array(a_car, dtype=np.int64),
        planned_start=np.array(a_planned, dtype=np.int64),
    )
    return planned, actual


def reference(planned: matching.Planned, actual: matching.Actual, t: matching.Thresholds) -> dict[str, int]:
    """Plain Python: per package, the nearest planned start within the window (inputs have no contested visits)."""
    starts: dict[int, list[tuple[int, int]]] = {}
    for i, (package, start) in enumerate(zip(planned.package.tolist(), planned.start.tolist(), strict=True)):
        starts.setdefault(package, []).append((start, i))
    for visits in starts.values():
        visits.sort()
    matched: dict[int, int] = {}
    extra = 0
    for a, (package, check_in) in enumerate(zip(actual.package.tolist(), actual.check_in.tolist(), strict=True)):
        visits = starts.get(package, [])
        k = bisect.bisect_left(visits, (check_in, -1))
        best = None
        for j in (k - 1, k):
            near = 0 <= j < len(visits) and abs(visits[j][0] - check_in) <= t.window
            if near and (best is None or abs(visits[j][0] - check_in) < abs(best[0] - check_in)):
                best = visits[j]
        if best is None:
            extra += 1
        else:
            matched[best[1]] = a
    p_min, p_car, p_start = planned.minutes.tolist(), planned.carers.tolist(), planned.start.tolist()
    a_in, a_min, a_car = actual.check_in.tolist(), actual.minutes.tolist(), actual.carers.tolist()
    late = sum(1 for p, a in matched.items() if a_in[a] - p_start[p] > t.late_after)
    short = sum(1 for p, a in matched.items() if a_min[a] * 100 < t.short_below_percent * p_min[p])
    fewer = sum(1 for p, a in matched.items() if a_car[a] < p_car[p])
    return {
        "matched": len(matched),
        "missed": len(p_min) - len(matched),
        "late": late,
        "short": short,
        "fewer_carers": fewer,
        "extra": extra,
    }


def counts(result: matching.Matched) -> dict[str, int]:
    return {
        "matched": int((result.actual_of_planned >= 0).sum()),
        "missed": int(result.missed.sum()),
        "late": int(result.late.sum()),
        "short": int(result.short.sum()),
        "fewer_carers": int(result.fewer_carers.sum()),
        "extra": int(result.extra.sum()),
    }


def timed(action: Callable[[], T]) -> tuple[T, float, float]:
    wall, cpu = time.perf_counter(), time.process_time()
    result = action()
    return result, time.perf_counter() - wall, time.process_time() - cpu


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--visits", type=int, default=500_000)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    planned, actual = build(args.visits)
    thresholds = matching.Thresholds(window=120, late_after=30, short_below_percent=75)
    print(f"Reconcile four weeks: {len(planned.start):,} planned visits, {len(actual.check_in):,} actual visits")
    walls, cpus = [], []
    result = None
    for _ in range(args.repeats):
        result, wall, cpu = timed(lambda: matching.match(planned, actual, thresholds))
        walls.append(wall)
        cpus.append(cpu)
    assert result is not None
    expected, ref_wall, ref_cpu = timed(lambda: reference(planned, actual, thresholds))
    got = counts(result)
    assert got == expected, (got, expected)
    wall, cpu = statistics.median(walls), statistics.median(cpus)
    print(f"  {'numpy matching (visits.matching)':<36} {wall:7.2f} s wall {cpu:7.2f} s CPU (median of {args.repeats})")
    print(f"  {'reference: plain Python + bisect':<36} {ref_wall:7.2f} s wall {ref_cpu:7.2f} s CPU")
    print(f"  ratio: reference / numpy = {ref_wall / wall:.1f}x; both agree: {got}")
    verdict = "within" if wall <= TARGET_SECONDS else "OVER"
    print(f"  target: {len(planned.start):,} visits in at most {TARGET_SECONDS:.0f} s: {verdict} ({wall:.2f} s)")


if __name__ == "__main__":
    main()
