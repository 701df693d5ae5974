"""The hand-scored tender of tests/commissioning/test_scoring.py, built through the real services."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal

from django.contrib.auth.models import User

from commissioning.models import Bid, Tender, TenderQuestion
from commissioning.services import tenders as services
from contracts.models import Lot, MembershipRole
from homecare.accounts.audiences import Audience
from tests.contracts.factories import AgreementFactory, LotFactory
from tests.factories import ProviderFactory, UserFactory

# Bidder -> (price, moderated scores for Q1..Q4, social value score): the table in test_scoring.py.
HAND_SCORED = {
    "A": (Decimal(920_000), (4, 3, 5, 4), 3),
    "B": (Decimal(1_000_000), (5, 4, 3, 3), 4),
    "C": (Decimal(850_000), (3, 3, 4, 5), 5),
}


@dataclass
class TenderWorld:
    tender: Tender
    bids: dict[str, Bid]
    questions: list[TenderQuestion]  # Q1..Q4 then social value
    panel: list[User]
    contract_lot: Lot


def make_tender(officer: User, *, divergence_threshold: int = 1, additional_places: int = 1) -> TenderWorld:
    agreement = AgreementFactory(name="Delivery partners")
    contract_lot = LotFactory(agreement=agreement, number=1, name="City")
    second = UserFactory(audiences=[Audience.OFFICER], username="partner_evaluator")
    tender = services.tender_create(
        actor=officer,
        agreement=agreement,
        reference="LCC-DP-1",
        title="Delivery partner",
        questions=[
            services.QuestionInput("Service delivery model", Decimal(15)),
            services.QuestionInput("Workforce", Decimal(15)),
            services.QuestionInput("Outcomes and quality", Decimal(10)),
            services.QuestionInput("Partnership working", Decimal(20)),
        ],
        social_value_question="Social value commitments",
        lots=[services.LotInput("City", contract_lot=contract_lot, additional_places=additional_places)],
        divergence_threshold=divergence_threshold,
        panel=[(officer, "Leeds City Council"), (second, "NHS Leeds")],
    )
    lot = tender.lots.get()
    bids = {
        key: services.bid_record(
            actor=officer, lot=lot, provider=ProviderFactory(name=f"Bidder {key} Ltd"), price=price
        )
        for key, (price, _, _) in HAND_SCORED.items()
    }
    return TenderWorld(tender, bids, list(tender.questions.order_by("number")), [officer, second], contract_lot)


def score_independently(world: TenderWorld, *, apart: int = 0) -> None:
    """Both evaluators score every bid: the first the hand-scored values, the second ``apart`` lower on B's Q1."""
    services.tender_open_scoring(actor=world.panel[0], tender=world.tender)
    for user in world.panel:
        services.conflict_of_interest_declare(evaluator_user=user, tender=world.tender, declaration="No conflict.")
    for key, (_, scores, social) in HAND_SCORED.items():
        for question, score in zip(world.questions, (*scores, social), strict=True):
            services.independent_score_record(
                evaluator_user=world.panel[0], bid=world.bids[key], question=question, score=score
            )
            second = score - apart if (key, question.number) == ("B", 1) else score
            services.independent_score_record(
                evaluator_user=world.panel[1], bid=world.bids[key], question=question, score=second
            )


def moderate(world: TenderWorld, *, rationale: str = "") -> None:
    services.tender_start_moderation(actor=world.panel[0], tender=world.tender)
    for key, (_, scores, social) in HAND_SCORED.items():
        for question, score in zip(world.questions, (*scores, social), strict=True):
            why = rationale if (key, question.number) == ("B", 1) else ""
            services.moderated_score_agree(
                actor=world.panel[0], bid=world.bids[key], question=question, score=score, rationale=why
            )


__all__ = ["HAND_SCORED", "MembershipRole", "TenderWorld", "make_tender", "moderate", "score_independently"]
