"""Provider candidates as columns, prepared once so ranking an ISA is a handful of array operations.

`CandidatePool(candidates)` reads every candidate once. Plain figures (quality points, lead time, flags,
recent awards) become numpy arrays; locations become flat latitude and longitude arrays; the parts that are
shared by many providers (working hours, skills, languages, carer genders, quality scores) are interned, so a
condition on them is checked once per distinct value with the same code `conditions.py` uses for one
candidate, and spread to every provider holding that value. The same columns, as plain lists, are the
compact stored form of a run's inputs (`to_columns` / `from_columns`): each shared value is stored once.
"""

from __future__ import annotations

import base64
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
        for row, candidate in enumerate(pool):
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
        self._area_hours: dict[str, FloatArray] = {}
        self.latitudes = latitudes
        self.longitudes = longitudes
        self.location_counts = location_counts
        self.latitude: FloatArray = np.radians(np.array(latitudes, dtype=np.float64))
        self.longitude: FloatArray = np.radians(np.array(longitudes, dtype=np.float64))
        counts = np.array(location_counts, dtype=np.int64)
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

    def __len__(self) -> int:
        return self.size

    def hours_in(self, area_code: str) -> FloatArray:
        """Each candidate's spare hours in the area; NaN where it does not serve it."""
        hours = self._area_hours.get(area_code)
        if hours is None:
            hours = np.full(self.size, np.nan)
            rows, available = self.area_rows.get(area_code, ([], []))
            hours[np.array(rows, dtype=np.int64)] = available
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
        """The candidates as JSON-ready columns; every shared value (quality, hours, sets) is stored once."""
        return {
            "provider_id": self.ids,
            "name": self.names,
            "lot_role": [role.value for role in self.lot_roles],
            **self.flags,
            "cqc_reason": self.cqc_reasons,
            "lead_time_days": self.lead_time_days_list,
            "recent_awards": self.recent_awards_list,
            "qualities": [[q.points, q.label, q.explanation] for q in self.qualities],
            "quality": self.quality_row.tolist(),
            "coverages": [
                [[day.weekday.value, _hhmm(day.earliest), _hhmm(day.latest)] for day in days] for days in self.coverages
            ],
            "coverage": self.coverage_row.tolist(),
            "skill_sets": [sorted(values) for values in self.skill_sets],
            "skills": self.skill_row.tolist(),
            "language_sets": [sorted(values) for values in self.language_sets],
            "languages": self.language_row.tolist(),
            "gender_sets": [sorted(g.value for g in values) for values in self.gender_sets],
            "carer_genders": self.gender_row.tolist(),
            "areas": {code: [rows, pack_floats(hours)] for code, (rows, hours) in self.area_rows.items()},
            "location_count": self.location_counts,
            "latitude": pack_floats(self.latitudes),
            "longitude": pack_floats(self.longitudes),
        }

    @classmethod
    def from_columns(cls, columns: object) -> CandidatePool:
        """Read ``to_columns`` back, checking shapes and types; raises `AllocationInputError` naming the column."""
        from brokerage.allocation.codec import columns_reader

        return columns_reader(columns, cls)

    @classmethod
    def from_parts(cls, **parts: Any) -> CandidatePool:
        pool = cls.__new__(cls)
        pool._candidates = [None] * len(parts["ids"])
        pool._setup(**parts)
        return pool


def pack_floats(values: list[float]) -> str:
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
