"""A batch allocation's proposed provider gets first refusal, then the agreement's own policy carries on."""

from __future__ import annotations

from datetime import timedelta

from brokerage.allocation import Award, OfferRecord, OfferStatus, PolicyKind, PolicySettings, SendOffers, next_actions
from tests.brokerage.allocation.test_policies import START, ranking_of

RANKED = PolicySettings(kind=PolicyKind.RANKED_DPS, response_window=timedelta(hours=24))


def test_the_proposed_provider_alone_is_offered_first() -> None:
    actions = next_actions(settings=RANKED, ranking=ranking_of(), offers=(), now=START, first_refusal=13)
    send = next(a for a in actions if isinstance(a, SendOffers))
    assert send.provider_ids == (13,)
    assert send.deadline == START + timedelta(hours=24)


def test_an_acceptance_of_the_first_refusal_is_awarded_at_once() -> None:
    offer = OfferRecord(
        provider_id=13, status=OfferStatus.ACCEPTED, sent_at=START, deadline=START + timedelta(hours=24)
    )
    actions = next_actions(
        settings=RANKED, ranking=ranking_of(), offers=(offer,), now=START + timedelta(hours=1), first_refusal=13
    )
    assert [a.provider_id for a in actions if isinstance(a, Award)] == [13]


def test_after_a_decline_the_ranked_round_goes_to_everyone_else() -> None:
    declined = OfferRecord(
        provider_id=13, status=OfferStatus.DECLINED, sent_at=START, deadline=START + timedelta(hours=24)
    )
    now = START + timedelta(hours=2)
    actions = next_actions(settings=RANKED, ranking=ranking_of(), offers=(declined,), now=now, first_refusal=13)
    send = next(a for a in actions if isinstance(a, SendOffers))
    assert send.provider_ids == (11, 12, 14)
    assert send.deadline == now + timedelta(hours=24)


def test_a_proposed_provider_no_longer_eligible_is_ignored() -> None:
    actions = next_actions(settings=RANKED, ranking=ranking_of(), offers=(), now=START, first_refusal=15)
    send = next(a for a in actions if isinstance(a, SendOffers))
    assert send.provider_ids == (11, 12, 13, 14)
