"""Demo step: a Leeds-like agreement with its terms, fee rates, 10 area lots, memberships and DPS rounds.

The agreement mirrors the shape of Leeds's Interim Homecare Agreement (public facts: the name, the route,
the term, two 12-month extensions, the 2024/25 indicative budget). The fee rates are illustrative, not
Leeds's. Providers are the fictional demo providers; DPS rounds and applications are added by ``dps.demo``
(``demo.agreements`` runs both: contracts does not import dps).
"""

from __future__ import annotations

from collections.abc import Collection
from datetime import date
from decimal import Decimal

from django.core.management.base import OutputWrapper

from contracts import services
from contracts.models import (
    Agreement,
    AgreementExtension,
    AllocationPolicy,
    FeeRate,
    Lot,
    MembershipStatus,
    PlacementDeadline,
    ProcurementRoute,
    ProviderMembership,
    ServiceType,
    Urgency,
)
from contracts.services import DEFAULT_RESPONSE_WINDOW_HOURS
from providers.models import LocalityArea, Provider

DEMO_REFERENCE = "Contract ID 84738"
TERM_START = date(2024, 4, 1)
TERM_END = date(2027, 3, 31)
# Leeds's 10 community committee areas (see providers.areas), used as the agreement's area lots.
AREA_NAMES = (
    "Inner East",
    "Outer East",
    "Inner North East",
    "Outer North East",
    "Inner North West",
    "Outer North West",
    "Inner South",
    "Outer South",
    "Inner West",
    "Outer West",
)
# Illustrative rates: (service type, from, hourly rate, staff-pay element). The 2025 change is mid-week.
DEMO_FEE_RATES = (
    (ServiceType.STANDARD, date(2024, 4, 1), Decimal("21.92"), Decimal("14.60")),
    (ServiceType.STANDARD, date(2025, 4, 9), Decimal("23.04"), Decimal("15.40")),
    (ServiceType.DOUBLE_HANDED, date(2024, 4, 1), Decimal("43.84"), Decimal("29.20")),
    (ServiceType.DOUBLE_HANDED, date(2025, 4, 9), Decimal("46.08"), Decimal("30.80")),
    (ServiceType.HOUSING_WITH_CARE, date(2024, 4, 1), Decimal("20.50"), Decimal("14.60")),
)
DEMO_DEADLINES = {Urgency.HOSPITAL_DISCHARGE: 48, Urgency.URGENT: 72, Urgency.ROUTINE: 336}


def _agreement() -> Agreement:
    agreement, _ = Agreement.objects.update_or_create(
        reference=DEMO_REFERENCE,
        defaults={
            "name": "Interim Homecare Agreement",
            "procurement_route": ProcurementRoute.LIGHT_TOUCH_DPS,
            "council_name": "Leeds City Council",
            "term_start": TERM_START,
            "term_end": TERM_END,
            "indicative_annual_budget": Decimal("49700000.00"),
            "budget_year": "2024/25",
            "allocation_policy": AllocationPolicy.RANKED_DPS,
            "response_window_hours": 24,
            "cascade_offer_timeout_hours": 4,
            "lead_first_refusal_hours": 24,
        },
    )
    for sequence in (1, 2):
        AgreementExtension.objects.get_or_create(agreement=agreement, sequence=sequence, defaults={"length_months": 12})
    for urgency, hours in DEMO_DEADLINES.items():
        # A hospital discharge's providers answer within 2 hours, not the routine 24 (the services' defaults).
        window = DEFAULT_RESPONSE_WINDOW_HOURS.get(urgency)
        PlacementDeadline.objects.update_or_create(
            agreement=agreement, urgency=urgency, defaults={"hours": hours, "response_window_hours": window}
        )
    return agreement


def _fee_rates(agreement: Agreement) -> None:
    for service_type, effective_from, rate, staff_pay in DEMO_FEE_RATES:
        if not FeeRate.objects.filter(
            agreement=agreement, service_type=service_type, effective_from=effective_from
        ).exists():
            services.fee_rate_add(
                actor=None,
                agreement=agreement,
                service_type=service_type,
                hourly_rate=rate,
                staff_pay_element=staff_pay,
                effective_from=effective_from,
                note="Demo rate (illustrative, not Leeds's)",
            )


def _lots(agreement: Agreement) -> int:
    """The 10 areas as lots, linked to the council's locality areas where those are loaded. Returns links."""
    linked = 0
    for number, name in enumerate(AREA_NAMES, start=1):
        area = LocalityArea.objects.filter(name=name).first()
        Lot.objects.update_or_create(agreement=agreement, number=number, defaults={"name": name, "locality_area": area})
        linked += area is not None
    return linked


def _memberships(agreement: Agreement, *, exclude_names: set[str]) -> int:
    """Every demo provider (except the DPS demo applicants) is a DPS member from the start of the term."""
    appointed = 0
    for provider in Provider.objects.filter(is_demo=True).exclude(name__in=exclude_names).order_by("name"):
        current = ProviderMembership.objects.filter(agreement=agreement, provider=provider, lot__isnull=True).exclude(
            status=MembershipStatus.EXITED
        )
        if not current.exists():
            services.membership_appoint(
                actor=None,
                agreement=agreement,
                provider=provider,
                appointed_on=TERM_START,
                reason="Demo: appointed in the first round, before the system went live",
            )
            appointed += 1
    return appointed


def load_demo_agreement(*, stdout: OutputWrapper, not_members: Collection[str] = ()) -> Agreement:
    """The demo agreement, its fee rates and lots; every demo provider but ``not_members`` is a DPS member."""
    agreement = _agreement()
    _fee_rates(agreement)
    linked = _lots(agreement)
    appointed = _memberships(agreement, exclude_names=set(not_members))
    members = ProviderMembership.objects.filter(agreement=agreement, status=MembershipStatus.APPOINTED).count()
    stdout.write(
        f"Agreement {agreement}: {len(AREA_NAMES)} area lots ({linked} linked to locality areas), "
        f"{FeeRate.objects.filter(agreement=agreement).count()} fee rates, {members} DPS members "
        f"({appointed} new)."
    )
    return agreement
