"""A small world for pay runs, small enough to compute by hand (``test_pay_run_by_hand``).

Four weeks from Monday 2 March 2026. The agreement pays standard care at £20.00 an hour, £22.00 from Thursday
12 March (mid-week), no double-handed rate (so a double-handed visit is two carer hours at the standard rate),
actual hours capped at planned, and two retainer days of a suspension.

- Package A: one 60-minute visit a day, 08:00 to 10:00; suspended from Monday 16 March, resuming Monday 23 March.
- Package B: one double-handed 30-minute visit on Wednesdays, 17:00 to 18:00.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from zoneinfo import ZoneInfo

import time_machine
from django.contrib.auth.models import User

from brokerage.isa import VisitData
from brokerage.models import CarePackage, Offer
from brokerage.services.brokering import package_broker
from brokerage.services.changes import package_resume, package_suspend
from brokerage.services.packages import package_enter
from brokerage.services.responses import offer_accept, offer_record_care_started
from contracts.models import FeeRate, ServiceType
from providers.models import Provider
from tests.brokerage.factories import Market, make_isa, make_market
from tests.factories import make_provider_user
from visits.models import PayBasis, PayPeriod, VisitRules

UK = ZoneInfo("Europe/London")
PERIOD_START = date(2026, 3, 2)
HOUR_A_DAY = tuple(VisitData(day, time(8, 0), time(10, 0), 60, 1) for day in range(7))
DOUBLE_ON_WEDNESDAYS = (VisitData(2, time(17, 0), time(18, 0), 30, 2),)
ECM_HEADER = (
    "visit_id", "package_reference", "planned_start", "check_in", "check_out", "carers", "carer_ids", "method",
    "exception_code",
)  # fmt: skip


@contextmanager
def on(day: date, hour: int = 7) -> Iterator[None]:
    with time_machine.travel(datetime.combine(day, time(hour), tzinfo=UK), tick=False):
        yield


@dataclass
class PayWorld:
    market: Market
    provider: Provider
    provider_user: User
    a: CarePackage
    b: CarePackage


def _award(market: Market, officer: User, provider_user: User, visits: Sequence[VisitData]) -> CarePackage:
    package = package_enter(isa=make_isa(market, visits=visits), entered_by=officer).package
    package_broker(package_id=package.pk)
    offer = Offer.objects.get(package=package, provider=market.providers[0])
    offer_accept(offer_id=offer.pk, provider_user=provider_user, start_on=PERIOD_START)
    offer_record_care_started(offer_id=offer.pk, provider_user=provider_user, started_on=PERIOD_START)
    package.refresh_from_db()
    return package


def make_pay_world(officer: User) -> PayWorld:
    with on(PERIOD_START):
        market = make_market(providers=1)
        agreement = market.agreement
        FeeRate.objects.filter(agreement=agreement).update(hourly_rate=Decimal("20.00"))
        FeeRate.objects.create(
            agreement=agreement,
            service_type=ServiceType.STANDARD,
            hourly_rate=Decimal("22.00"),
            staff_pay_element=Decimal("15.00"),
            effective_from=date(2026, 3, 12),
        )
        agreement.suspension_retainer_days = 2
        agreement.save(update_fields=["suspension_retainer_days"])
        VisitRules.objects.create(
            agreement=agreement,
            pay_basis=PayBasis.ACTUAL_CAPPED,
            pay_period=PayPeriod.FOUR_WEEKLY,
            late_after_minutes=30,
            short_below_percent=75,
            match_window_minutes=120,
        )
        provider = market.providers[0]
        provider_user = make_provider_user(provider)
        a = _award(market, officer, provider_user, HOUR_A_DAY)
        b = _award(market, officer, provider_user, DOUBLE_ON_WEDNESDAYS)
        package_suspend(
            package_id=a.pk,
            suspended_by=officer,
            starts_on=date(2026, 3, 16),
            expected_return_on=date(2026, 3, 23),
            reason="hospital",
        )
        package_resume(package_id=a.pk, resumed_by=officer, resumed_on=date(2026, 3, 23))
    return PayWorld(market, provider, provider_user, a, b)


def ecm_csv(rows: Sequence[Sequence[str]]) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(ECM_HEADER)
    writer.writerows(rows)
    return out.getvalue()


def visit_row(
    visit_id: str, package: CarePackage, day: date, planned: str, check_in: str, check_out: str, carers: int = 1
) -> list[str]:
    ids = ";".join(f"C{n}" for n in range(1, carers + 1))
    return [
        visit_id,
        package.reference,
        f"{day.isoformat()}T{planned}",
        f"{day.isoformat()}T{check_in}" if check_in else "",
        f"{day.isoformat()}T{check_out}" if check_out else "",
        str(carers),
        ids,
        "app",
        "",
    ]
