"""Plain JSON forms of the engine's inputs, so a ranking can be stored with exactly what produced it.

Encoding is explicit per type (no reflection) and decoding checks every field's type, raising
`AllocationInputError` with the field's path: stored JSON is a boundary like any other.
"""

from __future__ import annotations

import json
from datetime import date, time
from enum import StrEnum
from typing import TypeVar, cast

from brokerage.allocation.inputs import (
    AllocationInputError,
    AreaCapacity,
    CarerGender,
    DayCoverage,
    GeoPoint,
    Isa,
    LotRole,
    ProviderCandidate,
    QualityScore,
    Urgency,
    Visit,
    Weekday,
)

JsonObject = dict[str, object]
_E = TypeVar("_E", bound=StrEnum)


_MEMBERS: dict[type[StrEnum], dict[str, StrEnum]] = {}


def _members(kind: type[_E]) -> dict[str, _E]:
    # A dict lookup: calling the enum for every field makes decoding thousands of candidates slow.
    if kind not in _MEMBERS:
        _MEMBERS[kind] = {member.value: member for member in kind}
    return cast(dict[str, _E], _MEMBERS[kind])


def load_json(text: str) -> object:
    try:
        document: object = json.loads(text)
    except json.JSONDecodeError as error:
        raise AllocationInputError(f"not valid JSON: {error}") from error
    return document


class Reader:
    """Typed access to one decoded JSON object; errors name the field's path."""

    def __init__(self, data: object, path: str) -> None:
        if not isinstance(data, dict):
            raise AllocationInputError(f"{path or 'document'} must be a JSON object")
        self._data: dict[object, object] = data
        self._path = path

    def _get(self, key: str) -> object:
        if key not in self._data:
            raise AllocationInputError(f"{self._where(key)} is missing")
        return self._data[key]

    def has(self, key: str) -> bool:
        return key in self._data

    def _where(self, key: str) -> str:
        return f"{self._path}.{key}" if self._path else key

    def _fail(self, key: str, expected: str) -> AllocationInputError:
        return AllocationInputError(f"{self._where(key)} must be {expected}")

    def text(self, key: str) -> str:
        value = self._get(key)
        if not isinstance(value, str):
            raise self._fail(key, "a string")
        return value

    def opt_text(self, key: str) -> str | None:
        return None if self._get(key) is None else self.text(key)

    def integer(self, key: str) -> int:
        value = self._get(key)
        if isinstance(value, bool) or not isinstance(value, int):
            raise self._fail(key, "an integer")
        return value

    def number(self, key: str) -> float:
        value = self._get(key)
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self._fail(key, "a number")
        return float(value)

    def boolean(self, key: str) -> bool:
        value = self._get(key)
        if not isinstance(value, bool):
            raise self._fail(key, "true or false")
        return value

    def day(self, key: str) -> date:
        try:
            return date.fromisoformat(self.text(key))
        except ValueError:
            raise self._fail(key, "an ISO date (YYYY-MM-DD)") from None

    def clock(self, key: str) -> time:
        try:
            return time.fromisoformat(self.text(key))
        except ValueError:
            raise self._fail(key, "a time (HH:MM)") from None

    def choice(self, key: str, kind: type[_E]) -> _E:
        member = _members(kind).get(self.text(key))
        if member is None:
            raise self._fail(key, f"one of {', '.join(_members(kind))}")
        return member

    def opt_choice(self, key: str, kind: type[_E]) -> _E | None:
        return None if self._get(key) is None else self.choice(key, kind)

    def items(self, key: str) -> list[object]:
        value = self._get(key)
        if not isinstance(value, list):
            raise self._fail(key, "a list")
        return value

    def texts(self, key: str) -> list[str]:
        values = self.items(key)
        if not all(isinstance(value, str) for value in values):
            raise self._fail(key, "a list of strings")
        return [str(value) for value in values]

    def choices(self, key: str, kind: type[_E]) -> list[_E]:
        allowed = _members(kind)
        values = self.texts(key)
        if not set(values) <= allowed.keys():
            raise self._fail(key, f"a list drawn from {', '.join(allowed)}")
        return [allowed[value] for value in values]

    def obj(self, key: str) -> Reader:
        return Reader(self._get(key), self._where(key))

    def objects(self, key: str) -> list[Reader]:
        return [Reader(item, f"{self._where(key)}[{index}]") for index, item in enumerate(self.items(key))]


def _hhmm(moment: time) -> str:
    return moment.isoformat(timespec="minutes")


def point_to_dict(point: GeoPoint) -> JsonObject:
    return {"latitude": point.latitude, "longitude": point.longitude}


def point_from(reader: Reader) -> GeoPoint:
    return GeoPoint(latitude=reader.number("latitude"), longitude=reader.number("longitude"))


def quality_to_dict(quality: QualityScore) -> JsonObject:
    return {"points": quality.points, "label": quality.label, "explanation": quality.explanation}


def quality_from(reader: Reader) -> QualityScore:
    return QualityScore(
        points=reader.integer("points"), label=reader.text("label"), explanation=reader.text("explanation")
    )


def isa_to_dict(isa: Isa) -> JsonObject:
    return {
        "reference": isa.reference,
        "location": point_to_dict(isa.location),
        "postcode_district": isa.postcode_district,
        "area_code": isa.area_code,
        "area_name": isa.area_name,
        "visits": [
            {
                "weekday": visit.weekday.value,
                "window_start": _hhmm(visit.window_start),
                "window_end": _hhmm(visit.window_end),
                "duration_minutes": visit.duration_minutes,
                "carers": visit.carers,
            }
            for visit in isa.visits
        ],
        "hours_per_week": isa.hours_per_week,
        "requested_start": isa.requested_start.isoformat(),
        "urgency": isa.urgency.value,
        "required_skills": sorted(isa.required_skills),
        "language": isa.language,
        "carer_gender": isa.carer_gender.value if isa.carer_gender else None,
        "housing_with_care": isa.housing_with_care,
        "lot": isa.lot,
    }


def isa_from(reader: Reader) -> Isa:
    return Isa(
        reference=reader.text("reference"),
        location=point_from(reader.obj("location")),
        postcode_district=reader.text("postcode_district"),
        area_code=reader.text("area_code"),
        area_name=reader.text("area_name"),
        visits=tuple(
            Visit(
                weekday=visit.choice("weekday", Weekday),
                window_start=visit.clock("window_start"),
                window_end=visit.clock("window_end"),
                duration_minutes=visit.integer("duration_minutes"),
                carers=visit.integer("carers"),
            )
            for visit in reader.objects("visits")
        ),
        hours_per_week=reader.number("hours_per_week"),
        requested_start=reader.day("requested_start"),
        urgency=reader.choice("urgency", Urgency),
        required_skills=frozenset(reader.texts("required_skills")),
        language=reader.opt_text("language"),
        carer_gender=reader.opt_choice("carer_gender", CarerGender),
        housing_with_care=reader.boolean("housing_with_care"),
        lot=reader.text("lot"),
    )


def candidate_to_dict(candidate: ProviderCandidate) -> JsonObject:
    document: JsonObject = {
        "provider_id": candidate.provider_id,
        "name": candidate.name,
        "dps_active": candidate.dps_active,
        "lot_role": candidate.lot_role.value,
        "cqc_eligible": candidate.cqc_eligible,
        "cqc_reason": candidate.cqc_reason,
        "quality": quality_to_dict(candidate.quality),
        "areas": [{"area_code": a.area_code, "hours_available": a.hours_available} for a in candidate.areas],
        "coverage": [
            {"weekday": c.weekday.value, "earliest": _hhmm(c.earliest), "latest": _hhmm(c.latest)}
            for c in candidate.coverage
        ],
        "lead_time_days": candidate.lead_time_days,
        "locations": [point_to_dict(location) for location in candidate.locations],
        "double_handed": candidate.double_handed,
        "skills": sorted(candidate.skills),
        "languages": sorted(candidate.languages),
        "carer_genders": sorted(gender.value for gender in candidate.carer_genders),
        "recent_awards": candidate.recent_awards,
        "declined": candidate.declined,
    }
    # Only written when set (rota fit), so documents stored before the option existed are unchanged.
    if candidate.locality_miles is not None:
        document["locality_miles"] = candidate.locality_miles
    return document


def candidate_from(reader: Reader) -> ProviderCandidate:
    return ProviderCandidate(
        provider_id=reader.integer("provider_id"),
        name=reader.text("name"),
        dps_active=reader.boolean("dps_active"),
        lot_role=reader.choice("lot_role", LotRole),
        cqc_eligible=reader.boolean("cqc_eligible"),
        cqc_reason=reader.text("cqc_reason"),
        quality=quality_from(reader.obj("quality")),
        areas=tuple(
            AreaCapacity(area_code=area.text("area_code"), hours_available=area.number("hours_available"))
            for area in reader.objects("areas")
        ),
        coverage=tuple(
            DayCoverage(weekday=c.choice("weekday", Weekday), earliest=c.clock("earliest"), latest=c.clock("latest"))
            for c in reader.objects("coverage")
        ),
        lead_time_days=reader.integer("lead_time_days"),
        locations=tuple(point_from(location) for location in reader.objects("locations")),
        double_handed=reader.boolean("double_handed"),
        skills=frozenset(reader.texts("skills")),
        languages=frozenset(reader.texts("languages")),
        carer_genders=frozenset(reader.choices("carer_genders", CarerGender)),
        recent_awards=reader.integer("recent_awards"),
        declined=reader.boolean("declined"),
        locality_miles=reader.number("locality_miles") if reader.has("locality_miles") else None,
    )
