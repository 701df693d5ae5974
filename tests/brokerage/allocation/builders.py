"""Small, readable allocation inputs for the engine's tests: one ISA in Leeds and providers built around it.

The base candidate meets every condition of the base ISA; each test overrides just what it is about.
"""

from __future__ import annotations

from datetime import date, time
from typing import Any

from brokerage.allocation import (
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
)

AS_OF = date(2026, 3, 2)  # a Monday
REQUESTED_START = date(2026, 3, 4)
PERSON = GeoPoint(latitude=53.8008, longitude=-1.5491)  # Leeds city centre

# 3 points per Good and 2 per Requires improvement over the five CQC key questions.
ALL_GOOD = QualityScore(points=15, label="Good", explanation="Good in all five key questions")
GOOD_WITH_RI = QualityScore(points=14, label="Good", explanation="Requires improvement in Well-led")

MORNING_VISITS = tuple(
    Visit(weekday=day, window_start=time(8), window_end=time(10), duration_minutes=45) for day in Weekday
)
DOUBLE_HANDED_TEA = Visit(
    weekday=Weekday.WEDNESDAY, window_start=time(17), window_end=time(18), duration_minutes=30, carers=2
)
ALL_WEEK = tuple(DayCoverage(weekday=day, earliest=time(7), latest=time(22)) for day in Weekday)


def miles_north(miles: float, of: GeoPoint = PERSON) -> GeoPoint:
    """A point `miles` due north: one degree of latitude is about 69.05 miles."""
    return GeoPoint(latitude=of.latitude + miles / 69.05, longitude=of.longitude)


def make_isa(**overrides: Any) -> Isa:
    fields: dict[str, Any] = {
        "reference": "MOSAIC-100234",
        "location": PERSON,
        "postcode_district": "LS9",
        "area_code": "inner-east",
        "area_name": "Inner East",
        "visits": (*MORNING_VISITS, DOUBLE_HANDED_TEA),
        "hours_per_week": 14.0,
        "requested_start": REQUESTED_START,
        "required_skills": frozenset({"dementia"}),
        "language": "Polish",
        "carer_gender": CarerGender.FEMALE,
    }
    fields.update(overrides)
    return Isa(**fields)


def make_candidate(provider_id: int, **overrides: Any) -> ProviderCandidate:
    fields: dict[str, Any] = {
        "provider_id": provider_id,
        "name": f"Provider {provider_id} Homecare",
        "dps_active": True,
        "lot_role": LotRole.DPS_MEMBER,
        "cqc_eligible": True,
        "quality": ALL_GOOD,
        "areas": (AreaCapacity(area_code="inner-east", hours_available=40.0),),
        "coverage": ALL_WEEK,
        "lead_time_days": 1,
        "locations": (miles_north(3.0),),
        "double_handed": True,
        "skills": frozenset({"dementia", "end-of-life"}),
        "languages": frozenset({"English", "Polish"}),
        "carer_genders": frozenset({CarerGender.FEMALE, CarerGender.MALE}),
    }
    fields.update(overrides)
    return ProviderCandidate(**fields)
