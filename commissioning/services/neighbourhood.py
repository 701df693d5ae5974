"""The CHWS neighbourhood model: hours banks, referrals with outcomes, team records, reviews and model moves."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction

from commissioning.models import (
    CareModel,
    CareModelMove,
    HoursBank,
    HoursBankWeek,
    NeighbourhoodAgreement,
    OutcomeProgress,
    OutcomeReview,
    OutcomeStatus,
    Referral,
    ReferralOutcome,
    TeamRecord,
    WorkforceMeasure,
)
from contracts.models import Agreement
from homecare.audit.actions import AuditAction
from homecare.audit.services import audit_record
from providers.models import LocalityArea, Provider

CHWS_OBJECTIVES = [
    "People's experience of care and their outcomes",
    "The experience and outcomes of informal carers",
    "Care workers' pay",
    "Recruitment and retention",
    "A career pathway",
    "Job satisfaction",
]


@transaction.atomic
def neighbourhood_agreement_create(
    *, actor: User | None, agreement: Agreement, pilot_started_on: date | None = None
) -> NeighbourhoodAgreement:
    """Make an agreement the neighbourhood model: its teams hold hours banks instead of buying time and task."""
    neighbourhood, created = NeighbourhoodAgreement.objects.get_or_create(
        agreement=agreement, defaults={"pilot_started_on": pilot_started_on, "objectives": CHWS_OBJECTIVES}
    )
    if created:
        audit_record(
            actor=actor,
            action=AuditAction.NEIGHBOURHOOD_AGREEMENT_CREATED,
            target=neighbourhood,
            summary=f"{agreement} runs the neighbourhood model",
        )
    return neighbourhood


@transaction.atomic
def hours_bank_create(
    *,
    actor: User | None,
    neighbourhood: NeighbourhoodAgreement,
    area: LocalityArea,
    team_name: str,
    weekly_hours: Decimal,
    starts_on: date,
    is_pilot: bool = False,
    provider: Provider | None = None,
) -> HoursBank:
    if weekly_hours <= 0:
        raise ValidationError("An hours bank needs weekly hours above zero.")
    bank = HoursBank.objects.create(
        neighbourhood=neighbourhood,
        area=area,
        team_name=team_name,
        weekly_hours=weekly_hours,
        starts_on=starts_on,
        is_pilot=is_pilot,
        provider=provider,
    )
    audit_record(
        actor=actor,
        action=AuditAction.HOURS_BANK_CREATED,
        target=bank,
        summary=f"{team_name} holds {weekly_hours} hours a week for {area}" + (" (pilot)" if is_pilot else ""),
    )
    return bank


@transaction.atomic
def hours_bank_use_record(
    *,
    actor: User | None,
    bank: HoursBank,
    week_starting: date,
    hours_used: Decimal,
    hours_available: Decimal | None = None,
) -> HoursBankWeek:
    """Record one week's use of the bank (again for the same week replaces it)."""
    if week_starting.weekday() != 0:
        raise ValidationError("A week starts on a Monday.")
    if hours_used < 0:
        raise ValidationError("Hours used cannot be negative.")
    week, _ = HoursBankWeek.objects.update_or_create(
        bank=bank,
        week_starting=week_starting,
        defaults={"hours_used": hours_used, "hours_available": hours_available or bank.weekly_hours},
    )
    audit_record(
        actor=actor,
        action=AuditAction.HOURS_BANK_USE_RECORDED,
        target=bank,
        summary=f"Week of {week_starting:%d %b %Y}: {hours_used} of {week.hours_available} hours used",
    )
    return week


@transaction.atomic
def referral_receive(
    *,
    actor: User | None,
    bank: HoursBank,
    person_reference: str,
    referred_on: date,
    outcomes: Sequence[str],
    referred_by: str = "",
    origin_package_id: int | None = None,
) -> Referral:
    """A person is referred with agreed outcomes, not visits."""
    outcomes = [text.strip() for text in outcomes if text.strip()]
    if not outcomes:
        raise ValidationError("Agree at least one outcome with the person.")
    if not person_reference.strip():
        raise ValidationError("Give the person's reference.")
    referral = Referral.objects.create(
        bank=bank,
        person_reference=person_reference.strip(),
        referred_on=referred_on,
        referred_by=referred_by,
        origin_package_id=origin_package_id,
    )
    ReferralOutcome.objects.bulk_create(
        ReferralOutcome(referral=referral, description=text, agreed_on=referred_on) for text in outcomes
    )
    audit_record(
        actor=actor,
        action=AuditAction.REFERRAL_RECEIVED,
        target=referral,
        summary=f"Referral {referral.person_reference} to {bank.team_name} with {len(outcomes)} outcome(s)",
    )
    return referral


@transaction.atomic
def referral_start(*, actor: User | None, referral: Referral, started_on: date) -> Referral:
    if started_on < referral.referred_on:
        raise ValidationError("Support cannot start before the referral.")
    referral.started_on = started_on
    referral.save(update_fields=["started_on"])
    audit_record(
        actor=actor,
        action=AuditAction.REFERRAL_STARTED,
        target=referral,
        summary=f"Support started {started_on:%d %b %Y}, "
        f"{(started_on - referral.referred_on).days} days after referral",
    )
    return referral


@transaction.atomic
def team_record_add(
    *,
    actor: User | None,
    referral: Referral,
    recorded_on: date,
    hours: Decimal,
    how_met: str,
    outcome: ReferralOutcome | None = None,
) -> TeamRecord:
    if outcome is not None and outcome.referral_id != referral.pk:
        raise ValidationError("That outcome belongs to another referral.")
    if not how_met.strip():
        raise ValidationError("Record how the team met the person's outcomes.")
    record = TeamRecord.objects.create(
        referral=referral,
        outcome=outcome,
        recorded_on=recorded_on,
        hours=hours,
        how_met=how_met.strip(),
        recorded_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.TEAM_RECORD_ADDED,
        target=referral,
        summary=f"Team record {recorded_on:%d %b %Y}: {hours} hours",
    )
    return record


@transaction.atomic
def outcome_review(
    *, actor: User | None, outcome: ReferralOutcome, reviewed_on: date, progress: str, note: str = ""
) -> OutcomeReview:
    """Record progress on one outcome; "achieved" marks the outcome achieved."""
    level = OutcomeProgress(progress)
    review = OutcomeReview.objects.create(
        outcome=outcome, reviewed_on=reviewed_on, progress=level, note=note, reviewed_by=actor
    )
    if level == OutcomeProgress.ACHIEVED:
        outcome.status = OutcomeStatus.ACHIEVED
        outcome.save(update_fields=["status"])
    audit_record(
        actor=actor,
        action=AuditAction.OUTCOME_REVIEWED,
        target=outcome.referral,
        summary=f"Reviewed \u201c{outcome.description}\u201d: {level.label}",
        reason=note,
    )
    return review


@transaction.atomic
def workforce_measure_record(
    *,
    actor: User | None,
    area: LocalityArea,
    care_model: str,
    period_start: date,
    period_end: date,
    median_hourly_pay: Decimal,
    real_living_wage: Decimal,
    staff_turnover_percent: Decimal,
    carers_survey_score: Decimal,
    carers_survey_responses: int,
    source: str,
) -> WorkforceMeasure:
    measure, _ = WorkforceMeasure.objects.update_or_create(
        area=area,
        care_model=CareModel(care_model),
        period_start=period_start,
        defaults={
            "period_end": period_end,
            "median_hourly_pay": median_hourly_pay,
            "real_living_wage": real_living_wage,
            "staff_turnover_percent": staff_turnover_percent,
            "carers_survey_score": carers_survey_score,
            "carers_survey_responses": carers_survey_responses,
            "source": source,
        },
    )
    audit_record(
        actor=actor,
        action=AuditAction.WORKFORCE_MEASURE_RECORDED,
        target=measure,
        summary=f"Workforce figures for {area} ({CareModel(care_model).label}) to {period_end:%d %b %Y}",
    )
    return measure


def current_model(person_reference: str) -> str | None:
    last = CareModelMove.objects.filter(person_reference=person_reference).order_by("-moved_on", "-pk").first()
    return last.to_model if last else None


@transaction.atomic
def care_model_move(
    *,
    actor: User | None,
    person_reference: str,
    to_model: str,
    moved_on: date,
    reason: str,
    package_id: int | None = None,
    bank: HoursBank | None = None,
    outcomes: Sequence[str] = (),
) -> CareModelMove:
    """Move a person's care between time and task and a neighbourhood team, keeping the history.

    To the neighbourhood team: a referral is made to ``bank`` with the agreed outcomes. Back to time and
    task: the open referral closes; the new package is then entered through brokerage as usual.
    """
    target = CareModel(to_model)
    if not reason.strip():
        raise ValidationError("Give the reason for the move.")
    now_in = current_model(person_reference) or (
        CareModel.TIME_AND_TASK if target == CareModel.NEIGHBOURHOOD else CareModel.NEIGHBOURHOOD
    )
    if now_in == target:
        raise ValidationError(f"This person's care is already {target.label.lower()}.")
    referral = None
    if target == CareModel.NEIGHBOURHOOD:
        if bank is None:
            raise ValidationError("Choose the neighbourhood team's hours bank.")
        referral = referral_receive(
            actor=actor,
            bank=bank,
            person_reference=person_reference,
            referred_on=moved_on,
            outcomes=outcomes,
            referred_by="Moved from time and task",
            origin_package_id=package_id,
        )
    else:
        referral = (
            Referral.objects.filter(person_reference=person_reference, closed_on__isnull=True)
            .order_by("-referred_on")
            .first()
        )
        if referral is not None:
            referral.closed_on = moved_on
            referral.save(update_fields=["closed_on"])
    move = CareModelMove.objects.create(
        person_reference=person_reference,
        from_model=now_in,
        to_model=target,
        moved_on=moved_on,
        reason=reason.strip(),
        package_id=package_id,
        referral=referral,
        moved_by=actor,
    )
    audit_record(
        actor=actor,
        action=AuditAction.CARE_MODEL_CHANGED,
        target=move,
        summary=f"{person_reference}: {CareModel(now_in).label} to {target.label}",
        reason=move.reason,
    )
    return move
