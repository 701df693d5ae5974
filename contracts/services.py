"""Writes to agreements, lots, memberships and fee rates. Each writes its audit event in the same transaction."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction

from contracts.models import (
    Agreement,
    AgreementExtension,
    AllocationPolicy,
    FeeRate,
    LocalityRule,
    Lot,
    MembershipRole,
    MembershipStatus,
    PlacementDeadline,
    ProviderMembership,
    Urgency,
)
from homecare.audit.actions import AuditAction
from homecare.audit.services import audit_record
from providers.models import Provider

AGREEMENT_FIELDS = (
    "name",
    "reference",
    "procurement_route",
    "council_name",
    "term_start",
    "term_end",
    "indicative_annual_budget",
    "budget_year",
    "allocation_policy",
    "response_window_hours",
    "cascade_offer_timeout_hours",
    "lead_first_refusal_hours",
    "locality_rule",
    "retention_after_end_years",
    "retention_after_cancel_days",
    "retention_draft_days",
    "suspension_retainer_days",
)


@dataclass(frozen=True)
class ExtensionOption:
    length_months: int
    taken_on: date | None = None


def _validated(instance: Any, *, exclude: list[str] | None = None) -> None:
    """Run the model's own validation (field rules and constraints) so bad input is a ValidationError."""
    instance.full_clean(exclude=exclude)


def _agreement_data(agreement: Agreement) -> dict[str, Any]:
    return {field: getattr(agreement, field) for field in AGREEMENT_FIELDS}


@transaction.atomic
def agreement_create(
    *,
    actor: User | None,
    name: str,
    reference: str,
    procurement_route: str,
    council_name: str,
    term_start: date,
    term_end: date,
    indicative_annual_budget: Decimal | None = None,
    budget_year: str = "",
    allocation_policy: str = AllocationPolicy.RANKED_DPS,
    response_window_hours: int = 24,
    cascade_offer_timeout_hours: int = 4,
    lead_first_refusal_hours: int = 24,
    locality_rule: str = LocalityRule.OFFICE_DISTANCE,
    retention_after_end_years: int = 8,
    retention_after_cancel_days: int = 365,
    retention_draft_days: int = 90,
    suspension_retainer_days: int = 0,
    extensions: list[ExtensionOption] | None = None,
    placement_deadlines: Mapping[str, int | DeadlineTerms] | None = None,
) -> Agreement:
    """Create an agreement with its extension options (in order) and placement deadlines by urgency."""
    agreement = Agreement(
        name=name,
        reference=reference,
        procurement_route=procurement_route,
        council_name=council_name,
        term_start=term_start,
        term_end=term_end,
        indicative_annual_budget=indicative_annual_budget,
        budget_year=budget_year,
        allocation_policy=allocation_policy,
        response_window_hours=response_window_hours,
        cascade_offer_timeout_hours=cascade_offer_timeout_hours,
        lead_first_refusal_hours=lead_first_refusal_hours,
        locality_rule=locality_rule,
        retention_after_end_years=retention_after_end_years,
        retention_after_cancel_days=retention_after_cancel_days,
        retention_draft_days=retention_draft_days,
        suspension_retainer_days=suspension_retainer_days,
    )
    _validated(agreement)
    agreement.save()
    for sequence, option in enumerate(extensions or [], start=1):
        extension = AgreementExtension(
            agreement=agreement,
            sequence=sequence,
            length_months=option.length_months,
            taken=option.taken_on is not None,
            taken_on=option.taken_on,
        )
        _validated(extension)
        extension.save()
    recorded: dict[str, dict[str, Any]] = {}
    for urgency, value in (placement_deadlines or {}).items():
        terms = _terms(value)
        window = terms.response_window_hours or DEFAULT_RESPONSE_WINDOW_HOURS.get(urgency)
        deadline = PlacementDeadline(
            agreement=agreement,
            urgency=Urgency(urgency),
            hours=terms.hours,
            response_window_hours=window,
            working_hours_only=terms.working_hours_only,
        )
        _validated(deadline)
        deadline.save()
        recorded[urgency] = {
            "hours": terms.hours,
            "response_window_hours": window,
            "working_hours_only": terms.working_hours_only,
        }
    audit_record(
        actor=actor,
        action=AuditAction.AGREEMENT_CREATED,
        target=agreement,
        summary=f"Created agreement {agreement}",
        data={
            **_agreement_data(agreement),
            "extensions": [e.length_months for e in extensions or []],
            "placement_deadlines": recorded,
        },
    )
    return agreement


@dataclass(frozen=True)
class DeadlineTerms:
    """An urgency's terms as an officer sets them: place within ``hours``; providers answer within
    ``response_window_hours`` (None: the agreement's window); count working hours only, or clock hours."""

    hours: int
    response_window_hours: int | None = None
    working_hours_only: bool = False


# A new agreement's response window for an urgency the officer leaves unset: a hospital discharge cannot wait a
# day for answers (the person is waiting on a ward). Routine packages keep the agreement's window (24 hours).
DEFAULT_RESPONSE_WINDOW_HOURS: dict[str, int] = {Urgency.HOSPITAL_DISCHARGE: 2, Urgency.URGENT: 4}


def _terms(value: int | DeadlineTerms) -> DeadlineTerms:
    return value if isinstance(value, DeadlineTerms) else DeadlineTerms(hours=value)


@transaction.atomic
def agreement_update(*, actor: User | None, agreement: Agreement, reason: str = "", **changes: Any) -> Agreement:
    """Change an agreement's terms or allocation policy; the audit event lists each change (before, after)."""
    unknown = set(changes) - set(AGREEMENT_FIELDS)
    if unknown:
        raise ValidationError(f"Cannot change {', '.join(sorted(unknown))} here.")
    locked = Agreement.objects.select_for_update().get(pk=agreement.pk)
    before = _agreement_data(locked)
    for field, value in changes.items():
        setattr(locked, field, value)
    _validated(locked)
    changed = {f: [before[f], getattr(locked, f)] for f in changes if before[f] != getattr(locked, f)}
    if not changed:
        return locked
    locked.save(update_fields=[*changed, "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.AGREEMENT_UPDATED,
        target=locked,
        summary=f"Changed {', '.join(changed)} of {locked}",
        reason=reason,
        data={"changes": changed},
    )
    return locked


@transaction.atomic
def agreement_update_with_deadlines(
    *,
    actor: User | None,
    agreement: Agreement,
    reason: str,
    placement_deadlines: Mapping[str, int | DeadlineTerms],
    **changes: Any,
) -> Agreement:
    """The officer's edit page: terms and placement deadlines saved together, or neither."""
    updated = agreement_update(actor=actor, agreement=agreement, reason=reason, **changes)
    current = {
        row.urgency: DeadlineTerms(row.hours, row.response_window_hours, row.working_hours_only)
        for row in PlacementDeadline.objects.filter(agreement=updated)
    }
    for urgency, value in placement_deadlines.items():
        terms = _terms(value)
        if current.get(urgency) != terms:
            placement_deadline_set(
                actor=actor,
                agreement=updated,
                urgency=urgency,
                hours=terms.hours,
                response_window_hours=terms.response_window_hours,
                working_hours_only=terms.working_hours_only,
            )
    return updated


@transaction.atomic
def placement_deadline_set(
    *,
    actor: User | None,
    agreement: Agreement,
    urgency: str,
    hours: int,
    response_window_hours: int | None = None,
    working_hours_only: bool = False,
) -> PlacementDeadline:
    deadline, created = PlacementDeadline.objects.select_for_update().get_or_create(
        agreement=agreement, urgency=Urgency(urgency), defaults={"hours": hours}
    )
    previous = None if created else deadline.hours
    deadline.hours = hours
    deadline.response_window_hours = response_window_hours
    deadline.working_hours_only = working_hours_only
    _validated(deadline)
    deadline.save()
    counted = "working hours" if working_hours_only else "hours"
    window = f"{response_window_hours} {counted}" if response_window_hours else "the agreement's window"
    audit_record(
        actor=actor,
        action=AuditAction.PLACEMENT_DEADLINE_SET,
        target=agreement,
        summary=f"{deadline.get_urgency_display()} packages must be placed within {hours} {counted}; "
        f"providers answer within {window}",
        data={
            "urgency": urgency,
            "hours": hours,
            "previous_hours": previous,
            "response_window_hours": response_window_hours,
            "working_hours_only": working_hours_only,
        },
    )
    return deadline


@transaction.atomic
def extension_take(*, actor: User | None, extension: AgreementExtension, taken_on: date, reason: str) -> Agreement:
    """Take an extension option. Options are taken in order: the second only after the first."""
    locked = AgreementExtension.objects.select_for_update().select_related("agreement").get(pk=extension.pk)
    if locked.taken:
        raise ValidationError("This extension has already been taken.")
    earlier_not_taken = AgreementExtension.objects.filter(
        agreement_id=locked.agreement_id, sequence__lt=locked.sequence, taken=False
    ).exists()
    if earlier_not_taken:
        raise ValidationError("Take the earlier extension options first.")
    agreement = locked.agreement
    before = agreement.effective_end
    locked.taken = True
    locked.taken_on = taken_on
    locked.save(update_fields=["taken", "taken_on"])
    agreement = Agreement.objects.prefetch_related("extensions").get(pk=agreement.pk)
    audit_record(
        actor=actor,
        action=AuditAction.AGREEMENT_EXTENDED,
        target=agreement,
        summary=f"Took extension {locked.sequence} ({locked.length_months} months): now ends {agreement.effective_end}",
        reason=reason,
        data={"sequence": locked.sequence, "previous_end": before, "effective_end": agreement.effective_end},
    )
    return agreement


@transaction.atomic
def lot_create(*, actor: User | None, agreement: Agreement, number: int, name: str, **extra: Any) -> Lot:
    lot = Lot(agreement=agreement, number=number, name=name, **extra)
    _validated(lot)
    lot.save()
    audit_record(actor=actor, action=AuditAction.LOT_CREATED, target=lot, summary=f"Added {lot} to {agreement}")
    return lot


@transaction.atomic
def membership_appoint(
    *,
    actor: User | None,
    agreement: Agreement,
    provider: Provider,
    role: str = MembershipRole.DPS_MEMBER,
    lot: Lot | None = None,
    appointed_on: date,
    reason: str = "",
) -> ProviderMembership:
    """Appoint a provider to the agreement (or to a lot as lead or additional provider).

    The database refuses a second current lead for a lot and a second current membership of the same
    provider in the same place; both surface as a ValidationError with a plain message.
    """
    if lot is not None and lot.agreement_id != agreement.pk:
        raise ValidationError("That lot belongs to another agreement.")
    if role != MembershipRole.DPS_MEMBER and lot is None:
        raise ValidationError("Lead and additional providers are appointed to a lot.")
    membership = ProviderMembership(
        agreement=agreement,
        provider=provider,
        lot=lot,
        role=MembershipRole(role),
        status=MembershipStatus.APPOINTED,
        appointed_on=appointed_on,
        appointed_by=actor,
    )
    membership.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            membership.save()
    except IntegrityError as error:
        # Ask the database which rule was broken: error texts differ between PostgreSQL and SQLite.
        lead_taken = (
            lot is not None
            and role == MembershipRole.LEAD_PROVIDER
            and ProviderMembership.objects.filter(lot=lot, role=MembershipRole.LEAD_PROVIDER)
            .exclude(status=MembershipStatus.EXITED)
            .exists()
        )
        if lead_taken:
            raise ValidationError(f"{lot} already has a lead provider.") from error
        raise ValidationError(f"{provider} is already a current member here.") from error
    audit_record(
        actor=actor,
        action=AuditAction.MEMBERSHIP_APPOINTED,
        target=membership,
        summary=f"Appointed {provider} as {membership.get_role_display()}"
        + (f" for {lot}" if lot else "")
        + f" on {agreement}",
        reason=reason,
        data={"agreement": agreement.pk, "provider": provider.pk, "lot": lot.pk if lot else None, "role": role},
    )
    return membership


def _locked_membership(membership: ProviderMembership) -> ProviderMembership:
    return (
        ProviderMembership.objects.select_for_update(of=("self",))
        .select_related("provider", "lot")
        .get(pk=membership.pk)
    )


@transaction.atomic
def membership_suspend(
    *, actor: User | None, membership: ProviderMembership, reason: str, on: date
) -> ProviderMembership:
    if not reason.strip():
        raise ValidationError("Give the reason for the suspension.")
    locked = _locked_membership(membership)
    if locked.status != MembershipStatus.APPOINTED:
        raise ValidationError(f"Only an appointed membership can be suspended; this one is {locked.status}.")
    locked.status = MembershipStatus.SUSPENDED
    locked.suspended_on = on
    locked.suspension_reason = reason.strip()
    locked.save(update_fields=["status", "suspended_on", "suspension_reason", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.MEMBERSHIP_SUSPENDED,
        target=locked,
        summary=f"Suspended {locked.provider} from {on}",
        reason=locked.suspension_reason,
    )
    return locked


@transaction.atomic
def membership_reinstate(*, actor: User | None, membership: ProviderMembership, reason: str) -> ProviderMembership:
    locked = _locked_membership(membership)
    if locked.status != MembershipStatus.SUSPENDED:
        raise ValidationError("Only a suspended membership can be reinstated.")
    previous = {"suspended_on": locked.suspended_on, "suspension_reason": locked.suspension_reason}
    locked.status = MembershipStatus.APPOINTED
    locked.suspended_on = None
    locked.suspension_reason = ""
    locked.save(update_fields=["status", "suspended_on", "suspension_reason", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.MEMBERSHIP_REINSTATED,
        target=locked,
        summary=f"Lifted the suspension of {locked.provider}",
        reason=reason,
        data=previous,
    )
    return locked


@transaction.atomic
def membership_exit(*, actor: User | None, membership: ProviderMembership, reason: str, on: date) -> ProviderMembership:
    if not reason.strip():
        raise ValidationError("Give the reason the provider is leaving.")
    locked = _locked_membership(membership)
    if locked.status == MembershipStatus.EXITED:
        raise ValidationError("This membership has already ended.")
    if on < locked.appointed_on:
        raise ValidationError("A membership cannot end before it started.")
    locked.status = MembershipStatus.EXITED
    locked.exited_on = on
    locked.exit_reason = reason.strip()
    locked.save(update_fields=["status", "exited_on", "exit_reason", "updated_at"])
    audit_record(
        actor=actor,
        action=AuditAction.MEMBERSHIP_EXITED,
        target=locked,
        summary=f"{locked.provider} left on {on}",
        reason=locked.exit_reason,
    )
    return locked


@transaction.atomic
def lot_lead_appoint(
    *, actor: User | None, lot: Lot, provider: Provider, appointed_on: date, reason: str
) -> ProviderMembership:
    """Record a tender result: ``provider`` becomes the lot's lead provider.

    1. End the current lead's membership the day before (an outgoing lead stays on as an additional
       provider only if officers appoint it as one; that is a separate decision).
    2. End the new lead's own additional-provider membership of the lot, if any.
    3. Appoint the new lead.
    """
    if not reason.strip():
        raise ValidationError("Record the tender decision this appointment follows.")
    current = ProviderMembership.objects.select_for_update().filter(
        lot=lot, role=MembershipRole.LEAD_PROVIDER, status__in=[MembershipStatus.APPOINTED, MembershipStatus.SUSPENDED]
    )
    for outgoing in current:
        if outgoing.provider_id == provider.pk:
            raise ValidationError(f"{provider} is already the lead provider for {lot}.")
        membership_exit(actor=actor, membership=outgoing, reason=f"Replaced as lead: {reason}", on=appointed_on)
    own = ProviderMembership.objects.select_for_update().filter(
        lot=lot, provider=provider, status__in=[MembershipStatus.APPOINTED, MembershipStatus.SUSPENDED]
    )
    for membership in own:
        membership_exit(actor=actor, membership=membership, reason=f"Became lead provider: {reason}", on=appointed_on)
    return membership_appoint(
        actor=actor,
        agreement=lot.agreement,
        provider=provider,
        role=MembershipRole.LEAD_PROVIDER,
        lot=lot,
        appointed_on=appointed_on,
        reason=reason,
    )


@transaction.atomic
def fee_rate_add(
    *,
    actor: User | None,
    agreement: Agreement,
    service_type: str,
    hourly_rate: Decimal,
    staff_pay_element: Decimal,
    effective_from: date,
    note: str = "",
) -> FeeRate:
    """Add a fee rate that takes over from ``effective_from`` (any date, mid-week included).

    Two rates of one service type cannot start on the same day; a correction is a new rate row, so the
    history of what was in force stays intact.
    """
    rate = FeeRate(
        agreement=agreement,
        service_type=service_type,
        hourly_rate=hourly_rate,
        staff_pay_element=staff_pay_element,
        effective_from=effective_from,
        note=note,
        created_by=actor,
    )
    if effective_from < agreement.term_start:
        raise ValidationError("A fee rate cannot start before the agreement does.")
    _validated(rate)
    rate.save()
    audit_record(
        actor=actor,
        action=AuditAction.FEE_RATE_ADDED,
        target=rate,
        summary=f"{rate.get_service_type_display()} rate £{hourly_rate}/hour (staff pay £{staff_pay_element}) "
        f"from {effective_from:%d %b %Y}",
        reason=note,
        data={
            "agreement": agreement.pk,
            "service_type": service_type,
            "hourly_rate": hourly_rate,
            "staff_pay_element": staff_pay_element,
            "effective_from": effective_from,
        },
    )
    return rate
