"""Store what a ranking was computed from, and compute it again later.

`replay(inputs_to_json(isa, candidates, as_of=d))` equals `rank_providers(isa, candidates, as_of=d)` as long
as the engine version is the one recorded in the inputs; `AllocationInputs.engine_version` says which
version produced the stored ranking, so a caller can tell a behaviour change from tampering.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from brokerage.allocation.codec import (
    JsonObject,
    Reader,
    candidate_from,
    candidate_to_dict,
    isa_from,
    isa_to_dict,
    load_json,
)
from brokerage.allocation.inputs import AllocationInputError, Isa, ProviderCandidate
from brokerage.allocation.ranking import rank_providers
from brokerage.allocation.results import ENGINE_VERSION, Ranking

_FORMAT = 1


@dataclass(frozen=True, slots=True, kw_only=True)
class AllocationInputs:
    engine_version: str
    isa: Isa
    candidates: tuple[ProviderCandidate, ...]
    as_of: date


def inputs_to_dict(isa: Isa, candidates: Iterable[ProviderCandidate], *, as_of: date) -> JsonObject:
    """Everything `rank_providers` reads, as plain JSON-ready data, stamped with the current engine version."""
    return {
        "format": _FORMAT,
        "engine_version": ENGINE_VERSION,
        "as_of": as_of.isoformat(),
        "isa": isa_to_dict(isa),
        "candidates": [candidate_to_dict(candidate) for candidate in candidates],
    }


def inputs_to_json(isa: Isa, candidates: Iterable[ProviderCandidate], *, as_of: date) -> str:
    """`inputs_to_dict` as JSON text."""
    return json.dumps(inputs_to_dict(isa, candidates, as_of=as_of), sort_keys=True, ensure_ascii=False)


def inputs_from_json(text: str) -> AllocationInputs:
    """Decode stored inputs from JSON text; see `inputs_from_dict`."""
    return inputs_from_dict(load_json(text))


def inputs_from_dict(data: object) -> AllocationInputs:
    """Decode stored inputs; raises `AllocationInputError` naming the first bad field."""
    reader = Reader(data, "")
    if reader.integer("format") != _FORMAT:
        raise AllocationInputError(f"format must be {_FORMAT}")
    return AllocationInputs(
        engine_version=reader.text("engine_version"),
        isa=isa_from(reader.obj("isa")),
        candidates=tuple(candidate_from(candidate) for candidate in reader.objects("candidates")),
        as_of=reader.day("as_of"),
    )


def replay(inputs_json: str) -> Ranking:
    """Rank the stored inputs again with the current engine."""
    inputs = inputs_from_json(inputs_json)
    return rank_providers(inputs.isa, inputs.candidates, as_of=inputs.as_of)
