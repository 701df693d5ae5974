"""Each allocation policy end to end over simulated time: offers, responses, timeouts, award or escalation.

`Market` carries out the policy's actions on a list of offer records, the way the brokerage services do on
offer rows, so each test reads as a sequence of events and what the policy asked for in reply.
"""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import TypeVar

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from brokerage.allocation import (
    Action,
    AllocationInputError,
    Award,
    Escalate,
    ExpireOffers,
    LotRole,
    OfferRecord,
    OfferStatus,
    PolicyKind,
    PolicySettings,
    Ranking,
    SendOffers,
    WaitUntil,
    next_actions,
    rank_providers,
)
from tests.brokerage.allocation.builders import AS_OF, make_candidate, make_isa, miles_north

START = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
RESPONSE_WINDOW = timedelta(hours=48)
FIRST_REFUSAL = timedelta(hours=24)
CASCADE_TIMEOUT = timedelta(hours=4)
ActionT = TypeVar("ActionT", SendOffers, ExpireOffers, Award, Escalate, WaitUntil)
EARLIEST = date(2026, 3, 4)  # every test provider's ranked earliest start


def ranking_of(*, housing_with_care: bool = False, lead_eligible: bool = True, **roles: LotRole) -> Ranking:
    """Providers 11, 12, 13, 14 rank in that order (by distance); 15 fails a condition; 13 is the lead."""
    lot_roles = {11: LotRole.ADDITIONAL, 12: LotRole.DPS_MEMBER, 13: LotRole.LEAD, 14: LotRole.ADDITIONAL}
    lot_roles.update({int(key.removeprefix("p")): role for key, role in roles.items()})
    candidates = [
        make_candidate(pid, lot_role=role, locations=(miles_north(pid - 10.0),)) for pid, role in lot_roles.items()
    ]
    candidates.append(make_candidate(15, double_handed=False))
    if not lead_eligible:
        candidates[2] = make_candidate(13, lot_role=LotRole.LEAD, dps_active=False)
    return rank_providers(make_isa(housing_with_care=housing_with_care), candidates, as_of=AS_OF)


class Market:
    """The brokerage's side of the conversation, held in memory: offer records, the clock, the outcome."""

    def __init__(self, policy: PolicySettings, ranking: Ranking) -> None:
        self.policy, self.ranking, self.now = policy, ranking, START
        self.offers: dict[int, OfferRecord] = {}
        self.awarded: Award | None = None
        self.escalated: Escalate | None = None
        self.wake_at: datetime | None = None

    def actions(self) -> tuple[Action, ...]:
        return next_actions(
            settings=self.policy,
            ranking=self.ranking,
            offers=tuple(self.offers.values()),
            now=self.now,
            escalated=self.escalated is not None,
        )

    def step(self) -> tuple[Action, ...]:
        actions = self.actions()
        self.wake_at = None
        for action in actions:
            self._carry_out(action)
        return actions

    def _carry_out(self, action: Action) -> None:
        if isinstance(action, SendOffers):
            for pid in action.provider_ids:
                assert pid not in self.offers, f"provider {pid} offered twice"
                self.offers[pid] = OfferRecord(
                    provider_id=pid, status=OfferStatus.PENDING, sent_at=self.now, deadline=action.deadline
                )
        elif isinstance(action, ExpireOffers):
            for pid in action.provider_ids:
                assert self.offers[pid].status is OfferStatus.PENDING
                self._set(pid, OfferStatus.EXPIRED)
        elif isinstance(action, Award):
            assert self.awarded is None and self.offers[action.provider_id].status is OfferStatus.ACCEPTED
            self.awarded = action
            self._set(action.provider_id, OfferStatus.AWARDED)
            for pid in action.withdraw:
                self._set(pid, OfferStatus.WITHDRAWN)
        elif isinstance(action, Escalate):
            self.escalated = action
        else:
            self.wake_at = action.at

    def _set(self, pid: int, status: OfferStatus, proposed_start: date | None = None) -> None:
        old = self.offers[pid]
        self.offers[pid] = OfferRecord(
            provider_id=pid, status=status, sent_at=old.sent_at, deadline=old.deadline, proposed_start=proposed_start
        )

    def accept(self, pid: int, proposed_start: date = EARLIEST) -> tuple[Action, ...]:
        assert self.offers[pid].status is OfferStatus.PENDING
        self._set(pid, OfferStatus.ACCEPTED, proposed_start)
        return self.step()

    def decline(self, pid: int) -> tuple[Action, ...]:
        assert self.offers[pid].status is OfferStatus.PENDING
        self._set(pid, OfferStatus.DECLINED)
        return self.step()

    def wait(self) -> tuple[Action, ...]:
        """Let the clock run to the time the policy asked to be woken."""
        assert self.wake_at is not None, "the policy asked for no wake-up"
        self.now = self.wake_at
        return self.step()


def one(kind: type[ActionT], actions: tuple[Action, ...]) -> ActionT:
    """The single action of `kind` among `actions`."""
    found = [action for action in actions if isinstance(action, kind)]
    assert len(found) == 1, actions
    return found[0]


def ranked_dps() -> PolicySettings:
    return PolicySettings(kind=PolicyKind.RANKED_DPS, response_window=RESPONSE_WINDOW)


def cascade() -> PolicySettings:
    return PolicySettings(kind=PolicyKind.SEQUENTIAL_CASCADE, response_window=CASCADE_TIMEOUT)


def lead_first(after_lead: PolicyKind = PolicyKind.RANKED_DPS) -> PolicySettings:
    return PolicySettings(
        kind=PolicyKind.LEAD_PROVIDER_FIRST,
        response_window=RESPONSE_WINDOW,
        lead_first_refusal=FIRST_REFUSAL,
        after_lead=after_lead,
    )


# Ranked DPS (Leeds)


def test_ranked_dps_offers_every_eligible_provider_at_once_with_one_deadline() -> None:
    market = Market(ranked_dps(), ranking_of())
    deadline = START + RESPONSE_WINDOW

    assert market.step() == (
        SendOffers(provider_ids=(11, 12, 13, 14), deadline=deadline, reason="Ranked DPS round"),
        WaitUntil(at=deadline),
    )


def test_asking_twice_gives_the_same_answer_and_an_offer_is_never_sent_again() -> None:
    market = Market(ranked_dps(), ranking_of())
    assert market.actions() == market.actions()

    market.step()

    assert market.actions() == (WaitUntil(at=START + RESPONSE_WINDOW),)
    assert market.actions() == market.actions()


def test_ranked_dps_awards_early_once_the_top_ranked_open_provider_accepts() -> None:
    market = Market(ranked_dps(), ranking_of())
    market.step()
    market.now += timedelta(hours=2)

    assert market.accept(13) == (WaitUntil(at=START + RESPONSE_WINDOW),)
    award = one(Award, market.accept(11))

    assert award == Award(
        provider_id=11,
        start_on=EARLIEST,
        withdraw=(12, 13, 14),
        reason="Best-ranked responder (1st in the ranking); no provider still able to respond could rank higher",
    )


def test_ranked_dps_awards_the_second_as_soon_as_the_first_declines() -> None:
    market = Market(ranked_dps(), ranking_of())
    market.step()

    assert market.accept(12) == (WaitUntil(at=START + RESPONSE_WINDOW),)
    award = one(Award, market.decline(11))

    assert (award.provider_id, award.withdraw) == (12, (13, 14))


def test_ranked_dps_awards_the_best_responder_at_the_deadline() -> None:
    market = Market(ranked_dps(), ranking_of())
    market.step()
    market.accept(14)
    market.accept(13)

    actions = market.wait()
    expire, award = one(ExpireOffers, actions), one(Award, actions)

    assert market.now == START + RESPONSE_WINDOW
    assert expire == ExpireOffers(provider_ids=(11, 12))
    assert award == Award(
        provider_id=13,
        start_on=EARLIEST,
        withdraw=(14,),
        reason="Best-ranked responder (3rd in the ranking); all responses are in",
    )
    assert market.actions() == ()


def test_proposing_a_later_start_can_cost_a_provider_its_place() -> None:
    market = Market(ranked_dps(), ranking_of())
    market.step()

    late = EARLIEST + timedelta(days=7)
    assert market.accept(11, proposed_start=late) == (WaitUntil(at=START + RESPONSE_WINDOW),)
    award = one(Award, market.accept(12))

    assert award.provider_id == 12


def test_proposing_an_earlier_start_does_not_jump_the_queue_but_is_the_start_awarded() -> None:
    market = Market(ranked_dps(), ranking_of())
    market.step()
    sooner = EARLIEST - timedelta(days=1)

    assert market.accept(12, proposed_start=sooner) == (WaitUntil(at=START + RESPONSE_WINDOW),)
    award = one(Award, market.decline(11))

    assert (award.provider_id, award.start_on) == (12, sooner)


def test_ranked_dps_escalates_when_nobody_accepts_by_the_deadline() -> None:
    market = Market(ranked_dps(), ranking_of())
    market.step()
    market.decline(12)

    assert market.wait() == (
        ExpireOffers(provider_ids=(11, 13, 14)),
        Escalate(reason="No eligible provider accepted by the response deadline"),
    )
    assert market.actions() == ()


def test_ranked_dps_escalates_at_once_when_everyone_has_declined() -> None:
    market = Market(ranked_dps(), ranking_of())
    market.step()
    for pid in (11, 12, 13):
        market.decline(pid)

    assert market.decline(14) == (Escalate(reason="No eligible provider accepted by the response deadline"),)


@pytest.mark.parametrize("policy", [ranked_dps(), cascade()], ids=["ranked_dps", "cascade"])
def test_a_package_no_provider_can_meet_is_escalated_at_once(policy: PolicySettings) -> None:
    ranking = rank_providers(make_isa(), [make_candidate(15, double_handed=False)], as_of=AS_OF)

    assert Market(policy, ranking).step() == (Escalate(reason="No provider meets every condition of this ISA"),)


def test_an_interrupted_round_sends_the_missing_offers_with_the_same_deadline() -> None:
    market = Market(ranked_dps(), ranking_of())
    deadline = START + timedelta(hours=40)
    for pid in (11, 12):
        market.offers[pid] = OfferRecord(
            provider_id=pid, status=OfferStatus.PENDING, sent_at=START - timedelta(hours=8), deadline=deadline
        )

    assert market.step() == (
        SendOffers(provider_ids=(13, 14), deadline=deadline, reason="Ranked DPS round"),
        WaitUntil(at=deadline),
    )


# Sequential cascade


def test_the_cascade_moves_down_the_ranking_on_decline_and_timeout_until_someone_accepts() -> None:
    market = Market(cascade(), ranking_of())

    assert market.step() == (
        SendOffers(
            provider_ids=(11,), deadline=START + CASCADE_TIMEOUT, reason="Sequential cascade: 1st in the ranking"
        ),
        WaitUntil(at=START + CASCADE_TIMEOUT),
    )
    market.now += timedelta(hours=1)
    declined_at = market.now
    assert market.decline(11)[0] == SendOffers(
        provider_ids=(12,), deadline=declined_at + CASCADE_TIMEOUT, reason="Sequential cascade: 2nd in the ranking"
    )
    actions = market.wait()
    assert one(ExpireOffers, actions) == ExpireOffers(provider_ids=(12,))
    send = one(SendOffers, actions)
    assert send.provider_ids == (13,)
    award = one(Award, market.accept(13, proposed_start=date(2026, 3, 9)))

    assert award == Award(
        provider_id=13,
        start_on=date(2026, 3, 9),
        withdraw=(),
        reason="Accepted the cascade offer (3rd in the ranking)",
    )
    assert market.actions() == ()


def test_the_cascade_escalates_when_the_ranking_is_exhausted() -> None:
    market = Market(cascade(), ranking_of())
    market.step()
    market.decline(11)
    market.decline(12)
    market.wait()
    market.decline(14)

    assert market.escalated == Escalate(reason="Every eligible provider declined or did not respond in time")
    assert set(market.offers) == {11, 12, 13, 14}


# Lead provider first (Nottinghamshire)


def test_the_lead_provider_gets_first_refusal_even_when_ranked_lower() -> None:
    market = Market(lead_first(), ranking_of())

    assert market.step() == (
        SendOffers(provider_ids=(13,), deadline=START + FIRST_REFUSAL, reason="Lead provider first refusal"),
        WaitUntil(at=START + FIRST_REFUSAL),
    )
    award = one(Award, market.accept(13))
    assert award == Award(
        provider_id=13,
        start_on=EARLIEST,
        withdraw=(),
        reason="The lot's lead provider accepted within its first refusal",
    )


def test_when_the_lead_declines_the_additional_providers_are_offered_it_by_rank() -> None:
    market = Market(lead_first(), ranking_of())
    market.step()
    market.now += timedelta(hours=3)

    actions = market.decline(13)
    send, wait = one(SendOffers, actions), one(WaitUntil, actions)

    # Provider 12 is a DPS member but not one of the lot's additional providers.
    assert send == SendOffers(provider_ids=(11, 14), deadline=market.now + RESPONSE_WINDOW, reason="Ranked DPS round")
    assert wait == WaitUntil(at=market.now + RESPONSE_WINDOW)
    award = one(Award, market.accept(11))
    assert (award.provider_id, award.withdraw) == (11, (14,))


def test_after_the_lead_times_out_a_configured_cascade_runs_through_additional_providers() -> None:
    market = Market(lead_first(after_lead=PolicyKind.SEQUENTIAL_CASCADE), ranking_of())
    market.step()

    actions = market.wait()
    assert market.now == START + FIRST_REFUSAL
    assert (one(ExpireOffers, actions).provider_ids, one(SendOffers, actions).provider_ids) == ((13,), (11,))
    assert one(SendOffers, market.decline(11)).provider_ids == (14,)
    market.wait()

    assert market.escalated == Escalate(
        reason="The lead provider did not take the package and no additional provider accepted in time"
    )


def test_housing_with_care_goes_to_the_lead_only_and_is_escalated_when_it_declines() -> None:
    market = Market(lead_first(), ranking_of(housing_with_care=True))
    market.step()

    assert market.decline(13) == (
        Escalate(reason="Housing with Care goes to the lot's lead provider only, and the lead provider declined"),
    )
    assert set(market.offers) == {13}


def test_housing_with_care_is_escalated_at_once_when_the_lead_cannot_meet_the_isa() -> None:
    market = Market(lead_first(), ranking_of(housing_with_care=True, lead_eligible=False))

    assert market.step() == (
        Escalate(
            reason="Housing with Care goes to the lot's lead provider only, and it cannot take this package: "
            "No active DPS membership for this agreement"
        ),
    )


def test_without_an_eligible_lead_the_additional_providers_are_offered_it_straight_away() -> None:
    market = Market(lead_first(), ranking_of(lead_eligible=False))

    assert one(SendOffers, market.step()).provider_ids == (11, 14)


def test_lead_first_escalates_when_no_additional_provider_is_eligible() -> None:
    market = Market(lead_first(), ranking_of(p11=LotRole.DPS_MEMBER, p14=LotRole.DPS_MEMBER))
    market.step()

    assert market.decline(13) == (
        Escalate(reason="The lead provider did not take the package and no additional provider meets every condition"),
    )


# Inputs the policy refuses


def test_a_naive_clock_is_refused() -> None:
    with pytest.raises(AllocationInputError, match="now must be a timezone-aware datetime"):
        next_actions(settings=ranked_dps(), ranking=ranking_of(), offers=(), now=datetime(2026, 3, 2, 9))  # noqa: DTZ001


def test_two_offers_to_one_provider_are_refused() -> None:
    offer = OfferRecord(provider_id=11, status=OfferStatus.PENDING, sent_at=START, deadline=START + RESPONSE_WINDOW)
    with pytest.raises(AllocationInputError, match="provider 11 has more than one offer"):
        next_actions(settings=ranked_dps(), ranking=ranking_of(), offers=(offer, offer), now=START)


@pytest.mark.parametrize(
    "build",
    [
        lambda: PolicySettings(kind=PolicyKind.RANKED_DPS, response_window=timedelta(0)),
        lambda: PolicySettings(
            kind=PolicyKind.LEAD_PROVIDER_FIRST,
            response_window=RESPONSE_WINDOW,
            after_lead=PolicyKind.LEAD_PROVIDER_FIRST,
        ),
    ],
)
def test_settings_that_make_no_sense_are_refused(build) -> None:
    with pytest.raises(AllocationInputError):
        build()


# Whatever providers do, and whenever, every policy ends in exactly one award or one escalation.

POLICIES = st.sampled_from([ranked_dps(), cascade(), lead_first(), lead_first(PolicyKind.SEQUENTIAL_CASCADE)])
EVENTS = st.lists(
    st.tuples(st.sampled_from(("accept", "decline", "wait")), st.integers(0, 3), st.integers(-2, 9)), max_size=30
)


@settings(database=None, max_examples=150, deadline=None)
@given(policy=POLICIES, housing_with_care=st.booleans(), events=EVENTS)
def test_every_policy_ends_in_one_award_or_one_escalation_and_never_offers_twice(
    policy, housing_with_care, events
) -> None:
    market = Market(policy, ranking_of(housing_with_care=housing_with_care))
    market.step()
    for kind, pick, days in events:
        if market.awarded or market.escalated:
            break
        assert market.actions() == market.actions()
        pending = sorted(pid for pid, offer in market.offers.items() if offer.status is OfferStatus.PENDING)
        if kind == "wait" or not pending:
            market.wait()
        elif kind == "accept":
            market.accept(pending[pick % len(pending)], proposed_start=EARLIEST + timedelta(days=days))
        else:
            market.decline(pending[pick % len(pending)])
    while not (market.awarded or market.escalated):
        market.wait()

    assert market.actions() == ()
    if market.awarded:
        accepted_before = market.offers[market.awarded.provider_id]
        assert accepted_before.status is OfferStatus.AWARDED
        assert not [offer for offer in market.offers.values() if offer.status is OfferStatus.PENDING]
    if housing_with_care and policy.kind is PolicyKind.LEAD_PROVIDER_FIRST:
        assert set(market.offers) == {13}
