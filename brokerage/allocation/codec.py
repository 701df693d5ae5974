"""Plain JSON forms of the engine's inputs, so a ranking can be stored with exactly what produced it.

Encoding is explicit per type (no reflection) and decoding checks every field's type, raising
`AllocationInputError` with the field's path: stored JSON is a boundary like any other.
"""

from __future__ import annotations

import json
import math
from datetime import date, time
from enum import StrEnum
from typing import Any, TypeVar, cast

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
_P = TypeVar("_P")


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

    def raw(self, key: str) -> object:
        return self._get(key)

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


_KINDS: dict[object, str] = {int: "an integer", str: "a string", bool: "true or false", list: "a list"}


def _column(data: dict[object, object], key: str, kind: type | tuple[type, ...], size: int | None) -> list[Any]:
    """A stored column: a JSON list, or for whole numbers and flags their packed text (``pool.pack_ints``,
    ``pool.pack_bools``)."""
    from brokerage.allocation.pool import unpack_bools, unpack_ints

    value = data.get(key)
    if isinstance(value, str) and kind in (int, bool):
        try:
            if kind is int:
                value = unpack_ints(value)
            elif size is not None:
                value = unpack_bools(value, size)
        except ValueError:
            raise AllocationInputError(f"candidates.{key} is not a packed column of the right length") from None
    if not isinstance(value, list):
        raise AllocationInputError(f"candidates.{key} must be a list")
    if size is not None and len(value) != size:
        raise AllocationInputError(f"candidates.{key} must have one value per candidate")
    strict_int = kind is int or kind == (int, float)
    for index, item in enumerate(value):
        if not isinstance(item, kind) or (strict_int and isinstance(item, bool)):
            raise AllocationInputError(f"candidates.{key}[{index}] must be {_KINDS.get(kind, 'a number')}")
    return value


def _floats(data: dict[object, object], key: str, size: int | None, path: str) -> list[float]:
    """A packed float column (``pool.pack_floats``)."""
    from brokerage.allocation.pool import unpack_floats

    text = data.get(key)
    if not isinstance(text, str):
        raise AllocationInputError(f"candidates.{path} must be packed numbers (base64 text)")
    try:
        values = unpack_floats(text)
    except ValueError:
        raise AllocationInputError(f"candidates.{path} must be packed numbers (base64 text)") from None
    if (size is not None and len(values) != size) or not all(math.isfinite(value) for value in values):
        raise AllocationInputError(f"candidates.{path} must hold {size or 'only'} finite numbers")
    return values


def _rows(data: dict[object, object], key: str, size: int | None, table: int) -> list[int]:
    rows = _column(data, key, int, size)
    if rows and (min(rows) < 0 or max(rows) >= table):
        raise AllocationInputError(f"candidates.{key} refers to a missing value")
    return rows


def columns_reader(columns: object, pool_type: type[_P]) -> _P:
    """Decode a candidate pool's stored columns (``CandidatePool.to_columns``), checking every column."""
    if not isinstance(columns, dict):
        raise AllocationInputError("candidates must be a JSON object of columns")
    ids = _column(columns, "provider_id", int, None)
    size = len(ids)
    lot_roles = _members(LotRole)
    role_table = _column(columns, "lot_roles", str, None)
    if not set(role_table) <= lot_roles.keys():
        raise AllocationInputError(f"candidates.lot_roles must be drawn from {', '.join(lot_roles)}")
    roles = [role_table[row] for row in _rows(columns, "lot_role", size, len(role_table))]
    reason_table = _column(columns, "cqc_reasons", str, None)
    qualities = [
        QualityScore(points=reader.integer("0"), label=reader.text("1"), explanation=reader.text("2"))
        for reader in (
            _Triple(item, f"candidates.qualities[{n}]")
            for n, item in enumerate(_column(columns, "qualities", list, None))
        )
    ]
    weekdays = _members(Weekday)
    coverages = []
    for n, days in enumerate(_column(columns, "coverages", list, None)):
        coverage = []
        for day in days:
            if not (isinstance(day, list) and len(day) == 3 and all(isinstance(part, str) for part in day)):
                raise AllocationInputError(f"candidates.coverages[{n}] must list [weekday, earliest, latest]")
            weekday = weekdays.get(day[0])
            if weekday is None:
                raise AllocationInputError(f"candidates.coverages[{n}] has an unknown weekday")
            try:
                earliest, latest = time.fromisoformat(day[1]), time.fromisoformat(day[2])
            except ValueError:
                raise AllocationInputError(f"candidates.coverages[{n}] has a time that is not HH:MM") from None
            coverage.append(DayCoverage(weekday=weekday, earliest=earliest, latest=latest))
        coverages.append(tuple(coverage))
    sets = {}
    for key in ("skill_sets", "language_sets", "gender_sets"):
        values = _column(columns, key, list, None)
        if not all(isinstance(item, str) for group in values for item in group):
            raise AllocationInputError(f"candidates.{key} must be lists of strings")
        sets[key] = values
    genders = _members(CarerGender)
    if not all(item in genders for group in sets["gender_sets"] for item in group):
        raise AllocationInputError(f"candidates.gender_sets must be drawn from {', '.join(genders)}")
    areas = columns.get("areas")
    if not isinstance(areas, dict):
        raise AllocationInputError("candidates.areas must be an object of area code to [rows, hours]")
    area_rows: dict[str, tuple[list[int], list[float]]] = {}
    for code, pair in areas.items():
        if not (isinstance(pair, list) and len(pair) == 3):
            raise AllocationInputError(f"candidates.areas.{code} must be [rows, distinct hours, hours index]")
        rows = _rows({f"areas.{code}": pair[0]}, f"areas.{code}", None, size)
        distinct = _floats({"hours": pair[1]}, "hours", None, f"areas.{code}")
        index = _rows({f"areas.{code}": pair[2]}, f"areas.{code}", len(rows), len(distinct))
        hours = [distinct[row] for row in index]
        area_rows[str(code)] = (rows, hours)
    counts = _column(columns, "location_count", int, size)
    if any(count < 1 for count in counts):
        raise AllocationInputError("candidates.location_count must be at least 1 for every candidate")
    located = sum(counts)
    latitudes = _floats(columns, "latitude", located, "latitude")
    longitudes = _floats(columns, "longitude", located, "longitude")
    locality_miles = _locality_miles(columns, size)
    return pool_type.from_parts(  # type: ignore[attr-defined, no-any-return]
        ids=ids,
        names=_column(columns, "name", str, size),
        lot_roles=[lot_roles[role] for role in roles],
        points=[quality.points for quality in qualities],
        qualities=qualities,
        quality_rows=_rows(columns, "quality", size, len(qualities)),
        coverages=coverages,
        coverage_rows=_rows(columns, "coverage", size, len(coverages)),
        skill_sets=[frozenset(group) for group in sets["skill_sets"]],
        skill_rows=_rows(columns, "skills", size, len(sets["skill_sets"])),
        language_sets=[frozenset(group) for group in sets["language_sets"]],
        language_rows=_rows(columns, "languages", size, len(sets["language_sets"])),
        gender_sets=[frozenset(genders[g] for g in group) for group in sets["gender_sets"]],
        gender_rows=_rows(columns, "carer_genders", size, len(sets["gender_sets"])),
        area_rows=area_rows,
        latitudes=latitudes,
        longitudes=longitudes,
        location_counts=counts,
        flags={
            key: _column(columns, key, bool, size)
            for key in ("dps_active", "cqc_eligible", "double_handed", "declined")
        },
        cqc_reasons=[reason_table[row] for row in _rows(columns, "cqc_reason", size, len(reason_table))],
        lead_time_days=_column(columns, "lead_time_days", int, size),
        recent_awards=_column(columns, "recent_awards", int, size),
        locality_miles=locality_miles,
    )


def _locality_miles(columns: dict[object, object], size: int) -> list[float | None]:
    """The optional rota-fit column: [rows, miles] for the candidates that have one; absent (every
    candidate None) in runs stored without rota fit or before the field existed."""
    miles: list[float | None] = [None] * size
    if "locality_miles" not in columns:
        return miles
    pair = columns["locality_miles"]
    if not (isinstance(pair, list) and len(pair) == 2):
        raise AllocationInputError("candidates.locality_miles must be [rows, miles]")
    rows = _rows({"locality_miles": pair[0]}, "locality_miles", None, size)
    values = _floats({"miles": pair[1]}, "miles", len(rows), "locality_miles")
    if len(set(rows)) != len(rows) or any(value < 0 for value in values):
        raise AllocationInputError("candidates.locality_miles must give each row once, with miles >= 0")
    for row, value in zip(rows, values, strict=True):
        miles[row] = value
    return miles


_FLAGS = ("dps_active", "cqc_eligible", "double_handed", "declined")


class _Triple(Reader):
    """A stored [points, label, explanation] list read like an object with keys "0", "1", "2"."""

    def __init__(self, data: object, path: str) -> None:
        if not (isinstance(data, list) and len(data) == 3):
            raise AllocationInputError(f"{path} must be [points, label, explanation]")
        super().__init__({str(n): item for n, item in enumerate(data)}, path)
