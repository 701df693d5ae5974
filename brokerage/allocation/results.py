"""What the allocation engine returns: a `Ranking` of eligible providers and the excluded ones with reasons.

A ranking is plain frozen data and round-trips through JSON unchanged (`Ranking.from_json(r.to_json()) == r`),
so the brokerage can store it beside its inputs and replay it later.
"""

from __future__ import annotations

import json
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from enum import StrEnum
from typing import Protocol, TypeVar, runtime_checkable

from brokerage.allocation.codec import JsonObject, Reader, load_json, quality_from, quality_to_dict
from brokerage.allocation.conditions import Condition, ExclusionReason
from brokerage.allocation.inputs import LotRole, QualityScore

# Bump whenever a change could reorder or re-explain a ranking: stored rankings record the version that made
# them, and a replay only promises an identical result under the same version.
ENGINE_VERSION = "2.0.0"

RankKey = tuple[int, date, float, int, str]
_Entry = TypeVar("_Entry", covariant=True)


@runtime_checkable
class ByProvider(Protocol[_Entry]):
    """A lazy sequence of entries that can find one provider's entry without building the others."""

    def for_provider(self, provider_id: int) -> _Entry | None: ...


@runtime_checkable
class ProviderRows(Protocol):
    """A lazy sequence that can list its providers' ids without building the entries."""

    def provider_ids(self) -> list[int]: ...


class Criterion(StrEnum):
    """What separates two neighbouring providers, in the order the council applies them."""

    QUALITY = "quality"
    EARLIEST_START = "earliest_start"
    DISTANCE = "distance"
    RECENT_AWARDS = "recent_awards"
    FAIR_DRAW = "fair_draw"


class TieBreak(StrEnum):
    """The deepest tie-break needed to place a provider against either neighbour."""

    NONE = "none"
    RECENT_AWARDS = "recent_awards"
    FAIR_DRAW = "fair_draw"


@dataclass(frozen=True, slots=True, kw_only=True)
class RankedProvider:
    """One provider that meets every condition, at `position` (1 = first choice).

    `behind_previous_by` is the criterion that put the provider above it ahead (None for first place);
    `ahead_of_next_by` the one that put this provider ahead of the next (None for last place). `fair_draw`
    is the SHA-256 of the package reference and provider id, the last tie-break (lower goes first).
    `explanation` is for officers and names the neighbours; see `explain_for_provider` for providers.
    """

    position: int
    provider_id: int
    provider_name: str
    lot_role: LotRole
    quality: QualityScore
    earliest_start: date
    distance_miles: float
    recent_awards: int
    fair_draw: str
    behind_previous_by: Criterion | None
    ahead_of_next_by: Criterion | None
    tie_break: TieBreak
    explanation: str

    def rank_key(self, *, start: date | None = None) -> RankKey:
        """The sort key the ranking used; `start` substitutes a later proposed start (see policies)."""
        return (
            -self.quality.points,
            self.earliest_start if start is None else start,
            self.distance_miles,
            self.recent_awards,
            self.fair_draw,
        )


@dataclass(frozen=True, slots=True, kw_only=True)
class ExcludedProvider:
    """A provider that fails at least one must-meet condition; `reasons` lists every one it fails."""

    provider_id: int
    provider_name: str
    lot_role: LotRole
    reasons: tuple[ExclusionReason, ...]


class Ranking:
    """The result of `rank_providers` for one ISA: `ranked` in order, `excluded` by provider id.

    Plain data that compares by value. The engine hands back `ranked` and `excluded` as lazy sequences
    that build each entry (and its explanation) when it is first read, so ranking thousands of providers
    does not pay for explaining every one of them; a decoded ranking holds tuples. Both read the same.
    """

    __slots__ = (
        "as_of",
        "engine_version",
        "excluded",
        "housing_with_care",
        "package_reference",
        "ranked",
        "requested_start",
    )

    def __init__(
        self,
        *,
        engine_version: str,
        package_reference: str,
        as_of: date,
        requested_start: date,
        housing_with_care: bool,
        ranked: Sequence[RankedProvider],
        excluded: Sequence[ExcludedProvider],
    ) -> None:
        self.engine_version = engine_version
        self.package_reference = package_reference
        self.as_of = as_of
        self.requested_start = requested_start
        self.housing_with_care = housing_with_care
        self.ranked = ranked
        self.excluded = excluded

    def _scalars(self) -> tuple[object, ...]:
        return (self.engine_version, self.package_reference, self.as_of, self.requested_start, self.housing_with_care)

    def __eq__(self, other: object) -> bool:
        if not isinstance(other, Ranking):
            return NotImplemented
        return (
            self._scalars() == other._scalars()
            and len(self.ranked) == len(other.ranked)
            and len(self.excluded) == len(other.excluded)
            and tuple(self.ranked) == tuple(other.ranked)
            and tuple(self.excluded) == tuple(other.excluded)
        )

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        return (
            f"Ranking(package_reference={self.package_reference!r}, engine_version={self.engine_version!r}, "
            f"as_of={self.as_of!r}, ranked={len(self.ranked)}, excluded={len(self.excluded)})"
        )

    def with_ranked(self, ranked: Sequence[RankedProvider]) -> Ranking:
        """The same ranking with ``ranked`` in place of its ranked entries (a subset, in order: the rest of a
        ranking after a first refusal, or the first few offered); entries keep their positions and
        explanations, and the excluded providers are unchanged. A new `Ranking`: this one is never changed."""
        return Ranking(
            engine_version=self.engine_version,
            package_reference=self.package_reference,
            as_of=self.as_of,
            requested_start=self.requested_start,
            housing_with_care=self.housing_with_care,
            ranked=tuple(ranked),
            excluded=self.excluded,
        )

    def entry_for(self, provider_id: int) -> RankedProvider | None:
        if isinstance(self.ranked, ByProvider):
            return self.ranked.for_provider(provider_id)
        return next((entry for entry in self.ranked if entry.provider_id == provider_id), None)

    def exclusion_for(self, provider_id: int) -> ExcludedProvider | None:
        if isinstance(self.excluded, ByProvider):
            return self.excluded.for_provider(provider_id)
        return next((entry for entry in self.excluded if entry.provider_id == provider_id), None)

    def to_dict(self) -> JsonObject:
        """Plain JSON-ready data (what a JSONField stores); ``from_dict`` reads it back unchanged."""
        return _ranking_to_dict(self)

    @classmethod
    def from_dict(cls, data: object) -> Ranking:
        """Decode stored data, checking every field; raises ``AllocationInputError`` naming the first bad one."""
        return _ranking_from(Reader(data, ""))

    def to_json(self) -> str:
        return json.dumps(self.to_dict(), sort_keys=True, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Ranking:
        return cls.from_dict(load_json(text))


def _ranking_to_dict(ranking: Ranking) -> JsonObject:
    return {
        "engine_version": ranking.engine_version,
        "package_reference": ranking.package_reference,
        "as_of": ranking.as_of.isoformat(),
        "requested_start": ranking.requested_start.isoformat(),
        "housing_with_care": ranking.housing_with_care,
        "ranked": [
            {
                "position": entry.position,
                "provider_id": entry.provider_id,
                "provider_name": entry.provider_name,
                "lot_role": entry.lot_role.value,
                "quality": quality_to_dict(entry.quality),
                "earliest_start": entry.earliest_start.isoformat(),
                "distance_miles": entry.distance_miles,
                "recent_awards": entry.recent_awards,
                "fair_draw": entry.fair_draw,
                "behind_previous_by": entry.behind_previous_by.value if entry.behind_previous_by else None,
                "ahead_of_next_by": entry.ahead_of_next_by.value if entry.ahead_of_next_by else None,
                "tie_break": entry.tie_break.value,
                "explanation": entry.explanation,
            }
            for entry in ranking.ranked
        ],
        "excluded": [
            {
                "provider_id": entry.provider_id,
                "provider_name": entry.provider_name,
                "lot_role": entry.lot_role.value,
                "reasons": [{"condition": r.condition.value, "message": r.message} for r in entry.reasons],
            }
            for entry in ranking.excluded
        ],
    }


def _ranking_from(reader: Reader) -> Ranking:
    return Ranking(
        engine_version=reader.text("engine_version"),
        package_reference=reader.text("package_reference"),
        as_of=reader.day("as_of"),
        requested_start=reader.day("requested_start"),
        housing_with_care=reader.boolean("housing_with_care"),
        ranked=tuple(
            RankedProvider(
                position=entry.integer("position"),
                provider_id=entry.integer("provider_id"),
                provider_name=entry.text("provider_name"),
                lot_role=entry.choice("lot_role", LotRole),
                quality=quality_from(entry.obj("quality")),
                earliest_start=entry.day("earliest_start"),
                distance_miles=entry.number("distance_miles"),
                recent_awards=entry.integer("recent_awards"),
                fair_draw=entry.text("fair_draw"),
                behind_previous_by=entry.opt_choice("behind_previous_by", Criterion),
                ahead_of_next_by=entry.opt_choice("ahead_of_next_by", Criterion),
                tie_break=entry.choice("tie_break", TieBreak),
                explanation=entry.text("explanation"),
            )
            for entry in reader.objects("ranked")
        ),
        excluded=tuple(
            ExcludedProvider(
                provider_id=entry.integer("provider_id"),
                provider_name=entry.text("provider_name"),
                lot_role=entry.choice("lot_role", LotRole),
                reasons=tuple(
                    ExclusionReason(condition=reason.choice("condition", Condition), message=reason.text("message"))
                    for reason in entry.objects("reasons")
                ),
            )
            for entry in reader.objects("excluded")
        ),
    )
