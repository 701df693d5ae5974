"""Tenders: set-up, conflicts of interest, independent scoring, moderation, recommendation and award."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from commissioning import scoring
from commissioning.models import (
    Bid,
    Evaluator,
    IndependentScore,
    ModeratedScore,
    RecommendedRole,
    Tender,
    TenderLot,
    TenderQuestion,
    TenderStatus,
)
from commissioning.models.tenders import DEFAULT_DESCRIPTORS
from contracts.models import Agreement, Lot, MembershipRole
from contracts.services import membership_appoint
from contracts.working_time import is_working_day
from homecare.audit.actions import AuditAction
from homecare.audit.services import audit_record
from providers.models import Provider


@dataclass(frozen=True)
class QuestionInput:
    text: str
    weight: Decimal
    minimum_score: int | None = None


@dataclass(frozen=True)
class LotInput:
    name: str
    contract_lot: Lot | None = None
    lead_places: int = 1
    additional_places: int = 0


def add_working_days(start: date, days: int) -> date:
    """``days`` working days after ``start``: Monday to Friday, skipping England and Wales bank holidays."""
    day = start
    while days > 0:
        day += timedelta(days=1)
        if is_working_day(day):
            days -= 1
    return day


def _locked(tender: Tender, *statuses: TenderStatus) -> Tender:
    locked = Tender.objects.select_for_update().get(pk=tender.pk)
    if statuses and locked.status not in statuses:
        allowed = " or ".join(str(status.label).lower() for status in statuses)
        raise ValidationError(f"This tender is at {locked.get_status_display().lower()}, not {allowed}.")
    return locked


@transaction.atomic
def tender_create(
    *,
    actor: User | None,
    agreement: Agreement,
    reference: str,
    title: str,
    questions: Sequence[QuestionInput],
    lots: Sequence[LotInput],
    social_value_question: str = "",
    quality_weight: Decimal = Decimal(60),
    price_weight: Decimal = Decimal(40),
    social_value_weight: Decimal = Decimal(10),
    social_value_mode: str = scoring.SocialValueMode.SHARE_OF_TOTAL,
    evaluation_method: str = scoring.EvaluationMethod.COMBINED,
    scale_max: int = 5,
    minimum_quality_percent: Decimal | None = None,
    divergence_threshold: int = 1,
    panel: Sequence[tuple[User, str]] = (),
) -> Tender:
    """Create a tender with its lots, questions and evaluation panel, checking the weights make sense."""
    if not questions:
        raise ValidationError("A tender needs at least one quality question.")
    if Tender.objects.filter(reference=reference).exists():
        raise ValidationError(f"Another tender already has the reference {reference}.")
    if not lots:
        raise ValidationError("A tender needs at least one lot.")
    if social_value_weight > 0 and not social_value_question.strip():
        raise ValidationError("Social value has a weight, so write the social value question.")
    model = scoring.EvaluationModel(
        quality_weight=quality_weight,
        price_weight=price_weight,
        social_value_weight=social_value_weight,
        social_value_mode=scoring.SocialValueMode(social_value_mode),
        method=scoring.EvaluationMethod(evaluation_method),
        questions=tuple(
            scoring.QuestionSpec(str(n), q.weight, scale_max, q.minimum_score) for n, q in enumerate(questions, 1)
        ),
    )
    try:
        points = model.points()
    except ValueError as error:
        raise ValidationError(str(error)) from None
    for lot in lots:
        if lot.contract_lot is not None and lot.contract_lot.agreement_id != agreement.pk:
            raise ValidationError(f"{lot.contract_lot} belongs to another agreement.")
    descriptors = DEFAULT_DESCRIPTORS if scale_max == 5 else {}
    tender = Tender.objects.create(
        agreement=agreement,
        reference=reference,
        title=title,
        quality_weight=quality_weight,
        price_weight=price_weight,
        social_value_weight=social_value_weight,
        social_value_mode=social_value_mode,
        evaluation_method=evaluation_method,
        scale_max=scale_max,
        scale_descriptors=descriptors,
        minimum_quality_percent=minimum_quality_percent,
        divergence_threshold=divergence_threshold,
        created_by=actor,
    )
    for number, question in enumerate(questions, start=1):
        if question.weight <= 0:
            raise ValidationError(f"Question {number} needs a weight above zero.")
        TenderQuestion.objects.create(
            tender=tender,
            number=number,
            text=question.text,
            weight=question.weight,
            minimum_score=question.minimum_score,
        )
    if social_value_weight > 0:
        TenderQuestion.objects.create(
            tender=tender,
            number=len(questions) + 1,
            text=social_value_question,
            weight=Decimal(1),
            is_social_value=True,
        )
    for number, lot in enumerate(lots, start=1):
        TenderLot.objects.create(
            tender=tender,
            number=number,
            name=lot.name,
            contract_lot=lot.contract_lot,
            lead_places=lot.lead_places,
            additional_places=lot.additional_places,
        )
    for user, organisation in panel:
        Evaluator.objects.create(tender=tender, user=user, organisation=organisation)
    audit_record(
        actor=actor,
        action=AuditAction.TENDER_CREATED,
        target=tender,
        summary=f"Created tender {tender}",
        data={
            "points": {"quality": points[0], "social_value": points[1], "price": points[2]},
            "method": evaluation_method,
            "lots": len(lots),
            "questions": len(questions),
            "panel": [user.get_username() for user, _ in panel],
        },
    )
    return tender


@transaction.atomic
def bid_record(*, actor: User | None, lot: TenderLot, provider: Provider, price: Decimal) -> Bid:
    """Record a bid received for a lot (before scoring opens)."""
    _locked(lot.tender, TenderStatus.SETUP)
    if price <= 0:
        raise ValidationError("A bid's price must be above zero.")
    bid, _ = Bid.objects.update_or_create(lot=lot, provider=provider, defaults={"price": price})
    audit_record(
        actor=actor,
        action=AuditAction.BID_RECORDED,
        target=lot.tender,
        summary=f"Recorded {provider}'s bid for {lot}",
        data={"bid": bid.pk, "price": price},
    )
    return bid


@transaction.atomic
def evaluator_add(*, actor: User | None, tender: Tender, user: User, organisation: str = "") -> Evaluator:
    """Name another panel member after the tender was created; only before moderation, so they can still score."""
    locked = _locked(tender, TenderStatus.SETUP, TenderStatus.SCORING)
    if Evaluator.objects.filter(tender=locked, user=user).exists():
        raise ValidationError(f"{user.get_username()} is already on the panel.")
    evaluator = Evaluator.objects.create(tender=locked, user=user, organisation=organisation.strip())
    audit_record(
        actor=actor,
        action=AuditAction.EVALUATOR_ADDED,
        target=locked,
        summary=f"Added {user.get_username()} to the evaluation panel of {locked}",
        data={"evaluator": user.get_username(), "organisation": evaluator.organisation},
    )
    return evaluator


@transaction.atomic
def tender_open_scoring(*, actor: User, tender: Tender) -> Tender:
    locked = _locked(tender, TenderStatus.SETUP)
    if not Bid.objects.filter(lot__tender=locked).exists():
        raise ValidationError("Record the bids before scoring opens.")
    if not locked.evaluators.exists():
        raise ValidationError("Name the evaluation panel before scoring opens.")
    locked.status = TenderStatus.SCORING
    locked.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action=AuditAction.TENDER_SCORING_OPENED,
        target=locked,
        summary=f"Opened independent scoring of {locked}",
    )
    return locked


def _evaluator_for(tender: Tender, user: User) -> Evaluator:
    evaluator = Evaluator.objects.filter(tender=tender, user=user).first()
    if evaluator is None:
        raise PermissionDenied("You are not on this tender's evaluation panel.")
    return evaluator


@transaction.atomic
def conflict_of_interest_declare(
    *, evaluator_user: User, tender: Tender, declaration: str, conflicted_bid_ids: Sequence[int] = ()
) -> Evaluator:
    """The evaluator's own declaration; bids they are conflicted on are withheld from them."""
    _locked(tender, TenderStatus.SETUP, TenderStatus.SCORING)
    evaluator = _evaluator_for(tender, evaluator_user)
    if evaluator.declared_at is not None:
        raise ValidationError("You have already made your declaration for this tender.")
    if not declaration.strip():
        raise ValidationError("Write your declaration, even if it is that you have no conflict of interest.")
    bids = list(Bid.objects.filter(lot__tender=tender, pk__in=conflicted_bid_ids))
    if len(bids) != len(set(conflicted_bid_ids)):
        raise ValidationError("Choose only bids in this tender.")
    evaluator.declaration = declaration.strip()
    evaluator.declared_at = timezone.now()
    evaluator.save(update_fields=["declaration", "declared_at"])
    evaluator.conflicted_bids.set(bids)
    audit_record(
        actor=evaluator_user,
        action=AuditAction.CONFLICT_OF_INTEREST_DECLARED,
        target=tender,
        summary=f"{evaluator_user.get_username()} declared: "
        + ("conflicted on " + ", ".join(str(b.provider) for b in bids) if bids else "no conflict"),
        reason=evaluator.declaration,
        data={"conflicted_bids": [bid.pk for bid in bids]},
    )
    return evaluator


@transaction.atomic
def independent_score_record(
    *, evaluator_user: User, bid: Bid, question: TenderQuestion, score: int, comment: str = ""
) -> IndependentScore:
    """An evaluator's own score; it may change until moderation starts. Nobody else sees it before then."""
    tender = _locked(bid.lot.tender, TenderStatus.SCORING)
    if question.tender_id != tender.pk:
        raise ValidationError("That question belongs to another tender.")
    evaluator = _evaluator_for(tender, evaluator_user)
    if evaluator.declared_at is None:
        raise PermissionDenied("Declare any conflict of interest before scoring.")
    if evaluator.conflicted_bids.filter(pk=bid.pk).exists():
        raise PermissionDenied("You declared a conflict of interest with this bidder, so you cannot score it.")
    if not 0 <= score <= tender.scale_max:
        raise ValidationError(f"Score on the 0 to {tender.scale_max} scale.")
    record, _ = IndependentScore.objects.update_or_create(
        bid=bid,
        question=question,
        evaluator=evaluator,
        defaults={"score": score, "comment": comment.strip(), "scored_at": timezone.now()},
    )
    # The score itself stays out of the summary: the tender's history is visible to the whole panel.
    audit_record(
        actor=evaluator_user,
        action=AuditAction.INDEPENDENT_SCORE_RECORDED,
        target=tender,
        summary=f"{evaluator_user.get_username()} scored Q{question.number} for {bid.provider}",
        data={"bid": bid.pk, "question": question.pk, "score": score},
    )
    return record


def missing_scores(tender: Tender) -> list[str]:
    """Each declared, unconflicted evaluator must have scored every question of every bid."""
    questions = list(tender.questions.all())
    bids = list(Bid.objects.filter(lot__tender=tender).select_related("provider"))
    given = set(
        IndependentScore.objects.filter(bid__lot__tender=tender).values_list("evaluator_id", "bid_id", "question_id")
    )
    missing = []
    for evaluator in tender.evaluators.select_related("user").prefetch_related("conflicted_bids"):
        if evaluator.declared_at is None:
            missing.append(f"{evaluator.user.get_username()} has not declared conflicts of interest")
            continue
        conflicted = {bid.pk for bid in evaluator.conflicted_bids.all()}
        gaps = sum(
            1
            for bid in bids
            if bid.pk not in conflicted
            for question in questions
            if (evaluator.pk, bid.pk, question.pk) not in given
        )
        if gaps:
            missing.append(f"{evaluator.user.get_username()} has {gaps} score(s) to give")
    return missing


@transaction.atomic
def tender_start_moderation(*, actor: User, tender: Tender) -> Tender:
    locked = _locked(tender, TenderStatus.SCORING)
    missing = missing_scores(locked)
    if missing:
        raise ValidationError("Independent scoring is not finished: " + "; ".join(missing) + ".")
    locked.status = TenderStatus.MODERATION
    locked.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action=AuditAction.TENDER_MODERATION_STARTED,
        target=locked,
        summary=f"Started moderation of {locked}",
    )
    return locked


@transaction.atomic
def moderated_score_agree(
    *, actor: User, bid: Bid, question: TenderQuestion, score: int, rationale: str = ""
) -> ModeratedScore:
    """Record the panel's consensus. A rationale may follow later, but moderation cannot finish without it."""
    tender = _locked(bid.lot.tender, TenderStatus.MODERATION)
    if question.tender_id != tender.pk:
        raise ValidationError("That question belongs to another tender.")
    if not 0 <= score <= tender.scale_max:
        raise ValidationError(f"Score on the 0 to {tender.scale_max} scale.")
    scores = list(IndependentScore.objects.filter(bid=bid, question=question).values_list("score", flat=True))
    moderated, _ = ModeratedScore.objects.update_or_create(
        bid=bid,
        question=question,
        defaults={
            "score": score,
            "rationale": rationale.strip(),
            "spread": scoring.divergence(scores),
            "moderated_by": actor,
            "moderated_at": timezone.now(),
        },
    )
    audit_record(
        actor=actor,
        action=AuditAction.MODERATED_SCORE_AGREED,
        target=tender,
        summary=f"Agreed Q{question.number} for {bid.provider}: {score}",
        reason=moderated.rationale,
        data={"bid": bid.pk, "question": question.pk, "independent": scores},
    )
    return moderated


def moderation_gaps(tender: Tender) -> list[str]:
    """What stops moderation finishing: a missing consensus, or a divergent score with no rationale."""
    gaps = []
    moderated = {(m.bid_id, m.question_id): m for m in ModeratedScore.objects.filter(bid__lot__tender=tender)}
    for bid in Bid.objects.filter(lot__tender=tender).select_related("provider", "lot"):
        for question in tender.questions.all():
            agreed = moderated.get((bid.pk, question.pk))
            if agreed is None:
                gaps.append(f"{bid.provider} ({bid.lot}) Q{question.number} has no agreed score")
            elif agreed.spread > tender.divergence_threshold and not agreed.rationale:
                gaps.append(
                    f"{bid.provider} ({bid.lot}) Q{question.number}: the scores differed by {agreed.spread}, "
                    "so the agreed score needs a rationale"
                )
    return gaps


@transaction.atomic
def tender_finish_moderation(*, actor: User, tender: Tender) -> Tender:
    locked = _locked(tender, TenderStatus.MODERATION)
    gaps = moderation_gaps(locked)
    if gaps:
        raise ValidationError("Moderation cannot finish yet: " + "; ".join(gaps) + ".")
    locked.status = TenderStatus.MODERATED
    locked.save(update_fields=["status"])
    audit_record(
        actor=actor, action=AuditAction.TENDER_MODERATED, target=locked, summary=f"Finished moderation of {locked}"
    )
    return locked


def evaluation_model(tender: Tender) -> scoring.EvaluationModel:
    questions = [q for q in tender.questions.all() if not q.is_social_value]
    return scoring.EvaluationModel(
        quality_weight=tender.quality_weight,
        price_weight=tender.price_weight,
        social_value_weight=tender.social_value_weight,
        social_value_mode=scoring.SocialValueMode(tender.social_value_mode),
        method=scoring.EvaluationMethod(tender.evaluation_method),
        questions=tuple(
            scoring.QuestionSpec(str(q.pk), q.weight, tender.scale_max, q.minimum_score) for q in questions
        ),
        social_value_scale_max=tender.scale_max,
        minimum_quality_percent=tender.minimum_quality_percent,
    )


def lot_result(lot: TenderLot) -> scoring.LotResult:
    """Score a lot from its moderated scores (pure arithmetic over the stored consensus)."""
    tender = lot.tender
    model = evaluation_model(tender)
    social = next((q for q in tender.questions.all() if q.is_social_value), None)
    bids = list(lot.bids.all())
    agreed = {(m.bid_id, m.question_id): m.score for m in ModeratedScore.objects.filter(bid__lot=lot)}
    facts = [
        scoring.BidFacts(
            key=str(bid.pk),
            price=bid.price,
            scores={spec.key: agreed[(bid.pk, int(spec.key))] for spec in model.questions},
            social_value_score=agreed[(bid.pk, social.pk)] if social else 0,
        )
        for bid in bids
    ]
    return scoring.score_lot(model, facts)


@transaction.atomic
def tender_recommend(*, actor: User, tender: Tender, on: date | None = None) -> Tender:
    """Rank each lot, recommend its lead and additional providers, and start the standstill period.

    1. Score each lot from the moderated scores; store every bid's points, rank and compliance.
    2. The first-ranked compliant bid leads (where the lot has a lead); the next ones are additional providers.
    3. Standstill runs ``standstill_working_days`` working days from the day of the recommendation.
    """
    locked = _locked(tender, TenderStatus.MODERATED)
    day = on or timezone.localdate()
    gaps: dict[str, int] = {}
    for lot in locked.lots.all():
        result = lot_result(lot)
        places = lot.lead_places + lot.additional_places
        for bid_result in result.bids:
            role = RecommendedRole.NOT_APPOINTED
            if bid_result.rank is not None and bid_result.rank <= places:
                role = RecommendedRole.LEAD if bid_result.rank <= lot.lead_places else RecommendedRole.ADDITIONAL
            Bid.objects.filter(pk=int(bid_result.key)).update(
                quality_points=bid_result.quality_points,
                social_value_points=bid_result.social_value_points,
                price_points=bid_result.price_points,
                total_points=bid_result.total,
                compliant=bid_result.compliant,
                failures=list(bid_result.failures),
                rank=bid_result.rank,
                recommended_role=role,
            )
        ranked = sum(1 for bid_result in result.bids if bid_result.rank is not None)
        if ranked < places:
            gaps[str(lot)] = places - ranked  # Nottinghamshire re-tenders a lot left short of providers
    locked.status = TenderStatus.STANDSTILL
    locked.recommended_at = timezone.now()
    locked.standstill_starts_on = day
    locked.standstill_ends_on = add_working_days(day, locked.standstill_working_days)
    locked.save(update_fields=["status", "recommended_at", "standstill_starts_on", "standstill_ends_on"])
    audit_record(
        actor=actor,
        action=AuditAction.TENDER_RECOMMENDED,
        target=locked,
        summary=f"Recommended the award of {locked}; standstill ends {locked.standstill_ends_on:%d %b %Y}",
        data={"places_unfilled": gaps, "standstill": [locked.standstill_starts_on, locked.standstill_ends_on]},
    )
    return locked


@transaction.atomic
def tender_award(*, actor: User, tender: Tender, on: date | None = None) -> list[Bid]:
    """After standstill, appoint each recommended bidder to the agreement (its lot's lead or additional provider)."""
    locked = _locked(tender, TenderStatus.STANDSTILL)
    day = on or timezone.localdate()
    if locked.standstill_ends_on is None or day <= locked.standstill_ends_on:
        raise ValidationError(f"Standstill runs until the end of {locked.standstill_ends_on:%d %B %Y}; award after it.")
    awarded = []
    bids = Bid.objects.filter(lot__tender=locked).exclude(recommended_role__in=["", RecommendedRole.NOT_APPOINTED])
    for bid in bids.select_related("lot__contract_lot", "provider").order_by("lot__number", "rank"):
        contract_lot = bid.lot.contract_lot
        role = MembershipRole(bid.recommended_role) if contract_lot else MembershipRole.DPS_MEMBER
        bid.membership = membership_appoint(
            actor=actor,
            agreement=locked.agreement,
            provider=bid.provider,
            role=role,
            lot=contract_lot,
            appointed_on=day,
            reason=f"Awarded through tender {locked.reference}",
        )
        bid.save(update_fields=["membership"])
        awarded.append(bid)
    locked.status = TenderStatus.AWARDED
    locked.awarded_at = timezone.now()
    locked.save(update_fields=["status", "awarded_at"])
    audit_record(
        actor=actor,
        action=AuditAction.TENDER_AWARDED,
        target=locked,
        summary=f"Awarded {locked}: {len(awarded)} membership(s) created",
        data={"memberships": [bid.membership_id for bid in awarded]},
    )
    return awarded


def moment(day: date) -> datetime:
    return timezone.make_aware(datetime.combine(day, datetime.min.time()))
