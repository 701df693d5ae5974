"""Allocation policies as a pure state machine: given the ranking, the offers so far and the time, what next?

`next_actions` reads only its arguments and returns actions for the brokerage to carry out (send offers,
expire offers, award, escalate to the CCC) and when to call again (`WaitUntil`). Calling it twice with the
same state returns the same actions, and an action already carried out is never asked for again: a provider
that has an offer (in any state) is never sent another, and nothing happens once an offer is AWARDED or the
package has been escalated. So a Celery task can run it on every response and every timer, twice or late,
and recover from a lost message by reading the offers back from the database.

Which responder wins. A responder is compared with the rank key, except that its start date is the later
of its ranked earliest start and its proposed start: proposing a later start can cost a provider its place,
proposing an earlier one cannot buy a better place than it was ranked in. The best such responder is
awarded as soon as no provider that could still respond (pending, or not yet sent an offer while the round
is open) could beat it even at its ranked start, i.e. early once the top-ranked still-open provider has
accepted; otherwise when the last pending offer closes (at the latest, the response deadline).

The three policies:
- RANKED_DPS (Leeds): every eligible provider is offered the package at once with one response deadline.
- SEQUENTIAL_CASCADE: one offer at a time in rank order, moving on after a decline or a timeout.
- LEAD_PROVIDER_FIRST (Nottinghamshire): the lot's lead provider has first refusal for
  `lead_first_refusal`; then the lot's additional providers, by rank, under `after_lead` (ranked or cascade).
  Housing-with-Care packages go to the lead only, and are escalated if it cannot take them.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from enum import StrEnum

from brokerage.allocation.explanations import ordinal
from brokerage.allocation.inputs import AllocationInputError, LotRole
from brokerage.allocation.results import RankedProvider, Ranking


class PolicyKind(StrEnum):
    RANKED_DPS = "ranked_dps"
    SEQUENTIAL_CASCADE = "sequential_cascade"
    LEAD_PROVIDER_FIRST = "lead_provider_first"


class OfferStatus(StrEnum):
    PENDING = "pending"
    ACCEPTED = "accepted"
    DECLINED = "declined"
    EXPIRED = "expired"
    WITHDRAWN = "withdrawn"
    AWARDED = "awarded"


@dataclass(frozen=True, slots=True, kw_only=True)
class PolicySettings:
    """An agreement's allocation policy. `response_window` is the RANKED_DPS round's deadline and each
    cascade offer's timeout; `lead_first_refusal` and `after_lead` apply to LEAD_PROVIDER_FIRST only."""

    kind: PolicyKind
    response_window: timedelta
    lead_first_refusal: timedelta = timedelta(hours=24)
    after_lead: PolicyKind = PolicyKind.RANKED_DPS
    # When a window that starts at a moment ends: clock time unless the agreement counts working hours only
    # (the caller passes that calendar in; the engine knows no holidays).
    deadline_after: Callable[[datetime, timedelta], datetime] | None = None

    def deadline(self, start: datetime, window: timedelta) -> datetime:
        return start + window if self.deadline_after is None else self.deadline_after(start, window)

    def __post_init__(self) -> None:
        if self.response_window <= timedelta(0) or self.lead_first_refusal <= timedelta(0):
            raise AllocationInputError("response_window and lead_first_refusal must be positive")
        if self.after_lead is PolicyKind.LEAD_PROVIDER_FIRST:
            raise AllocationInputError("after_lead must be ranked_dps or sequential_cascade")


@dataclass(frozen=True, slots=True, kw_only=True)
class OfferRecord:
    """One offer of this package to one provider, as stored. `proposed_start` is given on acceptance."""

    provider_id: int
    status: OfferStatus
    sent_at: datetime
    deadline: datetime
    proposed_start: date | None = None

    def __post_init__(self) -> None:
        _require_aware(self.sent_at, "offer sent_at")
        _require_aware(self.deadline, "offer deadline")


@dataclass(frozen=True, slots=True, kw_only=True)
class SendOffers:
    provider_ids: tuple[int, ...]
    deadline: datetime
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class ExpireOffers:
    """Pending offers whose deadline has passed: mark them expired."""

    provider_ids: tuple[int, ...]


@dataclass(frozen=True, slots=True, kw_only=True)
class Award:
    """Award to `provider_id` from `start_on` (its proposed start, else its ranked earliest start), and
    withdraw every other open offer: still pending, or accepted by a provider that did not win."""

    provider_id: int
    start_on: date
    withdraw: tuple[int, ...]
    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class Escalate:
    """No one is left to offer the package to: hand it to the Care Communications Centre."""

    reason: str


@dataclass(frozen=True, slots=True, kw_only=True)
class WaitUntil:
    """Nothing more to do until `at` (the earliest pending deadline), or until a provider responds."""

    at: datetime


Action = SendOffers | ExpireOffers | Award | Escalate | WaitUntil

_NONE_ELIGIBLE = "No provider meets every condition of this ISA"
_LEAD_DID_NOT_TAKE_IT = "The lead provider did not take the package"


def _require_aware(moment: datetime, what: str) -> None:
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise AllocationInputError(f"{what} must be a timezone-aware datetime")


@dataclass(frozen=True, slots=True)
class _State:
    offers: dict[int, OfferRecord]
    now: datetime
    settings: PolicySettings

    def status(self, provider_id: int) -> OfferStatus | None:
        offer = self.offers.get(provider_id)
        return offer.status if offer else None

    def open_ids(self) -> tuple[int, ...]:
        """Offers still pending, or accepted but not (yet) the winner."""
        still_open = (OfferStatus.PENDING, OfferStatus.ACCEPTED)
        return tuple(sorted(pid for pid, offer in self.offers.items() if offer.status in still_open))

    def wait(self, *extra: datetime) -> list[Action]:
        deadlines = [offer.deadline for offer in self.offers.values() if offer.status is OfferStatus.PENDING]
        deadlines.extend(extra)
        return [WaitUntil(at=min(deadlines))] if deadlines else []


def _effective_start(entry: RankedProvider, offer: OfferRecord) -> date:
    proposed = offer.proposed_start
    return entry.earliest_start if proposed is None else max(entry.earliest_start, proposed)


def _best_acceptance(pool: Sequence[RankedProvider], state: _State) -> RankedProvider | None:
    accepted = [entry for entry in pool if state.status(entry.provider_id) is OfferStatus.ACCEPTED]
    if not accepted:
        return None
    return min(accepted, key=lambda e: e.rank_key(start=_effective_start(e, state.offers[e.provider_id])))


def _award(entry: RankedProvider, state: _State, reason: str) -> list[Action]:
    proposed = state.offers[entry.provider_id].proposed_start
    withdraw = tuple(pid for pid in state.open_ids() if pid != entry.provider_id)
    start_on = entry.earliest_start if proposed is None else proposed
    return [Award(provider_id=entry.provider_id, start_on=start_on, withdraw=withdraw, reason=reason)]


def _ranked_round(
    pool: Sequence[RankedProvider], state: _State, window: timedelta, *, none_eligible: str, nobody_accepted: str
) -> list[Action]:
    """All of `pool` offered at once with one deadline; award the best responder, early when it is safe."""
    if not pool:
        return [Escalate(reason=none_eligible)]
    sent = [state.offers[e.provider_id] for e in pool if e.provider_id in state.offers]
    round_deadline = max((offer.deadline for offer in sent), default=state.settings.deadline(state.now, window))
    # Providers left out by an interrupted send still get the offer while the round is open.
    unsent = [e for e in pool if e.provider_id not in state.offers] if state.now < round_deadline else []
    still_open = [e for e in pool if state.status(e.provider_id) is OfferStatus.PENDING] + unsent

    best = _best_acceptance(pool, state)
    if best is not None:
        best_key = best.rank_key(start=_effective_start(best, state.offers[best.provider_id]))
        if all(entry.rank_key() > best_key for entry in still_open):
            when = "no provider still able to respond could rank higher" if still_open else "all responses are in"
            return _award(best, state, f"Best-ranked responder ({ordinal(best.position)} in the ranking); {when}")
    if still_open:
        actions: list[Action] = []
        if unsent:
            ids = tuple(e.provider_id for e in unsent)
            actions.append(SendOffers(provider_ids=ids, deadline=round_deadline, reason="Ranked DPS round"))
        return actions + state.wait(*([round_deadline] if unsent else []))
    return [Escalate(reason=nobody_accepted)]


def _cascade(
    pool: Sequence[RankedProvider], state: _State, window: timedelta, *, none_eligible: str, nobody_accepted: str
) -> list[Action]:
    """One offer at a time in rank order; the first acceptance wins."""
    if not pool:
        return [Escalate(reason=none_eligible)]
    best = _best_acceptance(pool, state)
    if best is not None:
        return _award(best, state, f"Accepted the cascade offer ({ordinal(best.position)} in the ranking)")
    if any(state.status(e.provider_id) is OfferStatus.PENDING for e in pool):
        return state.wait()
    following = next((e for e in pool if e.provider_id not in state.offers), None)
    if following is None:
        return [Escalate(reason=nobody_accepted)]
    deadline = state.settings.deadline(state.now, window)
    reason = f"Sequential cascade: {ordinal(following.position)} in the ranking"
    return [SendOffers(provider_ids=(following.provider_id,), deadline=deadline, reason=reason), *state.wait(deadline)]


def _lead_first(settings: PolicySettings, ranking: Ranking, state: _State) -> list[Action]:
    lead = next((e for e in ranking.ranked if e.lot_role is LotRole.LEAD), None)
    hwc = "Housing with Care goes to the lot's lead provider only"
    if lead is None:
        if ranking.housing_with_care:
            excluded = next((e for e in ranking.excluded if e.lot_role is LotRole.LEAD), None)
            why = "; ".join(r.message for r in excluded.reasons) if excluded else "the lot has no lead provider"
            return [Escalate(reason=f"{hwc}, and it cannot take this package: {why}")]
    else:
        status = state.status(lead.provider_id)
        if status is None:
            deadline = settings.deadline(state.now, settings.lead_first_refusal)
            send = SendOffers(provider_ids=(lead.provider_id,), deadline=deadline, reason="Lead provider first refusal")
            return [send, *state.wait(deadline)]
        if status is OfferStatus.ACCEPTED:
            return _award(lead, state, "The lot's lead provider accepted within its first refusal")
        if status is OfferStatus.PENDING:
            return state.wait()
        if ranking.housing_with_care:
            outcome = "declined" if status is OfferStatus.DECLINED else "did not take it in time"
            return [Escalate(reason=f"{hwc}, and the lead provider {outcome}")]

    additional = [e for e in ranking.ranked if e.lot_role is LotRole.ADDITIONAL]
    reasons = {
        "none_eligible": f"{_LEAD_DID_NOT_TAKE_IT} and no additional provider meets every condition",
        "nobody_accepted": f"{_LEAD_DID_NOT_TAKE_IT} and no additional provider accepted in time",
    }
    if settings.after_lead is PolicyKind.SEQUENTIAL_CASCADE:
        return _cascade(additional, state, settings.response_window, **reasons)
    return _ranked_round(additional, state, settings.response_window, **reasons)


def next_actions(
    *,
    settings: PolicySettings,
    ranking: Ranking,
    offers: Sequence[OfferRecord],
    now: datetime,
    escalated: bool = False,
    first_refusal: int | None = None,
) -> tuple[Action, ...]:
    """The actions to take now for one package, in order: ExpireOffers first, then at most one of
    SendOffers / Award / Escalate, then WaitUntil if anything is still pending.

    `offers` are this brokering round's offers (at most one per provider). Offers to providers that are not
    in `ranking.ranked` are expired when due but otherwise ignored. An empty result means nothing is left to
    do: an offer is AWARDED or the package is `escalated`.

    `first_refusal` (a batch allocation's proposed provider) is offered the package alone, for the response
    window, before the agreement's policy; if it declines or lets the offer expire the policy carries on
    with the rest of the ranking as if that provider had not been ranked. Ignored when the provider is not
    in `ranking.ranked` (it no longer meets every condition).
    """
    _require_aware(now, "now")
    by_provider: dict[int, OfferRecord] = {}
    for offer in offers:
        if offer.provider_id in by_provider:
            raise AllocationInputError(f"provider {offer.provider_id} has more than one offer")
        by_provider[offer.provider_id] = offer
    if escalated or any(offer.status is OfferStatus.AWARDED for offer in offers):
        return ()

    due = tuple(
        sorted(
            pid for pid, offer in by_provider.items() if offer.status is OfferStatus.PENDING and offer.deadline <= now
        )
    )
    for pid in due:
        offer = by_provider[pid]
        by_provider[pid] = OfferRecord(
            provider_id=pid, status=OfferStatus.EXPIRED, sent_at=offer.sent_at, deadline=offer.deadline
        )
    state = _State(offers=by_provider, now=now, settings=settings)
    expire: list[Action] = [ExpireOffers(provider_ids=due)] if due else []

    chosen = ranking.entry_for(first_refusal) if first_refusal is not None else None
    if chosen is not None:
        status = state.status(chosen.provider_id)
        if status is None:
            deadline = settings.deadline(now, settings.response_window)
            send = SendOffers(
                provider_ids=(chosen.provider_id,), deadline=deadline, reason="Batch allocation: first refusal"
            )
            return (*expire, send, *state.wait(deadline))
        if status is OfferStatus.ACCEPTED:
            return (*expire, *_award(chosen, state, "Accepted the batch allocation's first refusal"))
        if status is OfferStatus.PENDING:
            return (*expire, *state.wait())
        ranking = ranking.with_ranked([e for e in ranking.ranked if e.provider_id != chosen.provider_id])

    if settings.kind is PolicyKind.LEAD_PROVIDER_FIRST:
        decided = _lead_first(settings, ranking, state)
    elif settings.kind is PolicyKind.SEQUENTIAL_CASCADE:
        decided = _cascade(
            ranking.ranked,
            state,
            settings.response_window,
            none_eligible=_NONE_ELIGIBLE,
            nobody_accepted="Every eligible provider declined or did not respond in time",
        )
    else:
        decided = _ranked_round(
            ranking.ranked,
            state,
            settings.response_window,
            none_eligible=_NONE_ELIGIBLE,
            nobody_accepted="No eligible provider accepted by the response deadline",
        )
    return tuple(expire + decided)
