"""Rota fit: how local a provider is, measured by the runs its carers already make (pure Python, no ORM).

Travel estimate. Road distance is the great-circle distance times `CIRCUITY` (1.3: roads are about 30%
longer than the straight line in English towns and suburbs), and travel time is that road distance at
`SPEED_MPH` (20 mph, a care worker's average between visits in traffic, parking included):

    road_miles(a, b) = 1.3 * haversine_miles(a, b)
    minutes(a, b)    = road_miles(a, b) / 20 * 60

Insertion cost. For each visit of the new package (weekday d, window [s, e]) the provider's *run* is its
awarded packages' visits on day d whose windows overlap [s, e]. Ordered by window start (then end), the new
visit goes after every visit that starts no later than it; with P the visit before and N the one after,

    both P and N:  road_miles(P, x) + road_miles(x, N) - road_miles(P, N)
    only P:        road_miles(P, x)                (the run is extended at its end)
    only N:        road_miles(x, N)                (the run is extended at its start)
    neither:       2 * road_miles(office, x)       (a carer goes out from the nearest office and back)

A double-handed visit counts twice (two carers travel). The package's rota fit is the sum over its visits:
the extra road miles a week, and the minutes they take. Lower is more local. The agreement's locality rule
chooses office distance or this figure; with rota fit the engine ranks on it (`ProviderCandidate.
locality_miles`), and `RotaFit.explanation` says how the figure was reached. Same inputs, same figure: the
inputs are stored with the ranking, so it can be replayed.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import time

from brokerage.allocation.geography import haversine_miles
from brokerage.allocation.inputs import GeoPoint, Isa, Weekday, minute_of_day

CIRCUITY = 1.3
SPEED_MPH = 20.0


@dataclass(frozen=True, slots=True, kw_only=True)
class RunVisit:
    """One visit a provider already makes: where, which day, and its time window."""

    location: GeoPoint
    weekday: Weekday
    window_start: time
    window_end: time


@dataclass(frozen=True, slots=True, kw_only=True)
class Insertion:
    weekday: Weekday
    window_start: time
    extra_miles: float
    between: str


@dataclass(frozen=True, slots=True, kw_only=True)
class RotaFit:
    provider_id: int
    extra_miles: float
    extra_minutes: float
    insertions: tuple[Insertion, ...]

    @property
    def explanation(self) -> str:
        within = sum(1 for step in self.insertions if step.between == "between two visits")
        extended = sum(1 for step in self.insertions if step.between.startswith("extends"))
        new = len(self.insertions) - within - extended
        return (
            f"{self.extra_miles:.1f} extra road miles a week ({self.extra_minutes:.0f} minutes): "
            f"{within} of {len(self.insertions)} visits fit between existing visits, {extended} extend a run, "
            f"{new} need a trip from the office (road = {CIRCUITY} x straight line, at {SPEED_MPH:.0f} mph)."
        )


def road_miles(a: GeoPoint, b: GeoPoint) -> float:
    return CIRCUITY * haversine_miles(a, b)


def minutes_for(miles: float) -> float:
    return miles / SPEED_MPH * 60


def rota_fit(isa: Isa, *, provider_id: int, offices: tuple[GeoPoint, ...], runs: tuple[RunVisit, ...]) -> RotaFit:
    """The extra travel for the provider's carers to add `isa`'s visits to the runs they already make."""
    by_day: dict[Weekday, list[tuple[int, int, RunVisit]]] = {}
    for existing in runs:
        by_day.setdefault(existing.weekday, []).append(
            (minute_of_day(existing.window_start), minute_of_day(existing.window_end), existing)
        )
    for visits in by_day.values():
        visits.sort(key=lambda entry: (entry[0], entry[1]))
    here = isa.location
    total = 0.0
    steps: list[Insertion] = []
    for visit in isa.visits:
        start, end = minute_of_day(visit.window_start), minute_of_day(visit.window_end)
        run = [entry for entry in by_day.get(visit.weekday, ()) if entry[0] < end and entry[1] > start]
        before = [entry for entry in run if entry[0] <= start]
        after = [entry for entry in run if entry[0] > start]
        previous = before[-1][2] if before else None
        following = after[0][2] if after else None
        if previous and following:
            miles = (
                road_miles(previous.location, here)
                + road_miles(here, following.location)
                - road_miles(previous.location, following.location)
            )
            # Never below 0 by the triangle inequality; the max only absorbs floating-point rounding.
            miles = max(miles, 0.0)
            between = "between two visits"
        elif previous:
            miles, between = road_miles(previous.location, here), "extends a run at its end"
        elif following:
            miles, between = road_miles(here, following.location), "extends a run at its start"
        else:
            miles, between = 2 * min(road_miles(office, here) for office in offices), "from the office and back"
        miles *= visit.carers
        total += miles
        steps.append(
            Insertion(weekday=visit.weekday, window_start=visit.window_start, extra_miles=miles, between=between)
        )
    return RotaFit(
        provider_id=provider_id, extra_miles=total, extra_minutes=minutes_for(total), insertions=tuple(steps)
    )
