"""Awarded packages for the tests of changes after award: one visit a day, so a week's cost is easy by hand.

Each day: one 60-minute visit (an hour at the standard £21.00); a variation to 90 minutes makes it £31.50.
"""

from __future__ import annotations

from datetime import date, time, timedelta

from django.contrib.auth.models import User
from django.utils import timezone

from brokerage.isa import VisitData
from brokerage.models import CarePackage, Offer
from brokerage.services.brokering import package_broker
from brokerage.services.packages import package_enter
from brokerage.services.responses import offer_accept, offer_record_care_started
from providers.models import Provider
from tests.brokerage.factories import Market, make_isa
from tests.factories import make_provider_user

HOUR_A_DAY = tuple(VisitData(day, time(8, 0), time(10, 0), 60, 1) for day in range(7))
HOUR_AND_A_HALF_A_DAY = tuple(VisitData(day, time(8, 0), time(10, 0), 90, 1) for day in range(7))


def awarded_package(
    market: Market, officer: User, *, provider: Provider | None = None, started: bool = True, broker: bool = True
) -> tuple[CarePackage, Offer, User]:
    """A package awarded to ``provider`` (the best ranked by default) with care starting today."""
    provider = provider or market.providers[0]
    package = package_enter(isa=make_isa(market, visits=HOUR_A_DAY), entered_by=officer).package
    if broker:
        package_broker(package_id=package.pk)
    user = make_provider_user(provider)
    offer = Offer.objects.get(package=package, provider=provider)
    offer_accept(offer_id=offer.pk, provider_user=user, start_on=timezone.localdate())
    if started:
        offer_record_care_started(offer_id=offer.pk, provider_user=user, started_on=timezone.localdate())
    package.refresh_from_db()
    return package, offer, user


def day(offset: int) -> date:
    return timezone.localdate() + timedelta(days=offset)
