"""Provider candidates as columns, prepared once so ranking an ISA is a handful of array operations.

`CandidatePool(candidates)` reads every candidate once. Plain figures (quality points, lead time, flags,
recent awards) become numpy arrays; locations become flat latitude and longitude arrays; the parts that are
shared by many providers (working hours, skills, languages, carer genders, quality scores) are interned, so a
condition on them is checked once per distinct value with the same code `conditions.py` uses for one
candidate, and spread to every provider holding that value. The same columns, as plain lists, are the
compact stored form of a run's inputs (`to_columns` / `from_columns`): each shared value is stored once.
Rota fit's optional `locality_miles` is kept rounded (`locality_rounded`, NaN where unset) and stored as a
[rows, miles] column only when some candidate has one.
"""

from __future__ import annotations

import base64
import math
from collections.abc import Iterable, Sequence
from typing import Any, Generic, TypeVar

import numpy as np
import numpy.typing as npt

from brokerage.allocation.inputs import (
    AllocationInputError,
    AreaCapacity,
    CarerGender,
    DayCoverage,
    GeoPoint,
    LotRole,
    ProviderCandidate,
    QualityScore,
)

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]
BoolArray = npt.NDArray[np.bool_]

Coverage = tuple[DayCoverage, ...]
_T = TypeVar("_T")


class _Interned(Generic[_T]):
    """Distinct values in first-seen order, and each row's index into them."""

    def __init__(self) -> None:
        self.values: list[_T] = []
        self._index: dict[_T, int] = {}
        self.rows: list[int] = []

    def add(self, value: _T) -> None:
        index = self._index.get(value)
        if index is None:
            index = self._index[value] = len(self.values)
            self.values.append(value)
        self.rows.append(index)


def _duplicate(ids: Sequence[int]) -> AllocationInputError:
    seen: set[int] = set()
    for provider_id in ids:
        if provider_id in seen:
            return AllocationInputError(f"provider {provider_id} is a candidate twice")
        seen.add(provider_id)
    raise AssertionError("no duplicate provider id")  # pragma: no cover - callers check first


class CandidatePool:
    """The candidates for one or many rankings, column by column; row ``i`` is the ``i``-th candidate given."""

    def __init__(self, candidates: Iterable[ProviderCandidate]) -> None:
        pool = tuple(candidates)
        ids = [candidate.provider_id for candidate in pool]
        if len(set(ids)) != len(ids):
            raise _duplicate(ids)
        quality: _Interned[QualityScore] = _Interned()
        coverage: _Interned[Coverage] = _Interned()
        skills: _Interned[frozenset[str]] = _Interned()
        languages: _Interned[frozenset[str]] = _Interned()
        genders: _Interned[frozenset[CarerGender]] = _Interned()
        area_rows: dict[str, tuple[list[int], list[float]]] = {}
        latitudes: list[float] = []
        longitudes: list[float] = []
        location_counts: list[int] = []
        roles: _Interned[LotRole] = _Interned()
        reasons: _Interned[str] = _Interned()
        for row, candidate in enumerate(pool):
            roles.add(candidate.lot_role)
            reasons.add(candidate.cqc_reason)
            quality.add(candidate.quality)
            coverage.add(candidate.coverage)
            skills.add(candidate.skills)
            languages.add(candidate.languages)
            genders.add(candidate.carer_genders)
            for area in candidate.areas:
                rows, hours = area_rows.setdefault(area.area_code, ([], []))
                rows.append(row)
                hours.append(area.hours_available)
            location_counts.append(len(candidate.locations))
            for location in candidate.locations:
                latitudes.append(location.latitude)
                longitudes.append(location.longitude)
        self._candidates: list[ProviderCandidate | None] = list(pool)
        self._columns: dict[str, Any] | None = None
        self._role_rows, self._reason_rows = roles, reasons
        self._setup(
            ids=ids,
            names=[candidate.name for candidate in pool],
            lot_roles=[candidate.lot_role for candidate in pool],
            points=[q.points for q in quality.values],
            qualities=quality.values,
            quality_rows=quality.rows,
            coverages=coverage.values,
            coverage_rows=coverage.rows,
            skill_sets=skills.values,
            skill_rows=skills.rows,
            language_sets=languages.values,
            language_rows=languages.rows,
            gender_sets=genders.values,
            gender_rows=genders.rows,
            area_rows=area_rows,
            latitudes=latitudes,
            longitudes=longitudes,
            location_counts=location_counts,
            flags={
                "dps_active": [candidate.dps_active for candidate in pool],
                "cqc_eligible": [candidate.cqc_eligible for candidate in pool],
                "double_handed": [candidate.double_handed for candidate in pool],
                "declined": [candidate.declined for candidate in pool],
            },
            cqc_reasons=[candidate.cqc_reason for candidate in pool],
            lead_time_days=[candidate.lead_time_days for candidate in pool],
            recent_awards=[candidate.recent_awards for candidate in pool],
            locality_miles=[candidate.locality_miles for candidate in pool],
        )

    def _setup(
        self,
        *,
        ids: list[int],
        names: list[str],
        lot_roles: list[LotRole],
        points: list[int],
        qualities: list[QualityScore],
        quality_rows: list[int],
        coverages: list[Coverage],
        coverage_rows: list[int],
        skill_sets: list[frozenset[str]],
        skill_rows: list[int],
        language_sets: list[frozenset[str]],
        language_rows: list[int],
        gender_sets: list[frozenset[CarerGender]],
        gender_rows: list[int],
        area_rows: dict[str, tuple[list[int], list[float]]],
        latitudes: list[float],
        longitudes: list[float],
        location_counts: list[int],
        flags: dict[str, list[bool]],
        cqc_reasons: list[str],
        lead_time_days: list[int],
        recent_awards: list[int],
        locality_miles: list[float | None],
    ) -> None:
        self.size = len(ids)
        self.ids = ids
        self.provider_id: IntArray = np.array(ids, dtype=np.int64)
        self.row_of: dict[int, int] = dict(zip(ids, range(self.size), strict=True))
        self.names = names
        self.lot_roles = lot_roles
        self.qualities = qualities
        self.quality_row: IntArray = np.array(quality_rows, dtype=np.int64)
        self.points: IntArray = np.array(points, dtype=np.int64)[self.quality_row] if points else _ints(0)
        self.coverages = coverages
        self.coverage_row: IntArray = np.array(coverage_rows, dtype=np.int64)
        self.skill_sets = skill_sets
        self.skill_row: IntArray = np.array(skill_rows, dtype=np.int64)
        self.language_sets = language_sets
        self.language_row: IntArray = np.array(language_rows, dtype=np.int64)
        self.gender_sets = gender_sets
        self.gender_row: IntArray = np.array(gender_rows, dtype=np.int64)
        self.area_rows = area_rows
        self._area_arrays = {
            code: (np.array(rows, dtype=np.int64), np.array(hours, dtype=np.float64))
            for code, (rows, hours) in area_rows.items()
        }
        self._area_hours: dict[str, FloatArray] = {}
        self.latitudes = latitudes
        self.longitudes = longitudes
        self.location_counts = location_counts
        self.latitude_degrees: FloatArray = np.array(latitudes, dtype=np.float64)
        self.longitude_degrees: FloatArray = np.array(longitudes, dtype=np.float64)
        self.latitude: FloatArray = np.radians(self.latitude_degrees)
        self.longitude: FloatArray = np.radians(self.longitude_degrees)
        counts = self.location_count = np.array(location_counts, dtype=np.int64)
        # Where each candidate's locations start in the flat arrays (every candidate has at least one).
        self.location_start: IntArray = np.concatenate(([0], np.cumsum(counts)[:-1])) if self.size else _ints(0)
        self.flags = flags
        self.dps_active: BoolArray = np.array(flags["dps_active"], dtype=bool)
        self.cqc_eligible: BoolArray = np.array(flags["cqc_eligible"], dtype=bool)
        self.double_handed: BoolArray = np.array(flags["double_handed"], dtype=bool)
        self.declined: BoolArray = np.array(flags["declined"], dtype=bool)
        self.cqc_reasons = cqc_reasons
        self.lead_time_days_list = lead_time_days
        self.lead_time_days: IntArray = np.array(lead_time_days, dtype=np.int64)
        self.recent_awards_list = recent_awards
        self.recent_awards: IntArray = np.array(recent_awards, dtype=np.int64)
        # Rota fit: a candidate's own locality figure replaces its office distance. Rounded here, once, with
        # Python's `round` (what the candidate-by-candidate definition uses); NaN where it has none.
        self.locality_miles = locality_miles
        self.has_locality_miles = any(miles is not None for miles in locality_miles)
        self.locality_rounded: FloatArray = np.array(
            [math.nan if miles is None else round(miles, 1) for miles in locality_miles], dtype=np.float64
        )

    def __len__(self) -> int:
        return self.size

    def hours_in(self, area_code: str) -> FloatArray:
        """Each candidate's spare hours in the area; NaN where it does not serve it."""
        hours = self._area_hours.get(area_code)
        if hours is None:
            hours = np.full(self.size, np.nan)
            if area_code in self._area_arrays:
                rows, available = self._area_arrays[area_code]
                hours[rows] = available
            self._area_hours[area_code] = hours
        return hours

    def candidate(self, row: int) -> ProviderCandidate:
        """The candidate at ``row`` as the engine's input type (rebuilt from the columns when decoded)."""
        found = self._candidates[row]
        if found is None:
            found = self._candidates[row] = self._rebuild(row)
        return found

    def candidates(self) -> tuple[ProviderCandidate, ...]:
        return tuple(self.candidate(row) for row in range(self.size))

    def _rebuild(self, row: int) -> ProviderCandidate:
        start = int(self.location_start[row])
        end = start + self.location_counts[row]
        return ProviderCandidate(
            provider_id=self.ids[row],
            name=self.names[row],
            dps_active=self.flags["dps_active"][row],
            lot_role=self.lot_roles[row],
            cqc_eligible=self.flags["cqc_eligible"][row],
            cqc_reason=self.cqc_reasons[row],
            quality=self.qualities[int(self.quality_row[row])],
            areas=self._areas_of(row),
            coverage=self.coverages[int(self.coverage_row[row])],
            lead_time_days=self.lead_time_days_list[row],
            locations=tuple(
                GeoPoint(latitude=lat, longitude=lon)
                for lat, lon in zip(self.latitudes[start:end], self.longitudes[start:end], strict=True)
            ),
            double_handed=self.flags["double_handed"][row],
            skills=self.skill_sets[int(self.skill_row[row])],
            languages=self.language_sets[int(self.language_row[row])],
            carer_genders=self.gender_sets[int(self.gender_row[row])],
            recent_awards=self.recent_awards_list[row],
            declined=self.flags["declined"][row],
            locality_miles=self.locality_miles[row],
        )

    def _areas_of(self, row: int) -> tuple[AreaCapacity, ...]:
        if not hasattr(self, "_areas_by_row"):
            by_row: dict[int, list[AreaCapacity]] = {}
            for code, (rows, hours) in self.area_rows.items():
                for area_row, available in zip(rows, hours, strict=True):
                    by_row.setdefault(area_row, []).append(AreaCapacity(area_code=code, hours_available=available))
            self._areas_by_row = by_row
        return tuple(self._areas_by_row.get(row, ()))

    # Stored form ------------------------------------------------------------------------------------------

    def to_columns(self) -> dict[str, Any]:
        """The candidates as JSON-ready columns: every shared value (quality, hours, sets, roles, reasons)
        stored once, and numbers and flags packed (``pack_ints``, ``pack_bools``, ``pack_floats``). Kept
        once made: a pool is never changed."""
        if self._columns is None:
            roles, reasons = self._role_rows, self._reason_rows
            self._columns = {
                "provider_id": pack_ints(self.provider_id),
                "name": self.names,
                "lot_roles": [role.value for role in roles.values],
                "lot_role": pack_ints(roles.rows),
                "dps_active": pack_bools(self.dps_active),
                "cqc_eligible": pack_bools(self.cqc_eligible),
                "double_handed": pack_bools(self.double_handed),
                "declined": pack_bools(self.declined),
                "cqc_reasons": reasons.values,
                "cqc_reason": pack_ints(reasons.rows),
                "lead_time_days": pack_ints(self.lead_time_days),
                "recent_awards": pack_ints(self.recent_awards),
                "qualities": [[q.points, q.label, q.explanation] for q in self.qualities],
                "quality": pack_ints(self.quality_row),
                "coverages": [
                    [[day.weekday.value, _hhmm(day.earliest), _hhmm(day.latest)] for day in days]
                    for days in self.coverages
                ],
                "coverage": pack_ints(self.coverage_row),
                "skill_sets": [sorted(values) for values in self.skill_sets],
                "skills": pack_ints(self.skill_row),
                "language_sets": [sorted(values) for values in self.language_sets],
                "languages": pack_ints(self.language_row),
                "gender_sets": [sorted(g.value for g in values) for values in self.gender_sets],
                "carer_genders": pack_ints(self.gender_row),
                "areas": {code: _packed_area(rows, hours) for code, (rows, hours) in self._area_arrays.items()},
                "location_count": pack_ints(self.location_count),
                "latitude": pack_floats(self.latitude_degrees),
                "longitude": pack_floats(self.longitude_degrees),
            }
            if self.has_locality_miles:
                # Only the rows that have one (rota fit), and only when any does: runs without rota fit
                # store exactly what they stored before the field existed.
                rows = [row for row, miles in enumerate(self.locality_miles) if miles is not None]
                self._columns["locality_miles"] = [
                    pack_ints(rows),
                    pack_floats([miles for miles in self.locality_miles if miles is not None]),
                ]
        return self._columns

    @classmethod
    def from_columns(cls, columns: object) -> CandidatePool:
        """Read ``to_columns`` back, checking shapes and types; raises `AllocationInputError` naming the column."""
        from brokerage.allocation.codec import columns_reader

        return columns_reader(columns, cls)

    @classmethod
    def from_parts(cls, **parts: Any) -> CandidatePool:
        pool = cls.__new__(cls)
        pool._candidates = [None] * len(parts["ids"])
        pool._columns = None
        pool._role_rows, pool._reason_rows = _Interned(), _Interned()
        for role, reason in zip(parts["lot_roles"], parts["cqc_reasons"], strict=True):
            pool._role_rows.add(role)
            pool._reason_rows.add(reason)
        pool._setup(**parts)
        return pool


_WIDTHS = ("i1", "i2", "i4", "i8")


def pack_ints(values: Sequence[int] | IntArray) -> str:
    """Whole numbers stored compactly: little-endian integers of the narrowest width that holds them all,
    base64, marked with the width (``i1:`` to ``i8:``)."""
    array = np.asarray(values, dtype=np.int64)
    width = "i8"
    if len(array):
        low, high = int(array.min()), int(array.max())
        width = next(w for w in _WIDTHS if np.iinfo(w).min <= low and high <= np.iinfo(w).max)
    return f"{width}:" + base64.b64encode(array.astype(f"<{width}").tobytes()).decode("ascii")


def unpack_ints(text: str) -> list[int]:
    width, _, data = text.partition(":")
    if width not in _WIDTHS:
        raise ValueError("not packed integers")
    ints: list[int] = np.frombuffer(base64.b64decode(data, validate=True), dtype=f"<{width}").tolist()
    return ints


def pack_bools(values: Sequence[bool] | BoolArray) -> str:
    """Flags stored as bits, base64, marked ``?:`` (the column's length says how many bits are used)."""
    return "?:" + base64.b64encode(np.packbits(np.asarray(values, dtype=bool)).tobytes()).decode("ascii")


def unpack_bools(text: str, size: int) -> list[bool]:
    if not text.startswith("?:"):
        raise ValueError("not packed flags")
    bits = np.frombuffer(base64.b64decode(text[2:], validate=True), dtype=np.uint8)
    if len(bits) != (size + 7) // 8:
        raise ValueError("wrong number of flags")
    flags: list[bool] = np.unpackbits(bits, count=size).astype(bool).tolist()
    return flags


def _packed_area(rows: IntArray, hours: FloatArray) -> list[str]:
    # Spare hours take few distinct values: store each once and a small index per row.
    distinct, index = np.unique(hours, return_inverse=True)
    return [pack_ints(rows), pack_floats(distinct.tolist()), pack_ints(index)]


def pack_floats(values: list[float] | FloatArray) -> str:
    """Floats stored exactly and compactly: little-endian IEEE 754 doubles, base64. Writing tens of
    thousands of coordinates as decimal text took longer than ranking them."""
    return base64.b64encode(np.array(values, dtype="<f8").tobytes()).decode("ascii")


def unpack_floats(text: str) -> list[float]:
    floats: list[float] = np.frombuffer(base64.b64decode(text, validate=True), dtype="<f8").tolist()
    return floats


def _ints(size: int) -> IntArray:
    return np.zeros(size, dtype=np.int64)


def _hhmm(moment: Any) -> str:
    return str(moment.isoformat(timespec="minutes"))
