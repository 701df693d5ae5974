"""What the allocation engine is given: one ISA and the provider candidates for it, as plain frozen data.

The brokerage services build these from database rows; nothing here knows about Django. Every type checks
its own invariants on construction and raises `AllocationInputError` naming the bad field, so a malformed
input fails at the boundary rather than producing a strange ranking.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from datetime import date, time
from enum import StrEnum


class AllocationInputError(ValueError):
    """An ISA or provider candidate handed to the engine breaks one of its invariants."""


class Weekday(StrEnum):
    MONDAY = "monday"
    TUESDAY = "tuesday"
    WEDNESDAY = "wednesday"
    THURSDAY = "thursday"
    FRIDAY = "friday"
    SATURDAY = "saturday"
    SUNDAY = "sunday"

    @property
    def label(self) -> str:
        return self.value.capitalize()


class Urgency(StrEnum):
    ROUTINE = "routine"
    URGENT = "urgent"
    HOSPITAL_DISCHARGE = "hospital_discharge"


class CarerGender(StrEnum):
    FEMALE = "female"
    MALE = "male"


class LotRole(StrEnum):
    """A provider's role in the lot the ISA belongs to (Nottinghamshire); Leeds providers are all DPS members."""

    LEAD = "lead"
    ADDITIONAL = "additional"
    DPS_MEMBER = "dps_member"


def _require(condition: bool, message: str) -> None:
    if not condition:
        raise AllocationInputError(message)


@dataclass(frozen=True, slots=True, kw_only=True)
class GeoPoint:
    """A WGS84 position in decimal degrees."""

    latitude: float
    longitude: float

    def __post_init__(self) -> None:
        _require(math.isfinite(self.latitude) and -90 <= self.latitude <= 90, "latitude must be within -90..90")
        _require(math.isfinite(self.longitude) and -180 <= self.longitude <= 180, "longitude must be within -180..180")


@dataclass(frozen=True, slots=True, kw_only=True)
class Visit:
    """One regular visit: on `weekday`, lasting `duration_minutes`, somewhere between `window_start` and
    `window_end` (same day), by `carers` care workers (2 = double-handed)."""

    weekday: Weekday
    window_start: time
    window_end: time
    duration_minutes: int
    carers: int = 1

    def __post_init__(self) -> None:
        _require(self.window_start < self.window_end, "visit window_end must be after window_start")
        _require(self.duration_minutes > 0, "visit duration_minutes must be positive")
        _require(
            self.duration_minutes <= minute_of_day(self.window_end) - minute_of_day(self.window_start),
            "visit duration_minutes must fit inside its time window",
        )
        _require(self.carers in (1, 2), "visit carers must be 1 or 2 (2 = double-handed)")

    def describe(self) -> str:
        window = f"{self.window_start:%H:%M} to {self.window_end:%H:%M}"
        return f"{self.weekday.label} {window} ({self.duration_minutes} min)"


@dataclass(frozen=True, slots=True, kw_only=True)
class Isa:
    """An Individual Service Agreement as the engine needs it. No name or address: only what ranking uses.

    `reference` is the package reference (e.g. the Mosaic id); it seeds the fair draw, so the same package
    always breaks a tie the same way. `hours_per_week` is the carer-hours the provider must find (a
    double-handed hour counts twice), compared against each provider's spare hours in `area_code`.
    `urgency` and `lot` are carried into the stored inputs for the record but do not change the order: the
    council's ranking has no urgency step, so urgent packages get shorter response windows instead (the
    caller picks `PolicySettings`). Skills and languages are matched ignoring case.
    """

    reference: str
    location: GeoPoint
    postcode_district: str
    area_code: str
    area_name: str
    visits: tuple[Visit, ...]
    hours_per_week: float
    requested_start: date
    urgency: Urgency = Urgency.ROUTINE
    required_skills: frozenset[str] = field(default_factory=frozenset)
    language: str | None = None
    carer_gender: CarerGender | None = None
    housing_with_care: bool = False
    lot: str = ""

    def __post_init__(self) -> None:
        _require(bool(self.reference.strip()), "ISA reference must not be blank")
        _require(bool(self.area_code.strip()), "ISA area_code must not be blank")
        _require(bool(self.visits), "ISA must have at least one visit")
        _require(math.isfinite(self.hours_per_week) and self.hours_per_week > 0, "ISA hours_per_week must be > 0")
        _require(self.language is None or bool(self.language.strip()), "ISA language must be None or non-blank")


@dataclass(frozen=True, slots=True, kw_only=True)
class QualityScore:
    """The provider's CQC quality, computed elsewhere; `points` is compared (higher is better).

    The scale is the caller's, but it must order the council's rules: for example 3 points per Good and
    2 per Requires improvement over the five key questions makes all-Good 15 and Good-with-one-RI 14.
    """

    points: int
    label: str
    explanation: str = ""


@dataclass(frozen=True, slots=True, kw_only=True)
class AreaCapacity:
    """Care hours a week the provider can still take on in one locality area."""

    area_code: str
    hours_available: float

    def __post_init__(self) -> None:
        _require(
            math.isfinite(self.hours_available) and self.hours_available >= 0,
            "area hours_available must be a number >= 0",
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class DayCoverage:
    """The provider can deliver visits on `weekday` between `earliest` and `latest`."""

    weekday: Weekday
    earliest: time
    latest: time

    def __post_init__(self) -> None:
        _require(self.earliest < self.latest, "coverage latest must be after earliest")


@dataclass(frozen=True, slots=True, kw_only=True)
class ProviderCandidate:
    """One provider that might take the ISA, with everything the must-meet conditions and ranking read.

    `dps_active` means an active DPS membership for the ISA's agreement; `lot_role` is its role in the ISA's
    lot. `declined` is true when it has already declined or handed back this package. `recent_awards` is the
    count of packages awarded to it recently (the caller picks the period) and only breaks exact ties.
    `locality_miles`, when given, replaces the office distance as the locality criterion: the agreement's
    rota-fit option sets it to the extra road miles a week the provider's carers would drive to fit the
    package into their runs (`brokerage.rotafit`).
    """

    provider_id: int
    name: str
    dps_active: bool
    cqc_eligible: bool
    quality: QualityScore
    areas: tuple[AreaCapacity, ...]
    coverage: tuple[DayCoverage, ...]
    lead_time_days: int
    locations: tuple[GeoPoint, ...]
    lot_role: LotRole = LotRole.DPS_MEMBER
    cqc_reason: str = ""
    double_handed: bool = False
    skills: frozenset[str] = field(default_factory=frozenset)
    languages: frozenset[str] = field(default_factory=frozenset)
    carer_genders: frozenset[CarerGender] = field(default_factory=frozenset)
    recent_awards: int = 0
    declined: bool = False
    locality_miles: float | None = None

    def __post_init__(self) -> None:
        _require(self.lead_time_days >= 0, f"provider {self.provider_id}: lead_time_days must be >= 0")
        _require(bool(self.locations), f"provider {self.provider_id}: needs at least one location")
        _require(self.recent_awards >= 0, f"provider {self.provider_id}: recent_awards must be >= 0")
        _require(
            self.locality_miles is None or (math.isfinite(self.locality_miles) and self.locality_miles >= 0),
            f"provider {self.provider_id}: locality_miles must be None or a number >= 0",
        )
        codes = [area.area_code for area in self.areas]
        _require(len(codes) == len(set(codes)), f"provider {self.provider_id}: an area is listed twice")

    def hours_available_in(self, area_code: str) -> float | None:
        """Spare hours in the area, or None when the provider does not serve it."""
        for area in self.areas:
            if area.area_code == area_code:
                return area.hours_available
        return None


def minute_of_day(moment: time) -> int:
    return moment.hour * 60 + moment.minute
