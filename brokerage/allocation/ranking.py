"""Rank the providers that could take an ISA, the way Leeds allocates packages.

1. Exclude every provider that fails a must-meet condition, with every reason it fails
   (`conditions.ConditionCheck`).
2. Order the rest by CQC quality points (higher first), then earliest possible start
   (the later of the requested start and `as_of` plus the provider's lead time), then distance in miles
   from the person to the provider's nearest location (rounded to 0.1 mile; under the agreement's rota-fit
   option, the candidate's `locality_miles` instead), then fewer recent awards,
   then a fair draw: the SHA-256 of the package reference and provider id (lower first).

The order never depends on the order candidates are given in, and the same inputs always give the same
`Ranking`.

How it is computed (the result is exactly the candidate-by-candidate definition above; the property tests
compare it with that definition, kept in tests/): the candidates are columns (`pool.CandidatePool`); each
condition is one array operation, or, for conditions on shared values such as working hours, one check per
distinct value; the first four keys are sorted together (`numpy.lexsort`) and the fair draw's hash is only
computed inside runs of providers whose four keys tie. Entries and their explanations are built when read.
"""

from __future__ import annotations

import hashlib
from collections.abc import Callable, Iterable, Iterator, Sequence
from datetime import date, timedelta
from typing import TypeVar, overload

import numpy as np

from brokerage.allocation.conditions import (
    ConditionCheck,
    ExclusionReason,
    _carer_gender,
    _language,
    _Needs,
    _skills,
    _time_windows,
)
from brokerage.allocation.explanations import officer_explanation
from brokerage.allocation.geography import EARTH_RADIUS_MILES, nearest_miles
from brokerage.allocation.inputs import Isa, ProviderCandidate
from brokerage.allocation.pool import BoolArray, CandidatePool, FloatArray, IntArray
from brokerage.allocation.results import (
    ENGINE_VERSION,
    Criterion,
    ExcludedProvider,
    RankedProvider,
    Ranking,
    TieBreak,
)

# Criteria in the order the rank key applies them: the index of the first differing key element names the
# criterion that separates two neighbours.
_KEY_CRITERIA = (
    Criterion.QUALITY,
    Criterion.EARLIEST_START,
    Criterion.DISTANCE,
    Criterion.RECENT_AWARDS,
    Criterion.FAIR_DRAW,
)
_V = TypeVar("_V")
_FAIR_DRAW = _KEY_CRITERIA.index(Criterion.FAIR_DRAW)
_RECENT_AWARDS = _KEY_CRITERIA.index(Criterion.RECENT_AWARDS)
_TIE_BREAKS = (TieBreak.NONE, TieBreak.RECENT_AWARDS, TieBreak.FAIR_DRAW)


def fair_draw(package_reference: str, provider_id: int) -> str:
    """A tie-break that is fixed for a package and provider, unrelated to names or input order."""
    return hashlib.sha256(f"{package_reference}\x1f{provider_id}".encode()).hexdigest()


def earliest_start(isa: Isa, candidate: ProviderCandidate, *, as_of: date) -> date:
    return max(isa.requested_start, as_of + timedelta(days=candidate.lead_time_days))


def _per_value(rows: IntArray, values: Sequence[_V], fails: Callable[[_V], str | None]) -> BoolArray:
    """Spread a check made once per distinct shared value to every row holding that value."""
    failed: BoolArray = np.array([fails(value) is not None for value in values], dtype=np.bool_)
    return failed[rows] if len(values) else np.zeros(len(rows), dtype=np.bool_)


def _excluded(needs: _Needs, pool: CandidatePool) -> BoolArray:
    """Which candidates fail at least one condition, each condition as in `conditions.py`."""
    isa = needs.isa
    hours = pool.hours_in(isa.area_code)
    failed = ~pool.dps_active | ~pool.cqc_eligible | np.isnan(hours) | (hours < isa.hours_per_week)
    failed |= pool.declined
    if needs.double_handed_visits:
        failed |= ~pool.double_handed
    # The shared-value conditions run the one-candidate checks once per distinct value.
    failed |= _per_value(pool.coverage_row, pool.coverages, lambda days: _time_windows(needs, _Stand(coverage=days)))
    if needs.skills:
        failed |= _per_value(pool.skill_row, pool.skill_sets, lambda s: _skills(needs, _Stand(skills=s)))
    if needs.language is not None:
        failed |= _per_value(pool.language_row, pool.language_sets, lambda s: _language(needs, _Stand(languages=s)))
    if isa.carer_gender is not None:
        failed |= _per_value(pool.gender_row, pool.gender_sets, lambda s: _carer_gender(needs, _Stand(carer_genders=s)))
    return failed


class _Stand(ProviderCandidate):
    """Only the attributes a shared-value check reads, without building (and validating) a whole candidate."""

    __slots__ = ()

    def __init__(self, **value: object) -> None:
        for name, item in value.items():
            object.__setattr__(self, name, item)


def _nearest_miles(isa: Isa, pool: CandidatePool, rows: IntArray) -> FloatArray:
    """`geography.nearest_miles` for each row: haversine on arrays, then Python's exact rounding wherever the
    array arithmetic could land on the other side of a 0.05-mile boundary."""
    if not len(rows):
        return np.zeros(0)
    lat1, lon1 = np.radians(isa.location.latitude), np.radians(isa.location.longitude)
    lat2, lon2 = pool.latitude, pool.longitude
    h = np.sin((lat2 - lat1) / 2) ** 2 + np.cos(lat1) * np.cos(lat2) * np.sin((lon2 - lon1) / 2) ** 2
    miles = 2 * EARTH_RADIUS_MILES * np.arcsin(np.minimum(1.0, np.sqrt(h)))
    nearest = np.minimum.reduceat(miles, pool.location_start)[rows]
    tenths = nearest * 10
    rounded: FloatArray = np.rint(tenths) / 10
    close = np.abs(tenths - np.floor(tenths) - 0.5) < 1e-6
    for index in np.flatnonzero(close):
        rounded[index] = nearest_miles(isa.location, pool.candidate(int(rows[index])).locations)
    return rounded


def _locality_miles(isa: Isa, pool: CandidatePool, rows: IntArray) -> FloatArray:
    """The locality key for each row: the candidate's own `locality_miles` (rota fit) where it has one,
    already rounded to 0.1 mile by the pool, otherwise the office distance (`_nearest_miles`)."""
    distance = _nearest_miles(isa, pool, rows)
    if pool.has_locality_miles and len(rows):
        own = pool.locality_rounded[rows]
        distance = np.where(np.isnan(own), distance, own)
    return distance


def rank_providers(isa: Isa, candidates: Iterable[ProviderCandidate] | CandidatePool, *, as_of: date) -> Ranking:
    """Rank `candidates` for `isa` as of the day the package goes to market.

    Every candidate appears exactly once: in `ranked` (in order) or in `excluded` (by provider id, with
    every condition it fails). Raises `AllocationInputError` if two candidates share a provider id.
    `candidates` may be a prepared `CandidatePool`, to rank many ISAs against the same providers.
    """
    pool = candidates if isinstance(candidates, CandidatePool) else CandidatePool(candidates)
    needs = _Needs(isa)
    failed = _excluded(needs, pool)
    eligible = np.flatnonzero(~failed)
    quality = -pool.points[eligible]
    start = np.maximum(isa.requested_start.toordinal(), as_of.toordinal() + pool.lead_time_days[eligible])
    distance = _locality_miles(isa, pool, eligible)
    awards = pool.recent_awards[eligible]
    ids = pool.provider_id[eligible]
    order = np.lexsort((ids, awards, distance, start, quality))
    keys = (quality[order], start[order], distance[order], awards[order])
    # separates[i]: the first key criterion that differs between entries i and i+1 (fair draw if none does).
    separates = np.full(max(len(order) - 1, 0), _FAIR_DRAW, dtype=np.int64)
    for criterion in reversed(range(len(keys))):
        differs = keys[criterion][1:] != keys[criterion][:-1]
        separates[differs] = criterion
    order = _draw_ties(isa.reference, ids, order, separates)
    excluded = np.flatnonzero(failed)
    excluded = excluded[np.argsort(pool.provider_id[excluded], kind="stable")]
    ranked = _RankedEntries(
        isa=isa,
        pool=pool,
        rows=eligible[order],
        start=start[order],
        distance=distance[order],
        separates=separates,
    )
    return Ranking(
        engine_version=ENGINE_VERSION,
        package_reference=isa.reference,
        as_of=as_of,
        requested_start=isa.requested_start,
        housing_with_care=isa.housing_with_care,
        ranked=ranked,
        excluded=_ExcludedEntries(isa=isa, pool=pool, rows=excluded),
    )


def _draw_ties(reference: str, ids: IntArray, order: IntArray, separates: IntArray) -> IntArray:
    """Reorder each run of equal four-part keys by the fair draw (then provider id), hashing only those."""
    tied = np.flatnonzero(separates == _FAIR_DRAW)
    if not len(tied):
        return order
    order = order.copy()
    # Runs of consecutive tied pairs: [first, last] entry indexes.
    breaks = np.flatnonzero(np.diff(tied) != 1)
    firsts = np.concatenate(([tied[0]], tied[breaks + 1]))
    lasts = np.concatenate((tied[breaks], [tied[-1]])) + 1
    for first, last in zip(firsts.tolist(), lasts.tolist(), strict=True):
        run = order[first : last + 1]
        order[first : last + 1] = sorted(
            run.tolist(), key=lambda index: (fair_draw(reference, int(ids[index])), int(ids[index]))
        )
    return order


class _RankedEntries(Sequence[RankedProvider]):
    """The ranked providers in order, each `RankedProvider` (with its explanation) built when first read."""

    def __init__(
        self,
        *,
        isa: Isa,
        pool: CandidatePool,
        rows: IntArray,
        start: IntArray,
        distance: FloatArray,
        separates: IntArray,
    ) -> None:
        self._reference = isa.reference
        self._pool = pool
        self._rows = rows
        self._start = start.tolist()
        self._distance = distance.tolist()
        self._separates = separates.tolist()
        self._bare: dict[int, RankedProvider] = {}
        self._built: dict[int, RankedProvider] = {}
        self._position_of: dict[int, int] | None = None

    def __eq__(self, other: object) -> bool:
        # Compares like the tuple it stands for, so `ranking.excluded == ()` reads as it always has.
        if not isinstance(other, Sequence) or isinstance(other, str):
            return NotImplemented
        return len(self) == len(other) and tuple(self) == tuple(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(tuple(self))

    def __len__(self) -> int:
        return len(self._rows)

    @overload
    def __getitem__(self, index: int) -> RankedProvider: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[RankedProvider]: ...
    def __getitem__(self, index: int | slice) -> RankedProvider | Sequence[RankedProvider]:
        if isinstance(index, slice):
            return tuple(self._entry(i) for i in range(*index.indices(len(self))))
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError("ranking index out of range")
        return self._entry(index)

    def __iter__(self) -> Iterator[RankedProvider]:
        return (self._entry(index) for index in range(len(self)))

    def provider_rows(self) -> IntArray:
        """The pool rows in ranked order."""
        return self._rows

    def provider_ids(self) -> list[int]:
        """The provider ids in ranked order (what a stored run keeps instead of the entries)."""
        ids: list[int] = self._pool.provider_id[self._rows].tolist()
        return ids

    def for_provider(self, provider_id: int) -> RankedProvider | None:
        if self._position_of is None:
            ids = self._pool.provider_id[self._rows].tolist()
            self._position_of = dict(zip(ids, range(len(ids)), strict=True))
        index = self._position_of.get(provider_id)
        return None if index is None else self._entry(index)

    def _criterion(self, index: int) -> Criterion | None:
        """What separates entry ``index`` from the next (None past the end)."""
        if 0 <= index < len(self._separates):
            return _KEY_CRITERIA[self._separates[index]]
        return None

    def _bare_entry(self, index: int) -> RankedProvider:
        entry = self._bare.get(index)
        if entry is None:
            pool, row = self._pool, int(self._rows[index])
            provider_id = pool.ids[row]
            behind = self._criterion(index - 1)
            ahead = self._criterion(index)
            worst = max((_KEY_CRITERIA.index(c) for c in (behind, ahead) if c is not None and c in _DEEP), default=None)
            entry = self._bare[index] = RankedProvider(
                position=index + 1,
                provider_id=provider_id,
                provider_name=pool.names[row],
                lot_role=pool.lot_roles[row],
                quality=pool.qualities[int(pool.quality_row[row])],
                earliest_start=date.fromordinal(self._start[index]),
                distance_miles=self._distance[index],
                recent_awards=pool.recent_awards_list[row],
                fair_draw=fair_draw(self._reference, provider_id),
                behind_previous_by=behind,
                ahead_of_next_by=ahead,
                tie_break=_TIE_BREAKS[0 if worst is None else worst - _RECENT_AWARDS + 1],
                explanation="",
            )
        return entry

    def _entry(self, index: int) -> RankedProvider:
        entry = self._built.get(index)
        if entry is None:
            bare = self._bare_entry(index)
            above = self._bare_entry(index - 1) if index > 0 else None
            below = self._bare_entry(index + 1) if index + 1 < len(self) else None
            entry = self._built[index] = RankedProvider(
                position=bare.position,
                provider_id=bare.provider_id,
                provider_name=bare.provider_name,
                lot_role=bare.lot_role,
                quality=bare.quality,
                earliest_start=bare.earliest_start,
                distance_miles=bare.distance_miles,
                recent_awards=bare.recent_awards,
                fair_draw=bare.fair_draw,
                behind_previous_by=bare.behind_previous_by,
                ahead_of_next_by=bare.ahead_of_next_by,
                tie_break=bare.tie_break,
                explanation=officer_explanation(bare, above, below, total=len(self)),
            )
        return entry


# Separators that make a tie-break: the deeper of the two neighbours' wins.
_DEEP = (Criterion.RECENT_AWARDS, Criterion.FAIR_DRAW)


class _ExcludedEntries(Sequence[ExcludedProvider]):
    """The excluded providers by provider id, each with every reason it fails, worked out when first read."""

    def __init__(self, *, isa: Isa, pool: CandidatePool, rows: IntArray) -> None:
        self._check = ConditionCheck(isa)
        self._pool = pool
        self._rows = rows
        self._built: dict[int, ExcludedProvider] = {}
        self._index_of: dict[int, int] | None = None

    def __eq__(self, other: object) -> bool:
        # Compares like the tuple it stands for, so `ranking.excluded == ()` reads as it always has.
        if not isinstance(other, Sequence) or isinstance(other, str):
            return NotImplemented
        return len(self) == len(other) and tuple(self) == tuple(other)

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return repr(tuple(self))

    def __len__(self) -> int:
        return len(self._rows)

    @overload
    def __getitem__(self, index: int) -> ExcludedProvider: ...
    @overload
    def __getitem__(self, index: slice) -> Sequence[ExcludedProvider]: ...
    def __getitem__(self, index: int | slice) -> ExcludedProvider | Sequence[ExcludedProvider]:
        if isinstance(index, slice):
            return tuple(self._entry(i) for i in range(*index.indices(len(self))))
        if index < 0:
            index += len(self)
        if not 0 <= index < len(self):
            raise IndexError("exclusion index out of range")
        return self._entry(index)

    def __iter__(self) -> Iterator[ExcludedProvider]:
        return (self._entry(index) for index in range(len(self)))

    def provider_rows(self) -> IntArray:
        return self._rows

    def provider_ids(self) -> list[int]:
        ids: list[int] = self._pool.provider_id[self._rows].tolist()
        return ids

    def for_provider(self, provider_id: int) -> ExcludedProvider | None:
        if self._index_of is None:
            ids = self._pool.provider_id[self._rows].tolist()
            self._index_of = dict(zip(ids, range(len(ids)), strict=True))
        index = self._index_of.get(provider_id)
        return None if index is None else self._entry(index)

    def _entry(self, index: int) -> ExcludedProvider:
        entry = self._built.get(index)
        if entry is None:
            candidate = self._pool.candidate(int(self._rows[index]))
            reasons: tuple[ExclusionReason, ...] = self._check(candidate)
            entry = self._built[index] = ExcludedProvider(
                provider_id=candidate.provider_id,
                provider_name=candidate.name,
                lot_role=candidate.lot_role,
                reasons=reasons,
            )
        return entry
