from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from commissioning import selectors
from commissioning.models import RecommendedRole, TenderStatus
from commissioning.services import tenders as services
from contracts.models import MembershipRole
from homecare.audit.models import AuditEvent
from tests.commissioning.factories import make_tender, moderate, score_independently

pytestmark = pytest.mark.django_db
TWO = Decimal("0.01")


def test_a_tender_scored_through_the_service_agrees_with_the_hand_scored_tender(officer):
    world = make_tender(officer)
    score_independently(world, apart=2)
    moderate(world, rationale="The partner's evaluator missed the delivery model's appendix; agreed 5.")
    services.tender_finish_moderation(actor=officer, tender=world.tender)
    services.tender_recommend(actor=officer, tender=world.tender, on=date(2025, 3, 3))
    totals = {}
    for key, bid in world.bids.items():
        bid.refresh_from_db()
        assert bid.total_points is not None and bid.price_points is not None
        totals[key] = (bid.total_points.quantize(TWO), bid.price_points.quantize(TWO), bid.rank, bid.recommended_role)
    assert totals == {
        "A": (Decimal("81.56"), Decimal("33.26"), 2, RecommendedRole.ADDITIONAL),
        "B": (Decimal("79.10"), Decimal("30.60"), 3, RecommendedRole.NOT_APPOINTED),
        "C": (Decimal("87.40"), Decimal("36.00"), 1, RecommendedRole.LEAD),
    }
    world.tender.refresh_from_db()
    # Monday 3 March 2025 + 8 working days = Thursday 13 March.
    assert world.tender.standstill_ends_on == date(2025, 3, 13)


def test_moderation_refuses_to_finish_while_a_divergent_score_lacks_a_rationale(officer):
    world = make_tender(officer, divergence_threshold=1)
    score_independently(world, apart=2)
    moderate(world, rationale="")
    with pytest.raises(ValidationError, match="differed by 2, so the agreed score needs a rationale"):
        services.tender_finish_moderation(actor=officer, tender=world.tender)
    world.tender.refresh_from_db()
    assert world.tender.status == TenderStatus.MODERATION
    b, q1 = world.bids["B"], world.questions[0]
    services.moderated_score_agree(actor=officer, bid=b, question=q1, score=5, rationale="Evidence in appendix 2.")
    services.tender_finish_moderation(actor=officer, tender=world.tender)
    world.tender.refresh_from_db()
    assert world.tender.status == TenderStatus.MODERATED


def test_scores_within_the_threshold_need_no_rationale(officer):
    world = make_tender(officer, divergence_threshold=1)
    score_independently(world, apart=1)
    moderate(world)
    services.tender_finish_moderation(actor=officer, tender=world.tender)


def test_evaluators_score_only_after_declaring_and_never_a_bid_they_are_conflicted_on(officer):
    world = make_tender(officer)
    services.tender_open_scoring(actor=officer, tender=world.tender)
    first, second = world.panel
    bid_a, q1 = world.bids["A"], world.questions[0]
    with pytest.raises(PermissionDenied, match="Declare"):
        services.independent_score_record(evaluator_user=first, bid=bid_a, question=q1, score=3)
    services.conflict_of_interest_declare(
        evaluator_user=first,
        tender=world.tender,
        declaration="My partner works for bidder A.",
        conflicted_bid_ids=[bid_a.pk],
    )
    with pytest.raises(PermissionDenied, match="conflict of interest"):
        services.independent_score_record(evaluator_user=first, bid=bid_a, question=q1, score=3)
    services.conflict_of_interest_declare(evaluator_user=second, tender=world.tender, declaration="None.")
    services.independent_score_record(evaluator_user=second, bid=bid_a, question=q1, score=4)
    services.independent_score_record(evaluator_user=first, bid=world.bids["B"], question=q1, score=2)
    # Independent: each sees only their own scores until moderation.
    assert [s.score for s in selectors.scores_visible_to(tender=world.tender, user=first)] == [2]
    assert [s.score for s in selectors.scores_visible_to(tender=world.tender, user=second)] == [4]
    with pytest.raises(ValidationError, match="not finished"):
        services.tender_start_moderation(actor=officer, tender=world.tender)


def test_award_after_standstill_creates_the_lots_lead_and_additional_memberships(officer):
    world = make_tender(officer)
    score_independently(world)
    moderate(world)
    services.tender_finish_moderation(actor=officer, tender=world.tender)
    services.tender_recommend(actor=officer, tender=world.tender, on=date(2025, 3, 3))
    with pytest.raises(ValidationError, match="Standstill runs until"):
        services.tender_award(actor=officer, tender=world.tender, on=date(2025, 3, 13))
    awarded = services.tender_award(actor=officer, tender=world.tender, on=date(2025, 3, 14))
    memberships = {bid.provider.name: (bid.membership.role, bid.membership.lot) for bid in awarded if bid.membership}
    assert memberships == {
        "Bidder C Ltd": (MembershipRole.LEAD_PROVIDER, world.contract_lot),
        "Bidder A Ltd": (MembershipRole.ADDITIONAL_PROVIDER, world.contract_lot),
    }
    actions = set(AuditEvent.objects.values_list("action", flat=True))
    assert {"tender.created", "tender.recommended", "tender.awarded", "membership.appointed"} <= actions


def test_the_evaluation_report_rows_carry_every_bid_in_rank_order(officer):
    world = make_tender(officer)
    score_independently(world)
    moderate(world)
    services.tender_finish_moderation(actor=officer, tender=world.tender)
    services.tender_recommend(actor=officer, tender=world.tender, on=date(2025, 3, 3))
    header, rows = selectors.tender_report_rows(tender=world.tender)
    assert header[0] == "Lot"
    assert [row[1] for row in rows] == ["Bidder C Ltd", "Bidder A Ltd", "Bidder B Ltd"]
    assert rows[0][header.index("Total")] == "87.40"
