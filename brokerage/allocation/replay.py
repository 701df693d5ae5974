"""Store what a ranking was computed from, and compute it again later.

`replay(inputs_to_json(isa, candidates, as_of=d))` equals `rank_providers(isa, candidates, as_of=d)` as long
as the engine version is the one recorded in the inputs; `AllocationInputs.engine_version` says which
version produced the stored ranking, so a caller can tell a behaviour change from tampering.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date

from brokerage.allocation.codec import (
    JsonObject,
    Reader,
    candidate_from,
    isa_from,
    isa_to_dict,
    load_json,
)
from brokerage.allocation.inputs import AllocationInputError, Isa, ProviderCandidate
from brokerage.allocation.pool import CandidatePool
from brokerage.allocation.ranking import rank_providers
from brokerage.allocation.results import ENGINE_VERSION, ExcludedProvider, ProviderRows, RankedProvider, Ranking

# Format 2 stores the candidates as columns, each shared value once (`pool.CandidatePool.to_columns`);
# format 1 (a JSON object per candidate) is still read, so runs stored before it replay.
_FORMAT = 2
_FORMATS = (1, 2)


@dataclass(frozen=True, slots=True, kw_only=True)
class AllocationInputs:
    engine_version: str
    isa: Isa
    candidates: tuple[ProviderCandidate, ...]
    as_of: date


def inputs_to_dict(isa: Isa, candidates: Iterable[ProviderCandidate] | CandidatePool, *, as_of: date) -> JsonObject:
    """Everything `rank_providers` reads, as plain JSON-ready data, stamped with the current engine version."""
    pool = candidates if isinstance(candidates, CandidatePool) else CandidatePool(candidates)
    return {
        "format": _FORMAT,
        "engine_version": ENGINE_VERSION,
        "as_of": as_of.isoformat(),
        "isa": isa_to_dict(isa),
        "candidates": pool.to_columns(),
    }


def inputs_to_json(isa: Isa, candidates: Iterable[ProviderCandidate] | CandidatePool, *, as_of: date) -> str:
    """`inputs_to_dict` as JSON text."""
    return json.dumps(inputs_to_dict(isa, candidates, as_of=as_of), sort_keys=True, ensure_ascii=False)


def inputs_from_json(text: str) -> AllocationInputs:
    """Decode stored inputs from JSON text; see `inputs_from_dict`."""
    return inputs_from_dict(load_json(text))


def inputs_from_dict(data: object) -> AllocationInputs:
    """Decode stored inputs; raises `AllocationInputError` naming the first bad field."""
    reader = Reader(data, "")
    isa, pool = _decode(reader)
    return AllocationInputs(
        engine_version=reader.text("engine_version"),
        isa=isa,
        candidates=pool.candidates(),
        as_of=reader.day("as_of"),
    )


def _decode(reader: Reader) -> tuple[Isa, CandidatePool]:
    stored_format = reader.integer("format")
    if stored_format not in _FORMATS:
        raise AllocationInputError(f"format must be one of {', '.join(map(str, _FORMATS))}")
    isa = isa_from(reader.obj("isa"))
    if stored_format == 1:
        return isa, CandidatePool(candidate_from(candidate) for candidate in reader.objects("candidates"))
    return isa, CandidatePool.from_columns(reader.raw("candidates"))


def pool_from_dict(data: object) -> tuple[Isa, CandidatePool, date]:
    """Decode stored inputs straight into a `CandidatePool`, without building every candidate."""
    reader = Reader(data, "")
    isa, pool = _decode(reader)
    return isa, pool, reader.day("as_of")


def replay(inputs_json: str) -> Ranking:
    """Rank the stored inputs again with the current engine."""
    isa, pool, as_of = pool_from_dict(load_json(inputs_json))
    return rank_providers(isa, pool, as_of=as_of)


_RESULT_FORMAT = 2


def _ids(entries: Sequence[RankedProvider] | Sequence[ExcludedProvider]) -> list[int]:
    if isinstance(entries, ProviderRows):
        return entries.provider_ids()
    return [entry.provider_id for entry in entries]


def stored_result(ranking: Ranking) -> JsonObject:
    """The compact stored form of a ranking beside its stored inputs: the version and the order alone.

    Everything else in an entry (figures, tie-breaks, explanations, exclusion reasons) is the engine's
    function of the inputs, so it is replayed from them (`ranking_from_stored`) rather than copied per run.
    """
    return {
        "format": _RESULT_FORMAT,
        "engine_version": ranking.engine_version,
        "package_reference": ranking.package_reference,
        "as_of": ranking.as_of.isoformat(),
        "ranked": _ids(ranking.ranked),
        "excluded": _ids(ranking.excluded),
    }


def ranking_from_stored(result: object, inputs: object) -> Ranking:
    """Read a stored ranking: a compact one by replaying its inputs and checking the order it recorded; a
    full one (stored before the compact form) as it was written.

    Raises `AllocationInputError` when the stored order is not what its inputs give under this engine
    version (a run stored by another version, or a damaged one).
    """
    reader = Reader(result, "")
    if not isinstance(result, dict) or "format" not in result:
        return Ranking.from_dict(result)
    if reader.integer("format") != _RESULT_FORMAT:
        raise AllocationInputError(f"result format must be {_RESULT_FORMAT}")
    version = reader.text("engine_version")
    if version != ENGINE_VERSION:
        raise AllocationInputError(f"stored by engine {version}; this is engine {ENGINE_VERSION}")
    isa, pool, as_of = pool_from_dict(inputs)
    ranking = rank_providers(isa, pool, as_of=as_of)
    ranked, excluded = reader.items("ranked"), reader.items("excluded")
    if (
        ranking.package_reference != reader.text("package_reference")
        or ranking.as_of != reader.day("as_of")
        or _ids(ranking.ranked) != ranked
        or _ids(ranking.excluded) != excluded
    ):
        raise AllocationInputError("the stored ranking is not what its stored inputs give: damaged or tampered")
    return ranking
