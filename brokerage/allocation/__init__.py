"""The allocation engine: which providers may take an ISA, in what order, and what to do next.

Frozen dataclasses in, numpy inside: no ORM, database or settings, so it can be tested exhaustively and
benchmarked alone. The brokerage services are its only caller; they turn rows into these inputs.

Ranking (Leeds' four steps):
    ranking = rank_providers(isa, candidates, as_of=today)   # Isa + ProviderCandidate in, Ranking out
    pool = CandidatePool(candidates)                          # or prepare the candidates once, as columns,
    rank_providers(isa, pool, as_of=today)                    #   and rank many ISAs against them
    ranking.ranked[0]                                         # entries (and explanations) built when read
    ranking.to_dict() / Ranking.from_dict(data)               # the full form (to_json / from_json for text)
    inputs_to_dict(isa, pool, as_of=today)                    # store what produced it (compact columns)
    stored_result(ranking) / ranking_from_stored(result, inputs)  # store the order alone; read it back
    replay(inputs_json) == ranking                            # under the same ENGINE_VERSION

Adding an input field: `inputs.ProviderCandidate` (the public type), then `pool.CandidatePool` (read it in
the constructor's loop, keep it in `_setup`, store it in `to_columns`, rebuild it in `_rebuild`), the column
reader in `codec.columns_reader`, and the slow reference in tests/brokerage/allocation/reference_engine.py
if it changes the order; the property tests compare the two.
    explain_for_provider(ranking, provider_id)                # a provider's own view, no other names

Policies (what happens next, given the offers so far and the time):
    next_actions(settings=PolicySettings(...), ranking=ranking, offers=(OfferRecord(...), ...), now=now)
    -> tuple of SendOffers / ExpireOffers / Award / Escalate / WaitUntil
"""

from brokerage.allocation.conditions import Condition, ExclusionReason
from brokerage.allocation.explanations import ProviderNotInRanking, explain_for_provider
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
from brokerage.allocation.policies import (
    Action,
    Award,
    Escalate,
    ExpireOffers,
    OfferRecord,
    OfferStatus,
    PolicyKind,
    PolicySettings,
    SendOffers,
    WaitUntil,
    next_actions,
)
from brokerage.allocation.pool import CandidatePool
from brokerage.allocation.ranking import rank_providers
from brokerage.allocation.replay import (
    AllocationInputs,
    inputs_from_dict,
    inputs_from_json,
    inputs_to_dict,
    inputs_to_json,
    ranking_from_stored,
    replay,
    stored_result,
)
from brokerage.allocation.results import (
    ENGINE_VERSION,
    Criterion,
    ExcludedProvider,
    RankedProvider,
    Ranking,
    TieBreak,
)

__all__ = [
    "ENGINE_VERSION",
    "Action",
    "AllocationInputError",
    "AllocationInputs",
    "AreaCapacity",
    "Award",
    "CandidatePool",
    "CarerGender",
    "Condition",
    "Criterion",
    "DayCoverage",
    "Escalate",
    "ExcludedProvider",
    "ExclusionReason",
    "ExpireOffers",
    "GeoPoint",
    "Isa",
    "LotRole",
    "OfferRecord",
    "OfferStatus",
    "PolicyKind",
    "PolicySettings",
    "ProviderCandidate",
    "ProviderNotInRanking",
    "QualityScore",
    "RankedProvider",
    "Ranking",
    "SendOffers",
    "TieBreak",
    "Urgency",
    "Visit",
    "WaitUntil",
    "Weekday",
    "explain_for_provider",
    "inputs_from_dict",
    "inputs_from_json",
    "inputs_to_dict",
    "inputs_to_json",
    "next_actions",
    "rank_providers",
    "ranking_from_stored",
    "replay",
    "stored_result",
]
