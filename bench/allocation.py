"""How long the allocation engine takes to rank one ISA, beside a plain vectorised reference, and how much memory.

Run: .venv/bin/python bench/allocation.py [--quick]

Ranks one realistic package (four calls a day, seven days, two of them double-handed) against 100, 1,000,
10,000 and 100,000 generated providers around Leeds, about two-thirds of which meet every condition.

For each size it prints CPU time (time.process_time, the steady figure on a shared machine) at p50 and p95:
- prepare: turning the candidates into columns (`CandidatePool`), done once for any number of ISAs;
- engine: `rank_providers` on the prepared pool (the ranking's entries and explanations are built when read);
- reference: a straightforward vectorised numpy filter and sort over the same inputs, prepared the same way,
  hashing the fair draw only where the four keys tie (the issue's 4.1 ms figure), and the ratio engine/reference;
  the bench asserts both give the same order;
- read 20: building the first 20 entries with their explanations (what a page shows);
- store: the run's documents (compact columnar inputs and the ranked order) as JSON text, and its ratio to the
  engine's time; replay: decode the stored inputs and rank again (asserted equal);
- the engine as it was (tests/brokerage/allocation/reference_engine.py) at 10,000 and below, for the before figure.
Peak memory is measured in a separate run (tracemalloc), and the process's peak RSS is printed at the end; then
``--rss 100000`` runs in a fresh process: a worker's national ranking (pool from plain data, rank once, store the
run), its peak RSS beside the same process's before ranking (interpreter and imports).
"""

from __future__ import annotations

import argparse
import hashlib
import json
import random
import resource
import statistics
import subprocess
import sys
import time
import tracemalloc
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, timedelta
from datetime import time as clock
from pathlib import Path

import numpy as np

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from brokerage.allocation import (
    ENGINE_VERSION,
    AreaCapacity,
    CarerGender,
    DayCoverage,
    GeoPoint,
    Isa,
    LotRole,
    ProviderCandidate,
    QualityScore,
    Visit,
    Weekday,
    inputs_to_dict,
    rank_providers,
    replay,
)
from brokerage.allocation.geography import EARTH_RADIUS_MILES
from brokerage.allocation.pool import CandidatePool
from brokerage.allocation.replay import stored_result
from brokerage.allocation.results import Ranking

AS_OF = date(2026, 3, 2)
LEEDS = GeoPoint(latitude=53.8008, longitude=-1.5491)
AREAS = [f"area-{n}" for n in range(10)]
SKILLS = ["dementia", "end-of-life", "stoma", "peg-feeding", "epilepsy"]
LANGUAGES = ["English", "Polish", "Urdu", "Punjabi", "Romanian"]
SIZES = (100, 1_000, 10_000, 100_000)
WEEKDAYS = list(Weekday)


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


# The reference: the same rules written the plainest vectorised way ----------------------------------------


@dataclass
class Columns:
    """Per-candidate arrays, built once like the engine's pool (not timed with the ranking)."""

    ids: np.ndarray
    ok_flags: np.ndarray  # dps active, CQC eligible, not declined
    double_handed: np.ndarray
    hours: np.ndarray  # spare hours in the ISA's area, NaN where not served
    earliest: np.ndarray  # (n, 7) minutes, -1 where no hours that day
    latest: np.ndarray
    skills_ok: np.ndarray
    language_ok: np.ndarray
    gender_ok: np.ndarray
    points: np.ndarray
    lead: np.ndarray
    awards: np.ndarray
    lat: np.ndarray  # (n, 3) radians, NaN-padded
    lon: np.ndarray


def columns(isa: Isa, candidates: list[ProviderCandidate]) -> Columns:
    n = len(candidates)
    earliest = np.full((n, 7), -1, dtype=np.int64)
    latest = np.full((n, 7), -1, dtype=np.int64)
    lat = np.full((n, 3), np.nan)
    lon = np.full((n, 3), np.nan)
    hours = np.full(n, np.nan)
    for row, c in enumerate(candidates):
        for day in c.coverage:
            index = WEEKDAYS.index(day.weekday)
            earliest[row, index] = day.earliest.hour * 60 + day.earliest.minute
            latest[row, index] = day.latest.hour * 60 + day.latest.minute
        for k, location in enumerate(c.locations):
            lat[row, k], lon[row, k] = np.radians(location.latitude), np.radians(location.longitude)
        available = c.hours_available_in(isa.area_code)
        hours[row] = np.nan if available is None else available
    return Columns(
        ids=np.array([c.provider_id for c in candidates]),
        ok_flags=np.array([c.dps_active and c.cqc_eligible and not c.declined for c in candidates]),
        double_handed=np.array([c.double_handed for c in candidates]),
        hours=hours,
        earliest=earliest,
        latest=latest,
        skills_ok=np.array([isa.required_skills <= c.skills for c in candidates]),
        language_ok=np.array([isa.language in c.languages for c in candidates]),
        gender_ok=np.array([isa.carer_gender in c.carer_genders for c in candidates]),
        points=np.array([c.quality.points for c in candidates]),
        lead=np.array([c.lead_time_days for c in candidates]),
        awards=np.array([c.recent_awards for c in candidates]),
        lat=lat,
        lon=lon,
    )


def reference_order(isa: Isa, cols: Columns, *, as_of: date) -> list[int]:
    """Filter, key and sort with numpy; SHA-256 only inside runs of equal keys. Returns provider ids in order."""
    ok = cols.ok_flags & (cols.hours >= isa.hours_per_week) & cols.skills_ok & cols.language_ok & cols.gender_ok
    if any(v.carers == 2 for v in isa.visits):
        ok &= cols.double_handed
    for visit in isa.visits:
        day = WEEKDAYS.index(visit.weekday)
        start = visit.window_start.hour * 60 + visit.window_start.minute
        end = visit.window_end.hour * 60 + visit.window_end.minute
        overlap = np.minimum(end, cols.latest[:, day]) - np.maximum(start, cols.earliest[:, day])
        ok &= (cols.earliest[:, day] >= 0) & (overlap >= visit.duration_minutes)
    rows = np.flatnonzero(ok)
    lat1, lon1 = np.radians(isa.location.latitude), np.radians(isa.location.longitude)
    lat2, lon2 = cols.lat[rows], cols.lon[rows]
    h = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    miles = np.nanmin(2 * EARTH_RADIUS_MILES * np.arcsin(np.minimum(1.0, np.sqrt(h))), axis=1)
    distance = np.round(miles, 1)
    start = np.maximum(isa.requested_start.toordinal(), as_of.toordinal() + cols.lead[rows])
    keys = (cols.awards[rows], distance, start, -cols.points[rows])
    order = np.lexsort(keys)
    ids: list[int] = cols.ids[rows][order].tolist()
    ordered = [k[order] for k in keys]
    same = np.ones(len(order) - 1, dtype=bool)
    for key in ordered:
        same &= key[1:] == key[:-1]
    i = 0
    tied = np.flatnonzero(same)
    while i < len(tied):
        j = i
        while j + 1 < len(tied) and tied[j + 1] == tied[j] + 1:
            j += 1
        first, last = tied[i], tied[j] + 1
        ids[first : last + 1] = sorted(
            ids[first : last + 1],
            key=lambda pid: (hashlib.sha256(f"{isa.reference}\x1f{pid}".encode()).hexdigest(), pid),
        )
        i = j + 1
    return ids


# Measuring ------------------------------------------------------------------------------------------------


def cpu_times(work: Callable[[], object], repeats: int) -> list[float]:
    times = []
    for _ in range(repeats):
        started = time.process_time()
        work()
        times.append(time.process_time() - started)
    return times


def p50(times: list[float]) -> float:
    return statistics.median(times)


def p95(times: list[float]) -> float:
    ordered = sorted(times)
    return ordered[min(len(ordered) - 1, round(0.95 * (len(ordered) - 1)))]


def peak_mib(work: Callable[[], object]) -> float:
    tracemalloc.start()
    try:
        work()
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()
    return peak / 2**20


def store(isa: Isa, pool: CandidatePool, ranking: Ranking) -> str:
    """What `_rank_locked` writes: compact inputs and result documents, encoded as the JSON field does."""
    pool._columns = None
    inputs = inputs_to_dict(isa, pool, as_of=AS_OF)
    return json.dumps(inputs) + json.dumps(stored_result(ranking))


def _peak_rss_mib() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kilobytes on Linux


def worker_peak_rss(size: int) -> None:
    """In this (fresh) process, what a worker does for one national ranking, and the peak RSS after each step.

    The steps of ``brokerage.services.brokering._rank_locked``: the candidates as plain data (what
    ``engine_inputs_for`` reads from the database), the pool built from them, one ranking (and the first 20
    entries read, as a page does), and the run's compact documents encoded for storing. The reference is the
    same process before any of it: the interpreter and the imports.
    """
    baseline = _peak_rss_mib()
    isa = package()
    candidates = providers(size)
    built = _peak_rss_mib()
    pool = CandidatePool(candidates)
    pooled = _peak_rss_mib()
    ranking = rank_providers(isa, pool, as_of=AS_OF)
    shown = ranking.ranked[:20]
    ranked = _peak_rss_mib()
    stored = store(isa, pool, ranking)
    peak = _peak_rss_mib()
    print(f"Worker peak RSS, fresh process, one ranking of {size:,} candidates ({len(ranking.ranked):,} eligible):")
    for label, mib in (
        ("reference: interpreter and imports", baseline),
        ("candidates built from plain data", built),
        ("CandidatePool built", pooled),
        (f"ranked once, first {len(shown)} entries read", ranked),
        (f"run stored compactly ({len(stored) / 2**20:.1f} MiB of JSON)", peak),
    ):
        print(f"  {label:<44} {mib:6.0f} MiB")
    print(f"  peak / reference: {peak / baseline:.2f}; the ranking's own share: {peak - baseline:.0f} MiB")


def ms(seconds: float) -> str:
    return f"{seconds * 1e3:7.2f}"


def main() -> None:
    parser = argparse.ArgumentParser(description="Time and memory to rank one ISA against many providers.")
    parser.add_argument("--quick", action="store_true", help="few repeats per size, for a smoke run")
    parser.add_argument("--no-old", action="store_true", help="skip the engine-as-it-was figures")
    parser.add_argument(
        "--rss", type=int, metavar="N", help="only do a worker's ranking of N candidates and print the peak RSS"
    )
    args = parser.parse_args()
    if args.rss:
        worker_peak_rss(args.rss)
        return
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent / "tests"))
    from tests.brokerage.allocation.reference_engine import reference_rank_providers

    isa = package()
    print(f"Allocation engine {ENGINE_VERSION}: one ISA, {len(isa.visits)} visits, {isa.hours_per_week:.1f} h/week")
    print("CPU milliseconds (time.process_time), p50 / p95; ratio = engine / reference in this run")
    header = (
        f"{'providers':>9} {'eligible':>8} | {'prepare':>7} | {'engine p50':>10} {'p95':>7} | {'ref p50':>7} {'p95':>7}"
        f" {'ratio':>5} | {'read 20':>7} | {'store':>7} {'/rank':>5} {'KiB':>6} | {'replay':>7} | {'old p50':>8}"
        f" {'peak MiB':>8}"
    )
    print(header)
    for size in SIZES:
        candidates = providers(size)
        repeats = 5 if args.quick else {100: 201, 1_000: 101, 10_000: 41, 100_000: 11}[size]
        fewer = max(3, repeats // 4)
        prepare = cpu_times(lambda: CandidatePool(candidates), fewer)  # noqa: B023
        pool = CandidatePool(candidates)
        cols = columns(isa, candidates)
        ranking = rank_providers(isa, pool, as_of=AS_OF)
        order = [int(pid) for pid in pool.provider_id[ranking.ranked.provider_rows()]]  # type: ignore[attr-defined]
        assert order == reference_order(isa, cols, as_of=AS_OF), "engine and reference disagree on the order"
        # Interleaved, so both see the same machine load.
        engine, reference = [], []
        for _ in range(repeats):
            engine += cpu_times(lambda: rank_providers(isa, pool, as_of=AS_OF), 1)  # noqa: B023
            reference += cpu_times(lambda: reference_order(isa, cols, as_of=AS_OF), 1)  # noqa: B023
        read = cpu_times(lambda: rank_providers(isa, pool, as_of=AS_OF).ranked[:20], fewer)  # noqa: B023
        stored = store(isa, pool, ranking)
        storing = cpu_times(lambda: store(isa, pool, ranking), fewer)  # noqa: B023
        inputs_json = json.dumps(inputs_to_dict(isa, pool, as_of=AS_OF))
        replayed = replay(inputs_json)
        assert [e.provider_id for e in replayed.ranked[:50]] == order[:50] and len(replayed.ranked) == len(order)
        replaying = cpu_times(lambda: replay(inputs_json), max(3, fewer // 2))  # noqa: B023
        old = "       -"
        if size <= 10_000 and not args.no_old:
            old_times = cpu_times(
                lambda: reference_rank_providers(isa, candidates, as_of=AS_OF, engine_version=ENGINE_VERSION),  # noqa: B023
                3 if size == 10_000 else 7,
            )
            old = f"{p50(old_times) * 1e3:8.1f}"
            if size <= 1_000:
                slow = reference_rank_providers(isa, candidates, as_of=AS_OF, engine_version=ENGINE_VERSION)
                assert ranking == slow, "engine and the engine-as-it-was disagree"
        peak = peak_mib(lambda: rank_providers(isa, pool, as_of=AS_OF))  # noqa: B023
        ratio = p50(engine) / p50(reference)
        print(
            f"{size:>9,} {len(ranking.ranked):>8,} | {ms(p50(prepare))} | {ms(p50(engine))}    {ms(p95(engine))} |"
            f" {ms(p50(reference))} {ms(p95(reference))} {ratio:5.2f} | {ms(p50(read))} |"
            f" {ms(p50(storing))} {p50(storing) / p50(engine):5.2f} {len(stored) / 1024:6.0f} |"
            f" {ms(p50(replaying))} | {old} {peak:8.1f}"
        )
    print(f"peak RSS of this process (all sizes, up to 100,000 candidates at once): {_peak_rss_mib():.0f} MiB")
    # A worker ranks one package in a process of its own: measured in a fresh interpreter.
    subprocess.run([sys.executable, __file__, "--rss", str(SIZES[-1])], check=True)  # noqa: S603 - this script


if __name__ == "__main__":
    main()
