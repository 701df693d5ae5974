"""A batch of waiting packages as one assignment problem: eligible (package, provider) pairs with rank costs.

Pure Python and numpy over the engine's own inputs (`Isa`, `ProviderCandidate`): no ORM. Eligibility is the
engine's own must-meet check (`brokerage.allocation.conditions.ConditionCheck`), so a batch can never offer a
package to a provider the one-at-a-time ranking would have excluded.

The rank cost of a pair follows the agreement's ranking rules as lexicographic weights, per package:

    cost = QUALITY_WEIGHT * (best quality points in the batch - provider's points)
         + START_WEIGHT * min(days from as_of to the provider's earliest start, 999)
         + LOCALITY_WEIGHT * min(locality in tenths of a mile, 9999)

Because a day of start is worth more than 999.9 miles and a quality point more than 999 days, no package is
ever moved to a lower-quality provider to gain a start day or a mile, exactly as the ranking orders them.
Locality is the office distance the engine uses (`nearest_miles`), or the rota-fit value when the caller
supplies one (`locality_miles`).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

import numpy as np
import numpy.typing as npt

from brokerage.allocation.conditions import ConditionCheck
from brokerage.allocation.geography import nearest_miles
from brokerage.allocation.inputs import Isa, ProviderCandidate
from brokerage.allocation.ranking import earliest_start

QUALITY_WEIGHT = 10_000_000
START_WEIGHT = 10_000
LOCALITY_WEIGHT = 1
MAX_START_DAYS = 999
MAX_LOCALITY_TENTHS = 9_999

IntArray = npt.NDArray[np.int64]
FloatArray = npt.NDArray[np.float64]


class BatchInputError(ValueError):
    """A batch handed to the solver is malformed (for example a package listed twice)."""


@dataclass(frozen=True, slots=True, kw_only=True)
class BatchPackage:
    """One waiting package and the providers that may take it (the agreement's candidates for it).

    `locality_miles` optionally replaces the office distance per provider id (rota fit)."""

    isa: Isa
    candidates: Sequence[ProviderCandidate]
    locality_miles: Mapping[int, float] | None = None


@dataclass(frozen=True, slots=True, kw_only=True)
class BatchProblem:
    """Arrays describing the batch. Index conventions: package i, provider p, slot s (provider x area), pair k.

    `load_hours[p]` is the provider's live awarded hours before the batch (for the Gini coefficient);
    `prior_units[p]` its recent awards, the starting point of the fairness penalty.
    """

    as_of: date
    package_refs: tuple[str, ...]
    package_hours: FloatArray
    provider_ids: IntArray
    provider_names: tuple[str, ...]
    prior_units: IntArray
    load_hours: FloatArray
    slot_provider: IntArray
    slot_area: tuple[str, ...]
    slot_hours: FloatArray
    pair_package: IntArray
    pair_provider: IntArray
    pair_slot: IntArray
    pair_cost: IntArray
    pair_quality: IntArray
    pair_start_days: IntArray
    pair_locality_miles: FloatArray
    excluded_counts: IntArray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))

    @property
    def package_count(self) -> int:
        return len(self.package_refs)

    @property
    def provider_count(self) -> int:
        return len(self.provider_ids)


def pair_cost(*, quality_gap: int, start_days: int, locality_miles: float) -> int:
    """The lexicographic rank cost of one pair (see the module docstring)."""
    return (
        QUALITY_WEIGHT * quality_gap
        + START_WEIGHT * min(start_days, MAX_START_DAYS)
        + LOCALITY_WEIGHT * min(round(locality_miles * 10), MAX_LOCALITY_TENTHS)
    )


def build_problem(
    packages: Sequence[BatchPackage],
    *,
    as_of: date,
    load_hours: Mapping[int, float] | None = None,
) -> BatchProblem:
    """Check every package against each of its candidates with the engine's conditions and cost the eligible pairs.

    A provider's capacity in an area is read from the first candidate record seen for it (capacity is the
    provider's declaration, the same for every package).
    """
    refs = [entry.isa.reference for entry in packages]
    if len(set(refs)) != len(refs):
        raise BatchInputError("a package is listed twice in the batch")
    provider_index: dict[int, int] = {}
    provider_ids: list[int] = []
    names: list[str] = []
    prior: list[int] = []
    slots: dict[tuple[int, str], int] = {}
    slot_provider: list[int] = []
    slot_area: list[str] = []
    slot_hours: list[float] = []
    pkg: list[int] = []
    prov: list[int] = []
    slot_of_pair: list[int] = []
    quality: list[int] = []
    start_days: list[int] = []
    locality: list[float] = []
    excluded: list[int] = []
    for i, entry in enumerate(packages):
        isa = entry.isa
        check = ConditionCheck(isa)
        shut_out = 0
        for candidate in entry.candidates:
            if check(candidate):
                shut_out += 1
                continue
            p = provider_index.get(candidate.provider_id)
            if p is None:
                p = provider_index[candidate.provider_id] = len(provider_ids)
                provider_ids.append(candidate.provider_id)
                names.append(candidate.name)
                prior.append(candidate.recent_awards)
            key = (p, isa.area_code)
            s = slots.get(key)
            if s is None:
                s = slots[key] = len(slot_provider)
                slot_provider.append(p)
                slot_area.append(isa.area_code)
                slot_hours.append(candidate.hours_available_in(isa.area_code) or 0.0)
            override = entry.locality_miles.get(candidate.provider_id) if entry.locality_miles else None
            pkg.append(i)
            prov.append(p)
            slot_of_pair.append(s)
            quality.append(candidate.quality.points)
            start_days.append((earliest_start(isa, candidate, as_of=as_of) - as_of).days)
            locality.append(nearest_miles(isa.location, candidate.locations) if override is None else override)
        excluded.append(shut_out)
    quality_array = np.asarray(quality, dtype=np.int64)
    start_array = np.asarray(start_days, dtype=np.int64)
    locality_array = np.asarray(locality, dtype=np.float64)
    best_quality = int(quality_array.max()) if len(quality_array) else 0
    costs = (
        QUALITY_WEIGHT * (best_quality - quality_array)
        + START_WEIGHT * np.minimum(start_array, MAX_START_DAYS)
        + LOCALITY_WEIGHT * np.minimum(np.rint(locality_array * 10).astype(np.int64), MAX_LOCALITY_TENTHS)
    )
    loads = load_hours or {}
    return BatchProblem(
        as_of=as_of,
        package_refs=tuple(refs),
        package_hours=np.asarray([entry.isa.hours_per_week for entry in packages], dtype=np.float64),
        provider_ids=np.asarray(provider_ids, dtype=np.int64),
        provider_names=tuple(names),
        prior_units=np.asarray(prior, dtype=np.int64),
        load_hours=np.asarray([loads.get(pid, 0.0) for pid in provider_ids], dtype=np.float64),
        slot_provider=np.asarray(slot_provider, dtype=np.int64),
        slot_area=tuple(slot_area),
        slot_hours=np.asarray(slot_hours, dtype=np.float64),
        pair_package=np.asarray(pkg, dtype=np.int64),
        pair_provider=np.asarray(prov, dtype=np.int64),
        pair_slot=np.asarray(slot_of_pair, dtype=np.int64),
        pair_cost=costs.astype(np.int64),
        pair_quality=quality_array,
        pair_start_days=start_array,
        pair_locality_miles=locality_array,
        excluded_counts=np.asarray(excluded, dtype=np.int64),
    )
