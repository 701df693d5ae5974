"""Factories for brokerage tests: a small council (areas, postcodes), providers with CQC ratings,
capacity and capabilities, and ISAs ready to submit."""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from datetime import date, time, timedelta
from decimal import Decimal
from typing import Any

from django.utils import timezone

from brokerage.isa import IsaData, PersonData, VisitData
from brokerage.models import ProviderCapabilities, ProviderCapacity
from contracts.models import Agreement, AllocationPolicy, Lot, MembershipRole, PlacementDeadline, Urgency
from providers.models import (
    CqcLocation,
    CqcRating,
    LocalityArea,
    Postcode,
    PostcodeDistrict,
    Provider,
    RegistrationStatus,
)
from tests.contracts.factories import AgreementFactory, FeeRateFactory, LotFactory, MembershipFactory
from tests.factories import ProviderFactory

_location_ids = itertools.count(1)

# A few real Leeds postcodes and (rounded) positions: enough for distances to differ.
POSTCODES = {
    "LS6 1AA": (53.8190, -1.5760),
    "LS6 2AB": (53.8230, -1.5700),
    "LS8 1AA": (53.8200, -1.5100),
    "LS11 5AA": (53.7800, -1.5500),
    "LS17 6AA": (53.8600, -1.5300),
}


def make_area(name: str = "Inner North West", code: str = "inner-nw") -> LocalityArea:
    area, _ = LocalityArea.objects.get_or_create(code=code, defaults={"name": name})
    return area


def make_postcodes(area: LocalityArea) -> None:
    """Every test postcode's district is placed in ``area`` by an officer's override."""
    for postcode, (lat, lon) in POSTCODES.items():
        outward = postcode.split(" ")[0]
        PostcodeDistrict.objects.update_or_create(
            outward=outward,
            defaults={"area": "LS", "latitude": lat, "longitude": lon, "locality_area_override": area},
        )
        Postcode.objects.update_or_create(
            postcode=postcode, defaults={"outward": outward, "latitude": lat, "longitude": lon}
        )


RATINGS = {
    "all_good": ("Good", ["Good"] * 5),
    "good_with_ri": ("Good", ["Good", "Requires improvement", "Good", "Good", "Good"]),
    "outstanding": ("Outstanding", ["Outstanding"] * 5),
    "ri": ("Requires improvement", ["Requires improvement"] * 5),
    "inadequate": ("Inadequate", ["Inadequate"] * 5),
}


def rate(provider: Provider, *, rating: str = "all_good", lat: float = 53.80, lon: float = -1.55) -> CqcLocation:
    """Give the provider a registered homecare location with the named rating."""
    number = next(_location_ids)
    location = CqcLocation.objects.create(
        location_id=f"1-T{number:08d}",
        provider=provider,
        name=f"{provider.name} office",
        registration_status=RegistrationStatus.REGISTERED,
        is_homecare_agency=True,
        latitude=lat,
        longitude=lon,
    )
    overall, kqs = RATINGS[rating]
    current = CqcRating.objects.create(
        location=location,
        overall=overall,
        safe=kqs[0],
        effective=kqs[1],
        caring=kqs[2],
        responsive=kqs[3],
        well_led=kqs[4],
        report_date=date(2024, 1, 1),
        fingerprint=f"fp-{number}",
        source="test",
    )
    location.current_rating = current
    location.save(update_fields=["current_rating"])
    return location


def equip(
    provider: Provider,
    area: LocalityArea,
    *,
    hours: str = "100",
    lead_time_days: int = 1,
    double_handed: bool = True,
    skills: list[str] | None = None,
) -> None:
    now = timezone.now()
    ProviderCapacity.objects.update_or_create(
        provider=provider,
        locality_area=area,
        defaults={"hours_available_per_week": Decimal(hours), "updated_at": now},
    )
    ProviderCapabilities.objects.update_or_create(
        provider=provider,
        defaults={
            "double_handed": double_handed,
            "lead_time_days": lead_time_days,
            "skills": skills if skills is not None else ["dementia", "end_of_life"],
            "languages": ["English"],
            "carer_genders": ["female", "male"],
            "visits_from": time(6, 0),
            "visits_until": time(23, 0),
            "updated_at": now,
        },
    )


@dataclass
class Market:
    """An agreement, one area and its ranked providers, best first (distinct quality or distance)."""

    agreement: Agreement
    area: LocalityArea
    providers: list[Provider]
    lot: Lot | None = None
    extra: dict[str, Any] = field(default_factory=dict)


def make_market(
    *,
    policy: str = AllocationPolicy.RANKED_DPS,
    providers: int = 3,
    response_window_hours: int = 24,
    cascade_offer_timeout_hours: int = 4,
    lead_first_refusal_hours: int = 24,
) -> Market:
    """Providers ranked in creation order: each is a little further from LS6 than the one before."""
    area = make_area()
    make_postcodes(area)
    agreement = AgreementFactory(
        allocation_policy=policy,
        response_window_hours=response_window_hours,
        cascade_offer_timeout_hours=cascade_offer_timeout_hours,
        lead_first_refusal_hours=lead_first_refusal_hours,
    )
    FeeRateFactory(agreement=agreement)
    PlacementDeadline.objects.create(agreement=agreement, urgency=Urgency.HOSPITAL_DISCHARGE, hours=48)
    PlacementDeadline.objects.create(agreement=agreement, urgency=Urgency.ROUTINE, hours=14 * 24)
    lot = LotFactory(agreement=agreement) if policy == AllocationPolicy.LEAD_PROVIDER_FIRST else None
    made: list[Provider] = []
    for index in range(providers):
        provider = ProviderFactory(name=f"Provider {chr(65 + index)} Care Ltd")
        rate(provider, lat=53.8190 + 0.02 * (index + 1), lon=-1.5760)
        equip(provider, area)
        if lot is not None:
            role = MembershipRole.LEAD_PROVIDER if index == 0 else MembershipRole.ADDITIONAL_PROVIDER
            MembershipFactory(agreement=agreement, provider=provider, lot=lot, role=role)
        else:
            MembershipFactory(agreement=agreement, provider=provider)
        made.append(provider)
    return Market(agreement=agreement, area=area, providers=made, lot=lot)


def make_isa(market: Market, **overrides: Any) -> IsaData:
    visits = overrides.pop(
        "visits",
        (
            *(VisitData(day, time(8, 0), time(9, 30), 45, 1) for day in range(7)),
            VisitData(0, time(17, 0), time(18, 0), 30, 2),
        ),
    )
    values: dict[str, Any] = {
        "agreement_reference": market.agreement.reference,
        "lot_number": market.lot.number if market.lot else None,
        "person": PersonData(
            given_name="Edith",
            family_name="Crawley",
            address_line_1="1 Test Street",
            postcode="LS6 1AA",
            mosaic_person_id="M123456",
            date_of_birth=date(1938, 5, 2),
        ),
        "visits": visits,
        "requested_start_on": timezone.localdate() + timedelta(days=3),
        "urgency": Urgency.ROUTINE,
        "required_skills": ("dementia",),
    }
    values.update(overrides)
    return IsaData(**values)
