"""A package that moves from provider A to provider B mid-period: each provider's pay run pays its own days.

Four weeks from Monday 2 March 2026, as ``tests.visits.fixtures``: £20.00 an hour, £22.00 from Thursday 12 March,
actual hours capped at planned, two retainer days. One package, a 60-minute visit every day (08:00 to 10:00),
awarded to A from 2 March. It is suspended from Monday 16 March; A cannot restart, so the CCC re-brokers it
without A; B is awarded it and starts on Monday 23 March, when care resumes. A's period is 2 to 22 March (the
old care, here the suspension, continues until the new provider starts), B's is 23 March on.
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.contrib.auth.models import User

from brokerage.changes.selectors import provider_on, provider_periods
from brokerage.models import CarePackage, Offer
from brokerage.services.brokering import package_broker
from brokerage.services.changes import package_suspend, package_suspension_rebroker
from brokerage.services.packages import package_enter
from brokerage.services.responses import offer_accept, offer_record_care_started, package_hand_back
from contracts.models import FeeRate, ServiceType
from providers.models import Provider
from tests.brokerage.factories import Market, make_isa, make_market
from tests.factories import make_provider_user
from tests.visits.fixtures import HOUR_A_DAY, PERIOD_START, ecm_csv, on, visit_row
from visits import statements
from visits.ecm_format import read_ecm_csv
from visits.models import ActualVisitSource, PayBasis, PayPeriod, PayRun, VisitRules
from visits.selectors import provider_week_figures
from visits.services.actuals import actual_visits_save
from visits.services.pay_runs import pay_run_approve, pay_run_compute, pay_run_reproduces

pytestmark = pytest.mark.django_db

SUSPENDED = date(2026, 3, 16)
B_STARTS = date(2026, 3, 23)
PERIOD_END = date(2026, 3, 29)


def _days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=n) for n in range((last - first).days + 1)]


def _market() -> Market:
    market = make_market(providers=2)
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
    return market


def _accept_and_start(package: CarePackage, provider: Provider, user: User, starts: date) -> None:
    package_broker(package_id=package.pk)
    offer = Offer.objects.get(package=package, round_number=package.round_number, provider=provider)
    offer_accept(offer_id=offer.pk, provider_user=user, start_on=starts)
    with on(starts):
        offer_record_care_started(offer_id=offer.pk, provider_user=user, started_on=starts)


def _rebrokered(officer: User) -> tuple[Market, CarePackage, User, User]:
    with on(PERIOD_START):
        market = _market()
        a, b = market.providers
        a_user, b_user = make_provider_user(a), make_provider_user(b)
        package = package_enter(isa=make_isa(market, visits=HOUR_A_DAY), entered_by=officer).package
        _accept_and_start(package, a, a_user, PERIOD_START)
        package_suspend(
            package_id=package.pk, suspended_by=officer, starts_on=SUSPENDED, expected_return_on=B_STARTS,
            reason="hospital",
        )  # fmt: skip
    with on(date(2026, 3, 18)):
        package_suspension_rebroker(package_id=package.pk, requested_by=officer, reason="A cannot restart")
        package.refresh_from_db()
        _accept_and_start(package, b, b_user, B_STARTS)
    package.refresh_from_db()
    return market, package, a_user, b_user


def _save(provider_user: User, provider: Provider, rows: list[list[str]]) -> None:
    reading = read_ecm_csv(ecm_csv(rows))
    assert reading.ok, reading.errors
    actual_visits_save(
        provider=provider, rows=reading.rows, source=ActualVisitSource.ECM_FILE, received_by=provider_user
    )


def _runs(officer: User) -> tuple[CarePackage, PayRun, PayRun]:
    market, package, a_user, b_user = _rebrokered(officer)
    a, b = market.providers
    # A's ECM file: every day it delivered, 4 March only 45 minutes; and a visit on 23 March, B's first day
    # (a carer who went once more): not A's day, so not A's to be paid.
    a_rows = [
        visit_row(f"A-{day:%m%d}", package, day, "08:00", "08:05", "08:50" if day == date(2026, 3, 4) else "09:05")
        for day in [*_days(PERIOD_START, SUSPENDED - timedelta(days=1)), B_STARTS]
    ]
    # B's: every day from its start, 25 March only 40 minutes, 28 March missed (no row).
    b_rows = [
        visit_row(f"B-{day:%m%d}", package, day, "08:00", "08:00", "08:40" if day == date(2026, 3, 25) else "09:00")
        for day in _days(B_STARTS, PERIOD_END)
        if day != date(2026, 3, 28)
    ]
    with on(date(2026, 3, 30)):
        _save(a_user, a, a_rows)
        _save(b_user, b, b_rows)
        run_a = pay_run_compute(agreement=market.agreement, provider=a, period_start=PERIOD_START, computed_by=officer)
        run_b = pay_run_compute(agreement=market.agreement, provider=b, period_start=PERIOD_START, computed_by=officer)
    return package, run_a, run_b


def test_the_provider_periods_of_a_package_rebrokered_after_a_suspension(officer):
    _market_, package, _a_user, _b_user = _rebrokered(officer)
    a, b = _market_.providers
    periods = provider_periods(package)
    assert [(p.provider_id, p.start, p.end) for p in periods] == [
        (a.pk, PERIOD_START, B_STARTS - timedelta(days=1)),
        (b.pk, B_STARTS, None),
    ]
    assert provider_on(package, date(2026, 3, 1)) is None  # before care started
    assert provider_on(package, date(2026, 3, 17)) == a.pk  # A holds it through the suspension
    assert provider_on(package, date(2026, 3, 22)) == a.pk
    assert provider_on(package, B_STARTS) == b.pk


def test_after_a_hand_back_the_provider_holds_the_package_to_the_end_of_its_notice_and_nobody_until_b_starts(officer):
    with on(PERIOD_START):
        market = _market()
        a, b = market.providers
        a_user, b_user = make_provider_user(a), make_provider_user(b)
        package = package_enter(isa=make_isa(market, visits=HOUR_A_DAY), entered_by=officer).package
        _accept_and_start(package, a, a_user, PERIOD_START)
        offer = Offer.objects.get(package=package, provider=a)
        package_hand_back(offer_id=offer.pk, provider_user=a_user, effective_on=date(2026, 3, 10), reason="staffing")
        package.refresh_from_db()
        _accept_and_start(package, b, b_user, date(2026, 3, 12))
    package.refresh_from_db()
    assert [(p.provider_id, p.start, p.end) for p in provider_periods(package)] == [
        (a.pk, PERIOD_START, date(2026, 3, 10)),
        (b.pk, date(2026, 3, 12), None),
    ]
    assert provider_on(package, date(2026, 3, 11)) is None
    with on(date(2026, 3, 30)):
        runs = {
            provider.pk: pay_run_compute(
                agreement=market.agreement, provider=provider, period_start=PERIOD_START, computed_by=officer
            )
            for provider in (a, b)
        }
    # No actual visits were reported: every planned visit is a missed line, on its provider's days only.
    assert [line.day for line in runs[a.pk].lines.order_by("day")] == _days(PERIOD_START, date(2026, 3, 10))
    assert [line.day for line in runs[b.pk].lines.order_by("day")] == _days(date(2026, 3, 12), PERIOD_END)


def test_a_package_moving_from_a_to_b_mid_period_pays_each_its_own_days_to_the_penny(officer):
    """Computed by hand:

    A's pay run, 2 to 29 March (A's days: 2 to 22 March):
    - 2, 3 and 5 to 11 March, 60 minutes each (9 days):             9 x 1 h x £20.00 = £180.00
    - 4 March, 08:05 to 08:50, 45 minutes (capped basis):        0.75 h x £20.00 =  £15.00
    - 12 to 15 March, 60 minutes each, at the new rate (4 days):    4 x 1 h x £22.00 =  £88.00
    - 16 and 17 March, suspended, the two retainer days, A's:       2 x 1 h x £22.00 =  £44.00
    - 18 to 22 March, suspended beyond the retainer:                       no line,     £0.00
    - 23 March, A's visit on B's day: not A's period, no line:                          £0.00
                                                                                A:  £327.00
    B's pay run, 2 to 29 March (B's days: 23 March on):
    - 23, 24, 26, 27 and 29 March, 60 minutes each (5 days):        5 x 1 h x £22.00 = £110.00
    - 25 March, 40 minutes:                          40/60 h x £22.00 = £14.666... ->   £14.67
    - 28 March, missed:                                                                  £0.00
                                                                                B:  £124.67
    Each planned day is in exactly one run (A: 2 to 17 March, B: 23 to 29 March), none in both.
    """
    package, run_a, run_b = _runs(officer)

    assert run_a.total == Decimal("327.00")
    assert run_b.total == Decimal("124.67")
    lines_a = list(run_a.lines.order_by("day"))
    lines_b = list(run_b.lines.order_by("day"))
    assert [line.day for line in lines_a] == _days(PERIOD_START, date(2026, 3, 17))
    assert [line.day for line in lines_b] == _days(B_STARTS, PERIOD_END)
    assert {line.package_id for line in lines_a + lines_b} == {package.pk}
    by_day_a = {line.day: line for line in lines_a}
    assert by_day_a[date(2026, 3, 4)].amount == Decimal("15.00")
    assert [by_day_a[d].kind for d in (date(2026, 3, 16), date(2026, 3, 17))] == ["retainer", "retainer"]
    assert [by_day_a[d].amount for d in (date(2026, 3, 16), date(2026, 3, 17))] == [Decimal("22.00")] * 2
    by_day_b = {line.day: line for line in lines_b}
    assert by_day_b[date(2026, 3, 25)].amount == Decimal("14.67")
    assert "missed" in by_day_b[date(2026, 3, 28)].flags and by_day_b[date(2026, 3, 28)].amount == 0
    assert "extra" not in " ".join(line.flags for line in lines_b)  # A's 23 March visit is not B's either
    assert pay_run_reproduces(run_a) and pay_run_reproduces(run_b)


def test_monitoring_counts_each_provider_on_its_own_days(officer):
    _package, run_a, run_b = _runs(officer)
    week_of_the_change = provider_week_figures(start=B_STARTS, end=PERIOD_END)
    assert run_a.provider_id not in week_of_the_change  # A's visit on 23 March is on B's day
    assert week_of_the_change[run_b.provider_id].planned == 7
    assert week_of_the_change[run_b.provider_id].missed == 1
    first_week = provider_week_figures(start=PERIOD_START, end=PERIOD_START + timedelta(days=6))
    assert first_week[run_a.provider_id].planned == 7 and run_b.provider_id not in first_week


def test_the_finance_export_of_both_runs_adds_up_to_their_statements(officer):
    _package, run_a, run_b = _runs(officer)
    for run in (run_a, run_b):
        pay_run_approve(pay_run_id=run.pk, approved_by=officer)
    runs = list(PayRun.objects.filter(pk__in=(run_a.pk, run_b.pk)).order_by("pk"))
    rows = statements.finance_rows(runs)
    for run in runs:
        statement = statements.statement_rows(run.lines.select_related("package").order_by("day", "id"))
        statement_total = sum((Decimal(str(row[-1])) for row in statement), start=Decimal(0))
        exported = sum((Decimal(str(row[-1])) for row in rows if row[2] == run.reference), start=Decimal(0))
        assert exported == statement_total == statements.total_with_credits(run)
    assert sum((Decimal(str(row[-1])) for row in rows), start=Decimal(0)) == Decimal("451.67")  # £327.00 + £124.67
