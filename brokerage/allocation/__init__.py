"""The allocation engine: which providers may take an ISA, in what order, and what to do next.

Pure Python over frozen dataclasses: no ORM, database or settings, so it can be tested exhaustively and
benchmarked alone. The brokerage services are its only caller; they turn rows into these inputs.

Ranking (Leeds' four steps):
    ranking = rank_providers(isa, candidates, as_of=today)   # Isa + ProviderCandidate in, Ranking out
    ranking.to_dict() / Ranking.from_dict(data)               # store it (to_json / from_json for text)
    inputs_to_dict(isa, candidates, as_of=today)              # store what produced it
    replay(inputs_json) == ranking                            # under the same ENGINE_VERSION
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
from brokerage.allocation.ranking import rank_providers
from brokerage.allocation.replay import (
    AllocationInputs,
    inputs_from_dict,
    inputs_from_json,
    inputs_to_dict,
    inputs_to_json,
    replay,
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
    "replay",
]
