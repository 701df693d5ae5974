"""The slow, obviously correct reference for the allocation engine: the engine as it was before it was
vectorised (engine 1.0.0), kept verbatim so the property tests can compare the fast engine against it;
the one change since is rota fit's `locality_miles`, which replaces the office distance when set.

Candidate by candidate: every condition checked with `conditions.ConditionCheck`, a Python sort on the full
rank key (with the fair draw's SHA-256 computed for every eligible provider) and an explanation built for
every ranked entry. Do not optimise this module: its value is that it is plainly right.

Rank the providers that could take an ISA, the way Leeds allocates packages.

1. Exclude every provider that fails a must-meet condition, with every reason it fails
   (`conditions.ConditionCheck`).
2. Order the rest by CQC quality points (higher first), then earliest possible start
   (the later of the requested start and `as_of` plus the provider's lead time), then distance in miles
   from the person to the provider's nearest location (rounded to 0.1 mile; under the agreement's rota-fit
   option, the candidate's `locality_miles` instead), then fewer recent awards,
   then a fair draw: the SHA-256 of the package reference and provider id (lower first).

The order never depends on the order candidates are given in, and the same inputs always give the same
`Ranking`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable
from dataclasses import replace
from datetime import date, timedelta

from brokerage.allocation.conditions import ConditionCheck
from brokerage.allocation.explanations import officer_explanation
from brokerage.allocation.geography import nearest_miles
from brokerage.allocation.inputs import AllocationInputError, Isa, ProviderCandidate
from brokerage.allocation.results import (
    Criterion,
    ExcludedProvider,
    RankedProvider,
    Ranking,
    RankKey,
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


def fair_draw(package_reference: str, provider_id: int) -> str:
    """A tie-break that is fixed for a package and provider, unrelated to names or input order."""
    return hashlib.sha256(f"{package_reference}\x1f{provider_id}".encode()).hexdigest()


def earliest_start(isa: Isa, candidate: ProviderCandidate, *, as_of: date) -> date:
    return max(isa.requested_start, as_of + timedelta(days=candidate.lead_time_days))


def _separating(upper: RankKey, lower: RankKey) -> Criterion:
    for criterion, a, b in zip(_KEY_CRITERIA, upper, lower, strict=True):
        if a != b:
            return criterion
    # Equal keys need equal SHA-256 digests of different provider ids: not expected in practice.
    return Criterion.FAIR_DRAW


def _tie_break(*separators: Criterion | None) -> TieBreak:
    if Criterion.FAIR_DRAW in separators:
        return TieBreak.FAIR_DRAW
    if Criterion.RECENT_AWARDS in separators:
        return TieBreak.RECENT_AWARDS
    return TieBreak.NONE


def reference_rank_providers(
    isa: Isa, candidates: Iterable[ProviderCandidate], *, as_of: date, engine_version: str
) -> Ranking:
    """Rank `candidates` for `isa` as of the day the package goes to market.

    Every candidate appears exactly once: in `ranked` (in order) or in `excluded` (by provider id, with
    every condition it fails). Raises `AllocationInputError` if two candidates share a provider id.
    """
    pool = tuple(candidates)
    seen: set[int] = set()
    for candidate in pool:
        if candidate.provider_id in seen:
            raise AllocationInputError(f"provider {candidate.provider_id} is a candidate twice")
        seen.add(candidate.provider_id)

    unmet_conditions = ConditionCheck(isa)
    excluded: list[ExcludedProvider] = []
    eligible: list[tuple[RankKey, ProviderCandidate]] = []
    for candidate in pool:
        reasons = unmet_conditions(candidate)
        if reasons:
            excluded.append(
                ExcludedProvider(
                    provider_id=candidate.provider_id,
                    provider_name=candidate.name,
                    lot_role=candidate.lot_role,
                    reasons=reasons,
                )
            )
            continue
        key: RankKey = (
            -candidate.quality.points,
            earliest_start(isa, candidate, as_of=as_of),
            nearest_miles(isa.location, candidate.locations)
            if candidate.locality_miles is None
            else round(candidate.locality_miles, 1),
            candidate.recent_awards,
            fair_draw(isa.reference, candidate.provider_id),
        )
        eligible.append((key, candidate))
    # Provider id closes the key only so the sort is total even on a digest collision.
    eligible.sort(key=lambda pair: (pair[0], pair[1].provider_id))
    excluded.sort(key=lambda entry: entry.provider_id)

    keys = [key for key, _ in eligible]
    ranked: list[RankedProvider] = []
    for index, (key, candidate) in enumerate(eligible):
        behind = _separating(keys[index - 1], key) if index > 0 else None
        ahead = _separating(key, keys[index + 1]) if index + 1 < len(keys) else None
        ranked.append(
            RankedProvider(
                position=index + 1,
                provider_id=candidate.provider_id,
                provider_name=candidate.name,
                lot_role=candidate.lot_role,
                quality=candidate.quality,
                earliest_start=key[1],
                distance_miles=key[2],
                recent_awards=key[3],
                fair_draw=key[4],
                behind_previous_by=behind,
                ahead_of_next_by=ahead,
                tie_break=_tie_break(behind, ahead),
                explanation="",
            )
        )
    explained = tuple(
        replace(
            entry,
            explanation=officer_explanation(
                entry,
                ranked[index - 1] if index > 0 else None,
                ranked[index + 1] if index + 1 < len(ranked) else None,
                total=len(ranked),
            ),
        )
        for index, entry in enumerate(ranked)
    )
    return Ranking(
        engine_version=engine_version,
        package_reference=isa.reference,
        as_of=as_of,
        requested_start=isa.requested_start,
        housing_with_care=isa.housing_with_care,
        ranked=explained,
        excluded=tuple(excluded),
    )
