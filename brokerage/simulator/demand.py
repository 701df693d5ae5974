"""Generated worlds at Leeds scale: about 10,000 packages a year across 10 areas and 100 providers.

Arrivals are a Poisson process (exponential gaps) in office hours; urgency 30% hospital discharge, 20%
urgent, 50% routine; visit patterns like the demo's referrals. Providers serve three areas each with
capacity sized so the live hours roughly match what a year's demand needs; behaviour is drawn from the
demo's ranges (answer 35-95% of offers, median answer 0.5-14 hours, accept 10-55% at 3 miles and 10 hours,
about 3% handed back). Seeded.
"""

from __future__ import annotations

import math
import random
from datetime import UTC, datetime, timedelta
from datetime import time as clock

from brokerage.allocation.inputs import (
    AreaCapacity,
    DayCoverage,
    GeoPoint,
    Isa,
    ProviderCandidate,
    QualityScore,
    Urgency,
    Visit,
    Weekday,
)
from brokerage.simulator.model import Arrival, Behaviour, SimProvider, World

LEEDS = GeoPoint(latitude=53.8008, longitude=-1.5491)
URGENCY_MIX = ((Urgency.HOSPITAL_DISCHARGE, 0.3), (Urgency.URGENT, 0.2), (Urgency.ROUTINE, 0.5))
PATTERNS = (
    (((7, 30, 9, 30),), 45, 1),
    (((7, 30, 9, 30), (19, 0, 21, 0)), 30, 1),
    (((7, 30, 9, 30), (12, 0, 13, 30), (16, 30, 18, 0), (19, 30, 21, 30)), 30, 1),
    (((8, 0, 10, 0), (18, 0, 20, 0)), 45, 2),
)
FULL_WEEK = tuple(DayCoverage(weekday=day, earliest=clock(7), latest=clock(22)) for day in Weekday)


def _logit(p: float) -> float:
    return math.log(p / (1 - p))


def generate(
    *, packages_per_year: int = 10_000, providers: int = 100, areas: int = 10, days: int = 365, seed: int = 14
) -> World:
    rng = random.Random(seed)  # noqa: S311 - a reproducible simulation, not a secret
    start = datetime(2026, 4, 1, tzinfo=UTC)
    codes = [f"area-{n}" for n in range(areas)]
    centres = {
        code: GeoPoint(
            latitude=LEEDS.latitude + rng.uniform(-0.08, 0.08), longitude=LEEDS.longitude + rng.uniform(-0.15, 0.15)
        )
        for code in codes
    }
    expected = packages_per_year * days / 365
    live_hours = packages_per_year * 180 / 365 * 9.0  # mean care 180 days, about 9 hours a week
    per_area = live_hours / (providers * 3) * 1.1
    made = []
    for pid in range(1, providers + 1):
        served = rng.sample(codes, 3)
        home = centres[served[0]]
        candidate = ProviderCandidate(
            provider_id=pid,
            name=f"Simulated provider {pid}",
            dps_active=True,
            cqc_eligible=rng.random() < 0.95,
            quality=QualityScore(points=rng.choice((12, 13, 14, 14, 15, 15)), label="Good"),
            areas=tuple(
                AreaCapacity(area_code=c, hours_available=round(rng.uniform(0.5, 1.5) * per_area)) for c in served
            ),
            coverage=FULL_WEEK,
            lead_time_days=rng.choice((0, 1, 2, 3)),
            locations=(
                GeoPoint(
                    latitude=home.latitude + rng.uniform(-0.02, 0.02),
                    longitude=home.longitude + rng.uniform(-0.03, 0.03),
                ),
            ),
            double_handed=rng.random() < 0.7,
            skills=frozenset({"dementia"}) if rng.random() < 0.85 else frozenset(),
        )
        behaviour = Behaviour(
            respond_rate=rng.uniform(0.35, 0.95),
            median_response_hours=rng.uniform(0.5, 14),
            accept_logit=_logit(rng.uniform(0.1, 0.55)),
            distance_slope=-0.15,
            hours_slope=-0.03,
            hand_back_rate=0.03,
        )
        made.append(SimProvider(candidate=candidate, behaviour=behaviour))
    demand = []
    moment = start
    mean_gap_hours = days * 24 / expected
    index = 0
    while True:
        moment += timedelta(hours=rng.expovariate(1 / mean_gap_hours))
        if moment >= start + timedelta(days=days):
            break
        code = rng.choice(codes)
        centre = centres[code]
        roll, urgency = rng.random(), Urgency.ROUTINE
        for kind, share in URGENCY_MIX:
            if roll < share:
                urgency = kind
                break
            roll -= share
        windows, minutes, carers = rng.choice(PATTERNS)
        visits = tuple(
            Visit(
                weekday=day, window_start=clock(a, b), window_end=clock(c, d), duration_minutes=minutes, carers=carers
            )
            for day in Weekday
            for a, b, c, d in windows
        )
        lead = {Urgency.HOSPITAL_DISCHARGE: 1, Urgency.URGENT: 3, Urgency.ROUTINE: 10}[urgency]
        isa = Isa(
            reference=f"SIM-{index}",
            location=GeoPoint(
                latitude=centre.latitude + rng.uniform(-0.03, 0.03),
                longitude=centre.longitude + rng.uniform(-0.05, 0.05),
            ),
            postcode_district="LS1",
            area_code=code,
            area_name=code,
            visits=visits,
            hours_per_week=sum(v.duration_minutes * v.carers for v in visits) / 60,
            requested_start=(moment + timedelta(days=lead)).date(),
            urgency=urgency,
            required_skills=frozenset({"dementia"}) if rng.random() < 0.35 else frozenset(),
        )
        demand.append(Arrival(at=moment, isa=isa, care_days=rng.expovariate(1 / 180)))
        index += 1
    return World(providers=tuple(made), demand=tuple(demand), start=start, end=start + timedelta(days=days), seed=seed)
