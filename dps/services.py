"""Writes for DPS rounds, applications and decisions. Each writes its audit event in the same transaction."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime, time, timedelta

from django.contrib.auth.models import User
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone

from contracts.models import Agreement, MembershipRole
from contracts.services import membership_appoint
from dps import criteria
from dps.models import (
    ApplicationDecision,
    ApplicationStatus,
    CriterionResult,
    DecisionOutcome,
    DpsRound,
    ProviderApplication,
    RoundStatus,
)
from dps.schedule import planned_rounds
from homecare.audit.actions import AuditAction
from homecare.audit.services import audit_record
from homecare.webhooks.kinds import EventKind
from homecare.webhooks.outbox import event_record
from providers.geography import GeoPoint, council_boundary
from providers.models import CqcLocation
from providers.quality import CqcRatings
from providers.selectors import provider_for_user

ROUND_WINDOW_DAYS = 28
DECLARATION_FIELDS = {
    criteria.Criterion.DECLARES_CONTRACT_COMPLIANCE: "declares_contract_compliance",
    criteria.Criterion.DECLARES_STAFF_PAY_PASSED_ON: "declares_staff_pay_passed_on",
    criteria.Criterion.DECLARES_FEE_RATES_ACCEPTED: "declares_fee_rates_accepted",
}


def start_of(day: date) -> datetime:
    """Midnight at the start of ``day`` in the council's time zone (rounds open and close at midnight)."""
    return timezone.make_aware(datetime.combine(day, time.min), timezone.get_default_timezone())


# Rounds ---------------------------------------------------------------------------------------------


@transaction.atomic
def rounds_generate(
    *, actor: User | None, agreement: Agreement, window_days: int = ROUND_WINDOW_DAYS
) -> list[DpsRound]:
    """Create the agreement's scheduled rounds that do not exist yet (safe to run again).

    Each round opens at midnight on its date and stays open for ``window_days`` days.
    """
    if window_days < 1:
        raise ValidationError("A round must be open for at least one day.")
    locked = Agreement.objects.select_for_update().get(pk=agreement.pk)
    existing = set(DpsRound.objects.filter(agreement=locked).values_list("number", flat=True))
    created = []
    for planned in planned_rounds(term_start=locked.term_start, term_end=locked.effective_end):
        if planned.number in existing:
            continue
        dps_round = DpsRound.objects.create(
            agreement=locked,
            number=planned.number,
            label=planned.label,
            opens_at=start_of(planned.opens_on),
            closes_at=start_of(planned.opens_on + timedelta(days=window_days)),
        )
        created.append(dps_round)
    if created:
        audit_record(
            actor=actor,
            action=AuditAction.DPS_ROUNDS_SCHEDULED,
            target=locked,
            summary=f"Scheduled {len(created)} DPS round(s) for {locked}",
            data={"rounds": [[r.number, r.label, r.opens_at, r.closes_at] for r in created]},
        )
    return created


@transaction.atomic
def round_reschedule(
    *, actor: User, dps_round: DpsRound, opens_at: datetime, closes_at: datetime, reason: str
) -> DpsRound:
    """Move a round's dates. A scheduled round may move freely; an open one only its closing time."""
    if not reason.strip():
        raise ValidationError("Give the reason for changing the round's dates.")
    locked = DpsRound.objects.select_for_update().get(pk=dps_round.pk)
    before = [locked.opens_at, locked.closes_at]
    if locked.status == RoundStatus.OPEN and opens_at != locked.opens_at:
        raise ValidationError("This round is already open: only its closing time can change.")
    if locked.status in (RoundStatus.CLOSED, RoundStatus.CANCELLED):
        raise ValidationError(f"This round is {locked.get_status_display().lower()}; its dates cannot change.")
    if locked.status == RoundStatus.OPEN and closes_at <= timezone.now():
        raise ValidationError("An open round cannot be set to close in the past.")
    locked.opens_at, locked.closes_at = opens_at, closes_at
    locked.full_clean()
    locked.save(update_fields=["opens_at", "closes_at", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.DPS_ROUND_RESCHEDULED,
        target=locked,
        summary=f"Moved {locked} to {timezone.localtime(opens_at):%d %b %Y %H:%M} to "
        f"{timezone.localtime(closes_at):%d %b %Y %H:%M}",
        reason=reason,
        data={"before": before, "after": [opens_at, closes_at]},
    )
    return locked


@transaction.atomic
def round_cancel(*, actor: User, dps_round: DpsRound, reason: str) -> DpsRound:
    if not reason.strip():
        raise ValidationError("Give the reason for cancelling the round.")
    updated = DpsRound.objects.filter(pk=dps_round.pk, status=RoundStatus.SCHEDULED).update(
        status=RoundStatus.CANCELLED, updated_at=timezone.now()
    )
    if not updated:
        raise ValidationError("Only a scheduled round can be cancelled.")
    dps_round.refresh_from_db()
    audit_record(
        actor=actor,
        action=AuditAction.DPS_ROUND_CANCELLED,
        target=dps_round,
        summary=f"Cancelled {dps_round}",
        reason=reason,
    )
    return dps_round


@transaction.atomic
def round_open_if_due(*, round_id: int, now: datetime) -> bool:
    """Open a scheduled round whose time has come. The conditional UPDATE makes a second run a no-op."""
    updated = DpsRound.objects.filter(
        pk=round_id, status=RoundStatus.SCHEDULED, opens_at__lte=now, closes_at__gt=now
    ).update(status=RoundStatus.OPEN, opened_at=now, updated_at=now)
    if updated:
        dps_round = DpsRound.objects.get(pk=round_id)
        audit_record(actor=None, action=AuditAction.DPS_ROUND_OPENED, target=dps_round, summary=f"Opened {dps_round}")
    return bool(updated)


@transaction.atomic
def round_close_if_due(*, round_id: int, now: datetime) -> bool:
    """Close a round whose closing time has passed (also one the clock missed opening entirely)."""
    updated = DpsRound.objects.filter(
        pk=round_id, status__in=[RoundStatus.SCHEDULED, RoundStatus.OPEN], closes_at__lte=now
    ).update(status=RoundStatus.CLOSED, closed_at=now, updated_at=now)
    if updated:
        dps_round = DpsRound.objects.get(pk=round_id)
        audit_record(actor=None, action=AuditAction.DPS_ROUND_CLOSED, target=dps_round, summary=f"Closed {dps_round}")
    return bool(updated)


def rounds_sync(*, now: datetime | None = None) -> tuple[int, int]:
    """Open and close every round that is due; returns (opened, closed). Idempotent: the beat task's body."""
    moment = now or timezone.now()
    closed = sum(
        round_close_if_due(round_id=pk, now=moment)
        for pk in DpsRound.objects.filter(
            status__in=[RoundStatus.SCHEDULED, RoundStatus.OPEN], closes_at__lte=moment
        ).values_list("pk", flat=True)
    )
    opened = sum(
        round_open_if_due(round_id=pk, now=moment)
        for pk in DpsRound.objects.filter(
            status=RoundStatus.SCHEDULED, opens_at__lte=moment, closes_at__gt=moment
        ).values_list("pk", flat=True)
    )
    return opened, closed


# Applications ----------------------------------------------------------------------------------------


def _require_open(dps_round: DpsRound, now: datetime) -> None:
    if dps_round.status != RoundStatus.OPEN or now >= dps_round.closes_at:
        raise ValidationError(f"{dps_round} is not open for applications.")


def _own_application(*, provider_user: User, application: ProviderApplication) -> ProviderApplication:
    """Lock the application, refusing staff of any other provider (as if it did not exist)."""
    provider = provider_for_user(user=provider_user)
    locked = (
        ProviderApplication.objects.select_for_update(of=("self",))
        .select_related("dps_round", "provider")
        .filter(pk=application.pk, provider=provider)
        .first()
    )
    if locked is None:
        raise PermissionDenied("This application belongs to another provider.")
    return locked


@transaction.atomic
def application_start(*, provider_user: User, dps_round: DpsRound) -> ProviderApplication:
    """Start (or return) the provider's draft application in an open round."""
    provider = provider_for_user(user=provider_user)
    _require_open(dps_round, timezone.now())
    application, created = ProviderApplication.objects.get_or_create(
        dps_round=dps_round, provider=provider, defaults={"created_by": provider_user}
    )
    if created:
        audit_record(
            actor=provider_user,
            action=AuditAction.DPS_APPLICATION_STARTED,
            target=application,
            summary=f"{provider} started an application in {dps_round}",
        )
    return application


@transaction.atomic
def application_save_draft(
    *,
    provider_user: User,
    application: ProviderApplication,
    location_ids: Iterable[int],
    declarations: dict[str, bool],
) -> ProviderApplication:
    """Save the locations and declarations of a draft. Only the provider's own CQC locations can be named."""
    locked = _own_application(provider_user=provider_user, application=application)
    if locked.status != ApplicationStatus.DRAFT:
        raise ValidationError("This application has been submitted and can no longer change.")
    _require_open(locked.dps_round, timezone.now())
    wanted = set(location_ids)
    locations = list(CqcLocation.objects.filter(pk__in=wanted, provider=locked.provider))
    if len(locations) != len(wanted):
        raise ValidationError("Choose only your own organisation's CQC locations.")
    unknown = set(declarations) - set(DECLARATION_FIELDS.values())
    if unknown:
        raise ValidationError(f"Unknown declaration(s): {', '.join(sorted(unknown))}.")
    for field_name in DECLARATION_FIELDS.values():
        setattr(locked, field_name, bool(declarations.get(field_name, False)))
    locked.save(update_fields=[*DECLARATION_FIELDS.values(), "updated_at"])
    locked.locations.set(locations)
    audit_record(
        actor=provider_user,
        action=AuditAction.DPS_APPLICATION_SAVED,
        target=locked,
        summary=f"Saved draft application of {locked.provider}",
        data={"locations": sorted(loc.location_id for loc in locations), "declarations": declarations},
    )
    return locked


def location_facts(location: CqcLocation) -> criteria.LocationFacts:
    ratings = location.current_rating.as_ratings() if location.current_rating else CqcRatings.not_yet_rated()
    point: GeoPoint | None = None
    if location.latitude is not None and location.longitude is not None:
        point = GeoPoint(location.latitude, location.longitude)
    return criteria.LocationFacts(
        location_id=location.location_id,
        name=location.name,
        registration_status=location.registration_status,
        is_homecare_agency=location.is_homecare_agency,
        ratings=ratings,
        point=point,
        postcode=location.postcode,
        local_authority=location.local_authority,
    )


def application_facts(application: ProviderApplication) -> criteria.ApplicationFacts:
    locations = application.locations.select_related("current_rating").order_by("location_id")
    return criteria.ApplicationFacts(
        locations=tuple(location_facts(loc) for loc in locations),
        declarations={crit: bool(getattr(application, name)) for crit, name in DECLARATION_FIELDS.items()},
    )


def council_nearness() -> criteria.NearnessTest:
    """The deployment's nearness test: distance to the configured council boundary polygon."""
    return criteria.BoundaryDistance(council_boundary())


@transaction.atomic
def application_evaluate(
    *, application: ProviderApplication, actor: User | None = None, nearness: criteria.NearnessTest | None = None
) -> list[CriterionResult]:
    """Evaluate every published criterion now, replacing any earlier results, and store the evidence."""
    locked = ProviderApplication.objects.select_for_update().get(pk=application.pk)
    if locked.status not in (ApplicationStatus.SUBMITTED,):
        raise ValidationError("Only a submitted application awaiting a decision can be evaluated.")
    checks = criteria.evaluate(application_facts(locked), nearness or council_nearness())
    now = timezone.now()
    CriterionResult.objects.filter(application=locked).delete()
    results = CriterionResult.objects.bulk_create(
        CriterionResult(
            application=locked,
            criterion=check.criterion.value,
            position=position,
            title=check.title,
            passed=check.passed,
            reason=check.reason,
            evidence=check.evidence,
            evaluated_at=now,
        )
        for position, check in enumerate(checks, start=1)
    )
    locked.evaluated_at = now
    locked.save(update_fields=["evaluated_at", "updated_at"])
    failed = [check.title for check in checks if not check.passed]
    audit_record(
        actor=actor,
        action=AuditAction.DPS_APPLICATION_EVALUATED,
        target=locked,
        summary=f"Evaluated {locked}: " + ("every criterion passed" if not failed else f"failed {', '.join(failed)}"),
        data={"results": {check.criterion.value: check.passed for check in checks}},
    )
    return results


@transaction.atomic
def application_submit(
    *, provider_user: User, application: ProviderApplication, nearness: criteria.NearnessTest | None = None
) -> ProviderApplication:
    """Submit a draft while its round is open, then evaluate it automatically.

    1. Lock the round row, so a submission and the round closing are serialised.
    2. Refuse unless the round is open and the application is a draft naming at least one location.
    3. Mark it submitted and evaluate every criterion in the same transaction.
    """
    locked = _own_application(provider_user=provider_user, application=application)
    dps_round = DpsRound.objects.select_for_update().get(pk=locked.dps_round_id)
    now = timezone.now()
    _require_open(dps_round, now)
    if locked.status != ApplicationStatus.DRAFT:
        raise ValidationError("This application has already been submitted.")
    if not locked.locations.exists():
        raise ValidationError("Choose at least one CQC location before submitting.")
    locked.status = ApplicationStatus.SUBMITTED
    locked.submitted_at = now
    locked.submitted_by = provider_user
    locked.save(update_fields=["status", "submitted_at", "submitted_by", "updated_at"])
    audit_record(
        actor=provider_user,
        action=AuditAction.DPS_APPLICATION_SUBMITTED,
        target=locked,
        summary=f"{locked.provider} submitted its application in {dps_round}",
    )
    application_evaluate(application=locked, actor=None, nearness=nearness)
    return locked


@transaction.atomic
def application_decide(
    *,
    officer: User,
    application: ProviderApplication,
    outcome: str,
    reasons: str,
    override_justification: str = "",
    appointed_on: date | None = None,
) -> ApplicationDecision:
    """Record the officer's decision; appointing creates the provider's DPS membership.

    A decision that goes against the automatic result (appointing a failing application or rejecting a
    passing one) is an override and needs a written justification.
    """
    outcome = DecisionOutcome(outcome)
    if not reasons.strip():
        raise ValidationError("Give the reasons for the decision; they go into the letter.")
    locked = (
        ProviderApplication.objects.select_for_update(of=("self",))
        .select_related("dps_round__agreement", "provider")
        .get(pk=application.pk)
    )
    if locked.status != ApplicationStatus.SUBMITTED:
        raise ValidationError(f"This application is {locked.get_status_display().lower()}, not awaiting a decision.")
    automatic = locked.automatic_result_passed
    if automatic is None:
        raise ValidationError("The application has not been evaluated yet.")
    is_override = (outcome == DecisionOutcome.APPOINT) != automatic
    if is_override and not override_justification.strip():
        raise ValidationError(
            "This decision goes against the automatic evaluation: write the justification for the override."
        )
    now = timezone.now()
    membership = None
    if outcome == DecisionOutcome.APPOINT:
        membership = membership_appoint(
            actor=officer,
            agreement=locked.dps_round.agreement,
            provider=locked.provider,
            role=MembershipRole.DPS_MEMBER,
            appointed_on=appointed_on or timezone.localdate(),
            reason=f"Appointed through {locked.dps_round}",
        )
    decision = ApplicationDecision.objects.create(
        application=locked,
        outcome=outcome,
        reasons=reasons.strip(),
        automatic_passed=automatic,
        is_override=is_override,
        override_justification=override_justification.strip() if is_override else "",
        decided_by=officer,
        decided_at=now,
        membership=membership,
    )
    locked.status = ApplicationStatus.APPOINTED if outcome == DecisionOutcome.APPOINT else ApplicationStatus.REJECTED
    locked.save(update_fields=["status", "updated_at"])
    audit_record(
        actor=officer,
        action=AuditAction.DPS_APPLICATION_DECIDED,
        target=locked,
        summary=f"{outcome.label}: {locked.provider} ({'override' if is_override else 'as evaluated'})",
        reason=reasons.strip(),
        data={
            "outcome": outcome.value,
            "automatic_passed": automatic,
            "is_override": is_override,
            "override_justification": decision.override_justification,
            "membership": membership.pk if membership else None,
        },
    )
    event_record(
        kind=EventKind.DPS_APPLICATION_DECIDED,
        ordering_key=f"dps_application:{locked.pk}",
        provider_id=locked.provider_id,
        payload={
            "application": {
                "id": locked.pk,
                "dps_round_id": locked.dps_round_id,
                "provider_id": locked.provider_id,
                "status": locked.status,
                "outcome": outcome.value,
                "decided_at": now,
                "membership_id": membership.pk if membership else None,
                "url": f"/api/v1/dps-applications/{locked.pk}/",
            }
        },
    )
    return decision
