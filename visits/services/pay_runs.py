"""Pay runs, disputes and credit notes.

``pay_run_compute`` gathers a pay run's inputs (``visits.selectors.pay_run_inputs``), stores them on the run and
writes the lines ``visits.pay.pay_lines`` makes of them; ``pay_run_reproduces`` recomputes from the stored
inputs alone and compares to the penny. A draft can be recomputed (new actuals arrived); an approved run is the
statement sent to the provider and is corrected only by credit notes.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from contracts.costing import PENNY
from contracts.models import Agreement
from homecare.audit.actions import AuditAction
from homecare.audit.services import audit_record
from providers.models import Provider
from providers.selectors import provider_for_user
from visits import pay
from visits.models import CreditNote, PayDispute, PayLine, PayRun
from visits.selectors import pay_line_get_for_provider, pay_run_inputs, period_end_for, rules_for


class PayRunError(ValueError):
    """The pay run cannot be made or changed as asked; the message says why."""


@transaction.atomic
def pay_run_compute(
    *, agreement: Agreement, provider: Provider, period_start: date, computed_by: User | None
) -> PayRun:
    """Compute (or recompute, while a draft) the provider's pay run for the period starting ``period_start``.

    1. The period's length is the agreement's pay period (a week, or four weeks).
    2. Refuse to touch an approved run: it has been sent; corrections are credit notes.
    3. Gather and store the inputs, write one line per visit, retainer day or unplanned visit, and the total.
    """
    rules = rules_for(agreement)
    period_end = period_end_for(rules=rules, period_start=period_start)
    existing = (
        PayRun.objects.select_for_update()
        .filter(agreement=agreement, provider=provider, period_start=period_start)
        .first()
    )
    if existing is not None and existing.status == PayRun.Status.APPROVED:
        raise PayRunError("This pay run is approved; correct it with a credit note.")
    inputs = pay_run_inputs(agreement=agreement, provider=provider, start=period_start, end=period_end)
    lines = pay.pay_lines(inputs)
    now = timezone.now()
    run = existing or PayRun(agreement=agreement, provider=provider, period_start=period_start)
    run.period_end = period_end
    run.pay_basis = rules.pay_basis
    run.inputs = inputs
    run.total = pay.total_of(lines)
    run.computed_at = now
    run.computed_by = computed_by
    run.save()
    run.lines.all().delete()
    PayLine.objects.bulk_create(
        [
            PayLine(
                pay_run=run,
                package_id=line.package,
                day=line.day,
                kind=line.kind,
                planned_start=line.planned_start,
                planned_minutes=line.planned_minutes,
                planned_carers=line.planned_carers,
                actual_visit_id=line.actual_visit,
                actual_minutes=line.actual_minutes,
                actual_carers=line.actual_carers,
                flags=" ".join(line.flags),
                service_type=line.service_type,
                paid_hours=line.paid_hours,
                hourly_rate=line.hourly_rate,
                amount=line.amount,
            )
            for line in lines
        ],
        batch_size=2000,
    )
    audit_record(
        actor=computed_by,
        action=AuditAction.PAY_RUN_COMPUTED,
        target=run,
        summary=f"{run.reference}: £{run.total} for {provider.name}, {period_start:%d %b} to {period_end:%d %b %Y}",
        data={"total": run.total, "lines": len(lines), "recomputed": existing is not None},
    )
    return run


def pay_run_reproduces(run: PayRun) -> bool:
    """Whether the run's stored inputs give exactly its stored lines and total, to the penny."""
    lines = pay.pay_lines(run.inputs)
    stored = list(
        run.lines.order_by("package_id", "day", "planned_start", "id").values_list("package_id", "day", "amount")
    )
    recomputed = sorted((line.package, line.day, line.amount) for line in lines)
    return pay.total_of(lines) == run.total and sorted(stored) == recomputed


@transaction.atomic
def pay_run_approve(*, pay_run_id: int, approved_by: User) -> PayRun:
    run = PayRun.objects.select_for_update().get(pk=pay_run_id)
    if run.status == PayRun.Status.APPROVED:
        raise PayRunError("This pay run is already approved.")
    run.status = PayRun.Status.APPROVED
    run.approved_at = timezone.now()
    run.save(update_fields=["status", "approved_at"])
    audit_record(
        actor=approved_by,
        action=AuditAction.PAY_RUN_APPROVED,
        target=run,
        summary=f"{run.reference} approved: £{run.total} to {run.provider.name}",
    )
    return run


@transaction.atomic
def pay_dispute_raise(*, line_id: int, provider_user: User, reason: str, amount_claimed: Decimal) -> PayDispute:
    """The provider disputes one line of its statement, saying why and what it believes it is owed."""
    line = pay_line_get_for_provider(provider_user=provider_user, line_id=line_id)  # 404s for other providers
    reason = reason.strip()
    if not reason:
        raise PayRunError("Say why the line is wrong.")
    if amount_claimed < 0:
        raise PayRunError("The amount claimed cannot be negative.")
    if line.disputes.filter(status=PayDispute.Status.OPEN).exists():
        raise PayRunError("This line already has an open dispute.")
    dispute = PayDispute.objects.create(
        line=line,
        reason=reason,
        amount_claimed=amount_claimed.quantize(PENNY),
        raised_by=provider_user,
        raised_at=timezone.now(),
    )
    provider = provider_for_user(user=provider_user)
    audit_record(
        actor=provider_user,
        action=AuditAction.PAY_DISPUTE_RAISED,
        target=dispute,
        summary=f"{provider.name} disputes {line.package} on {line.day:%d %b %Y}: claims £{dispute.amount_claimed}",
        reason=reason,
    )
    return dispute


@transaction.atomic
def pay_dispute_resolve(
    *, dispute_id: int, officer: User, uphold: bool, resolution: str, credit: Decimal | None = None
) -> PayDispute:
    """An officer resolves a dispute. Upheld: a credit note for the difference (or ``credit``) is issued."""
    dispute = PayDispute.objects.select_for_update().select_related("line__pay_run").get(pk=dispute_id)
    if dispute.status != PayDispute.Status.OPEN:
        raise PayRunError("This dispute is already resolved.")
    resolution = resolution.strip()
    if not resolution:
        raise PayRunError("Say how the dispute is resolved.")
    now = timezone.now()
    dispute.status = PayDispute.Status.UPHELD if uphold else PayDispute.Status.REJECTED
    dispute.resolution = resolution
    dispute.resolved_by = officer
    dispute.resolved_at = now
    dispute.save(update_fields=["status", "resolution", "resolved_by", "resolved_at"])
    audit_record(
        actor=officer,
        action=AuditAction.PAY_DISPUTE_RESOLVED,
        target=dispute,
        summary=f"Dispute {dispute.pk} {dispute.get_status_display().lower()}",
        reason=resolution,
    )
    if uphold:
        amount = credit if credit is not None else dispute.amount_claimed - dispute.line.amount
        credit_note_issue(
            pay_run=dispute.line.pay_run, amount=amount, reason=resolution, issued_by=officer, dispute=dispute
        )
    return dispute


def credit_note_issue(
    *, pay_run: PayRun, amount: Decimal, reason: str, issued_by: User, dispute: PayDispute | None = None
) -> CreditNote:
    if pay_run.status != PayRun.Status.APPROVED:
        raise PayRunError("Credit notes correct approved pay runs; recompute a draft instead.")
    note = CreditNote.objects.create(
        pay_run=pay_run,
        dispute=dispute,
        amount=amount.quantize(PENNY),
        reason=reason,
        issued_by=issued_by,
        issued_at=timezone.now(),
    )
    audit_record(
        actor=issued_by,
        action=AuditAction.CREDIT_NOTE_ISSUED,
        target=note,
        summary=f"{note.reference}: £{note.amount} on {pay_run.reference}",
        reason=reason,
    )
    return note
