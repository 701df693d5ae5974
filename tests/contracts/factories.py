"""Factories for agreements, lots, memberships and fee rates."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import factory

from contracts.models import (
    Agreement,
    AllocationPolicy,
    FeeRate,
    Lot,
    MembershipRole,
    ProcurementRoute,
    ProviderMembership,
    ServiceType,
)
from tests.factories import ProviderFactory


class AgreementFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Agreement

    name = "Interim Homecare Agreement"
    reference = factory.Sequence(lambda n: f"Contract ID {84000 + n}")
    procurement_route = ProcurementRoute.LIGHT_TOUCH_DPS
    council_name = "Leeds City Council"
    term_start = date(2024, 4, 1)
    term_end = date(2027, 3, 31)
    indicative_annual_budget = Decimal("49700000.00")
    budget_year = "2024/25"
    allocation_policy = AllocationPolicy.RANKED_DPS


class LotFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Lot

    agreement = factory.SubFactory(AgreementFactory)
    number = factory.Sequence(lambda n: n + 1)
    name = factory.LazyAttribute(lambda lot: f"Area {lot.number}")


class MembershipFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ProviderMembership

    agreement = factory.SubFactory(AgreementFactory)
    provider = factory.SubFactory(ProviderFactory)
    role = MembershipRole.DPS_MEMBER
    appointed_on = date(2024, 4, 1)


class FeeRateFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = FeeRate

    agreement = factory.SubFactory(AgreementFactory)
    service_type = ServiceType.STANDARD
    hourly_rate = Decimal("21.00")
    staff_pay_element = Decimal("14.00")
    effective_from = date(2024, 4, 1)
