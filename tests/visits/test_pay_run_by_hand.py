"""A four-week pay run computed by hand, line by line, and the service agreeing to the penny.

The fixture (``tests.visits.fixtures``): £20.00 an hour, £22.00 from Thursday 12 March; actual hours capped at
planned; two retainer days. Package A has a 60-minute visit every day; package B a double-handed 30-minute visit
on Wednesdays (no double-handed rate: two carers' hours at the standard rate).

Package A, 2 to 29 March:
- 2 March: 08:05 to 09:05, 60 minutes:                                      1 h x £20.00 = £20.00
- 3 March: no visit (missed):                                                                  £0.00
- 4 March: 09:00 to 09:50, an hour late; 50 minutes paid:    50/60 h x £20.00 = £16.666... -> £16.67
- 6 March: 08:00 to 09:20, 80 minutes, capped at the planned 60:            1 h x £20.00 = £20.00
- 5 and 7 to 11 March, 60 minutes each (6 days):                        6 x 1 h x £20.00 = £120.00
- 12 to 15 March, 60 minutes each, at the new rate (4 days):            4 x 1 h x £22.00 =  £88.00
- 16 and 17 March: suspended, retainer days, paid as planned:           2 x 1 h x £22.00 =  £44.00
- 18 to 22 March: suspended beyond the retainer:                                               £0.00
- 23 to 29 March: 60 minutes each (7 days):                             7 x 1 h x £22.00 = £154.00
                                                                               Package A:   £462.67
Package B, Wednesdays 17:00, two carers planned:
- 4 and 11 March, both carers, 30 minutes:                      2 x (2 x 0.5 h) x £20.00 =  £40.00
- 18 March, both carers:                                              2 x 0.5 h x £22.00 =  £22.00
- 25 March, one carer came (fewer carers): one carer's half hour:     1 x 0.5 h x £22.00 =  £11.00
                                                                               Package B:    £73.00
                                                                                   Total:   £535.67
"""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest

from tests.visits.fixtures import PERIOD_START, PayWorld, ecm_csv, make_pay_world, visit_row
from visits.ecm_format import read_ecm_csv
from visits.models import ActualVisitSource, PayLine
from visits.services.actuals import actual_visits_save
from visits.services.pay_runs import pay_run_compute, pay_run_reproduces

pytestmark = pytest.mark.django_db


def actuals_csv(world: PayWorld) -> str:
    rows = []
    day = PERIOD_START
    while day <= date(2026, 3, 29):
        vid = f"A-{day:%m%d}"
        if date(2026, 3, 16) <= day <= date(2026, 3, 22) or day == date(2026, 3, 3):
            pass  # suspended, or missed
        elif day == date(2026, 3, 4):
            rows.append(visit_row(vid, world.a, day, "08:00", "09:00", "09:50"))
        elif day == date(2026, 3, 6):
            rows.append(visit_row(vid, world.a, day, "08:00", "08:00", "09:20"))
        else:
            rows.append(visit_row(vid, world.a, day, "08:00", "08:05", "09:05"))
        if day.weekday() == 2:
            carers = 1 if day == date(2026, 3, 25) else 2
            start = "17:02" if day == date(2026, 3, 11) else "17:00"
            end = "17:32" if day == date(2026, 3, 11) else "17:30"
            rows.append(visit_row(f"B-{day:%m%d}", world.b, day, "17:00", start, end, carers=carers))
        day += timedelta(days=1)
    return ecm_csv(rows)


def load_actuals(world: PayWorld) -> None:
    reading = read_ecm_csv(actuals_csv(world))
    assert reading.ok, reading.errors
    actual_visits_save(
        provider=world.provider, rows=reading.rows, source=ActualVisitSource.ECM_FILE, received_by=world.provider_user
    )


def test_a_four_week_pay_run_agrees_with_the_hand_computation_to_the_penny(officer):
    world = make_pay_world(officer)
    load_actuals(world)

    run = pay_run_compute(
        agreement=world.market.agreement, provider=world.provider, period_start=PERIOD_START, computed_by=officer
    )

    assert run.period_end == date(2026, 3, 29)
    lines = list(run.lines.all())
    a_total = sum((line.amount for line in lines if line.package_id == world.a.pk), start=Decimal(0))
    b_total = sum((line.amount for line in lines if line.package_id == world.b.pk), start=Decimal(0))
    assert a_total == Decimal("462.67")
    assert b_total == Decimal("73.00")
    assert run.total == Decimal("535.67")
    assert sum((line.amount for line in lines), start=Decimal(0)) == run.total

    def line_on(package_id: int, day: date) -> PayLine:
        (line,) = [ln for ln in lines if ln.package_id == package_id and ln.day == day]
        return line

    missed = line_on(world.a.pk, date(2026, 3, 3))
    assert "missed" in missed.flag_list and missed.amount == Decimal("0.00")
    late = line_on(world.a.pk, date(2026, 3, 4))
    assert "late" in late.flag_list and late.amount == Decimal("16.67") and late.hourly_rate == Decimal("20.00")
    assert line_on(world.a.pk, date(2026, 3, 12)).hourly_rate == Decimal("22.00")  # the mid-week change
    retainer = line_on(world.a.pk, date(2026, 3, 16))
    assert retainer.kind == PayLine.Kind.RETAINER and retainer.amount == Decimal("22.00")
    assert not [ln for ln in lines if ln.package_id == world.a.pk and date(2026, 3, 18) <= ln.day <= date(2026, 3, 22)]
    one_carer = line_on(world.b.pk, date(2026, 3, 25))
    assert "fewer_carers" in one_carer.flag_list and one_carer.amount == Decimal("11.00")
    assert line_on(world.b.pk, date(2026, 3, 4)).paid_hours == Decimal("1")  # two carers' half hours


def test_a_pay_run_is_recomputed_from_its_recorded_inputs_alone(officer):
    world = make_pay_world(officer)
    load_actuals(world)
    run = pay_run_compute(
        agreement=world.market.agreement, provider=world.provider, period_start=PERIOD_START, computed_by=officer
    )
    # The recorded inputs, not the database, decide: later rows change nothing about this run's recomputation.
    world.a.actual_visits.all().delete()
    assert pay_run_reproduces(run)
    run.lines.filter(day=date(2026, 3, 2), package=world.a).update(amount=Decimal("20.01"))
    assert not pay_run_reproduces(run)
