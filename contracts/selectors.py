"""Reads about agreements, memberships and fee rates. Officer-only data: callers check the audience."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta

from django.db.models import Q, QuerySet
from django.shortcuts import get_object_or_404

from contracts import costing, working_time
from contracts.models import (
    Agreement,
    FeeRate,
    Lot,
    MembershipRole,
    MembershipStatus,
    PlacementDeadline,
    ProviderMembership,
    Urgency,
)
from providers.models import Provider


def agreement_list() -> QuerySet[Agreement]:
    return Agreement.objects.prefetch_related("extensions").order_by("-term_start", "name")


def agreement_get(*, agreement_id: int) -> Agreement:
    """One agreement with everything its detail page shows; 404 when missing."""
    return get_object_or_404(
        Agreement.objects.prefetch_related("extensions", "lots", "placement_deadlines"), pk=agreement_id
    )


def agreement_in_force(*, on: date) -> Agreement | None:
    """The agreement covering ``on`` (term start to effective end, extensions taken included).

    When terms overlap (a new agreement starting before the old one ends) the most recent start wins.
    """
    candidates = Agreement.objects.filter(term_start__lte=on).prefetch_related("extensions").order_by("-term_start")
    for agreement in candidates:
        if on <= agreement.effective_end:
            return agreement
    return None


def _in_force_on(on: date) -> Q:
    """Memberships appointed by ``on`` and not yet suspended or exited on that date."""
    return Q(appointed_on__lte=on) & (
        Q(status=MembershipStatus.APPOINTED)
        | Q(status=MembershipStatus.SUSPENDED, suspended_on__gt=on)
        | Q(status=MembershipStatus.EXITED, exited_on__gt=on)
    )


def active_memberships(*, agreement: Agreement, on: date) -> QuerySet[ProviderMembership]:
    """Memberships through which a provider may be offered work under ``agreement`` on ``on``.

    Suspension and exit dates are honoured, so asking about an earlier date gives the answer of that date
    (a suspension lifted and re-imposed is only known by its latest dates; the audit trail has the rest).
    """
    return (
        ProviderMembership.objects.filter(agreement=agreement)
        .filter(_in_force_on(on))
        .select_related("provider", "lot")
        .order_by("lot__number", "role", "provider__name")
    )


def memberships_for_agreement(*, agreement: Agreement, provider_name: str = "") -> QuerySet[ProviderMembership]:
    """Every membership, current and past, for the agreement's detail page; optionally only providers whose
    name contains ``provider_name``."""
    memberships = ProviderMembership.objects.filter(agreement=agreement).select_related("provider", "lot")
    if provider_name:
        memberships = memberships.filter(provider__name__icontains=provider_name)
    return memberships


def membership_get(*, membership_id: int) -> ProviderMembership:
    return get_object_or_404(
        ProviderMembership.objects.select_related("agreement", "provider", "lot"), pk=membership_id
    )


def provider_is_member(*, agreement: Agreement, provider: Provider, on: date) -> bool:
    return active_memberships(agreement=agreement, on=on).filter(provider=provider).exists()


def lead_for_lot(*, lot: Lot, on: date) -> ProviderMembership | None:
    """The lot's lead provider on ``on`` (Nottinghamshire model), or None."""
    return (
        ProviderMembership.objects.filter(lot=lot, role=MembershipRole.LEAD_PROVIDER)
        .filter(_in_force_on(on))
        .select_related("provider")
        .first()
    )


def lot_for_locality_area(*, agreement: Agreement, locality_area_id: int) -> Lot | None:
    """The lot (or Leeds locality area) of ``agreement`` that covers a council locality area."""
    return Lot.objects.filter(agreement=agreement, locality_area_id=locality_area_id).first()


def placement_deadline_hours(*, agreement: Agreement, urgency: Urgency | str) -> int | None:
    """Hours allowed to place a package of ``urgency`` under ``agreement``; None when not set."""
    deadline = PlacementDeadline.objects.filter(agreement=agreement, urgency=urgency).first()
    return deadline.hours if deadline else None


@dataclass(frozen=True)
class UrgencyTerms:
    """An agreement's terms for one urgency: the placement deadline and the providers' response window."""

    placement_hours: int | None
    # None: the urgency sets no window of its own, and the agreement's response window applies.
    response_window_hours: int | None
    working_hours_only: bool

    def deadline_after(self, start: datetime, duration: timedelta) -> datetime:
        return working_time.deadline_after(start, duration, working_hours_only=self.working_hours_only)

    def placement_deadline(self, submitted_at: datetime) -> datetime | None:
        if self.placement_hours is None:
            return None
        return self.deadline_after(submitted_at, timedelta(hours=self.placement_hours))


def urgency_terms(*, agreement: Agreement, urgency: Urgency | str) -> UrgencyTerms:
    """The terms for packages of ``urgency``; without a row for it, no placement deadline, the agreement's own
    window and clock hours, as before windows were set per urgency."""
    row = PlacementDeadline.objects.filter(agreement=agreement, urgency=urgency).first()
    return UrgencyTerms(
        placement_hours=row.hours if row else None,
        response_window_hours=row.response_window_hours if row else None,
        working_hours_only=row.working_hours_only if row else False,
    )


def fee_rates_for(*, agreement: Agreement, service_type: str | None = None) -> QuerySet[FeeRate]:
    rates = FeeRate.objects.filter(agreement=agreement)
    if service_type is not None:
        rates = rates.filter(service_type=service_type)
    return rates.order_by("service_type", "effective_from")


def rate_in_force(*, agreement: Agreement, service_type: str, on: date) -> FeeRate | None:
    """The fee rate of ``service_type`` in force on ``on``: the latest to have started by then."""
    return (
        FeeRate.objects.filter(agreement=agreement, service_type=service_type, effective_from__lte=on)
        .order_by("-effective_from")
        .first()
    )


def fee_rate_steps(*, agreement: Agreement) -> dict[str, list[costing.RateStep]]:
    """Every fee rate of the agreement as costing reads them: the steps of each service type, oldest first."""
    steps: dict[str, list[costing.RateStep]] = {}
    for rate in FeeRate.objects.filter(agreement=agreement).order_by("effective_from"):
        steps.setdefault(rate.service_type, []).append(costing.RateStep(rate.effective_from, rate.hourly_rate))
    return steps
