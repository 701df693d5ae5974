"""Response windows and placement deadlines per urgency, in clock or working hours (England and Wales bank
holidays), as brokerage uses them when it sends offers and sets a package's placement deadline."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from django.utils import timezone

from brokerage.models import CarePackage, Offer
from brokerage.services.brokering import package_broker
from brokerage.services.packages import package_enter
from contracts import services
from contracts.models import PlacementDeadline, Urgency
from contracts.working_time import add_working_time
from homecare.queue import enqueue_suspended
from tests.brokerage.factories import make_isa, make_market
from tests.conftest import client_for

pytestmark = pytest.mark.django_db


def test_working_hours_skip_nights_weekends_and_bank_holidays() -> None:
    # Thursday 17 April 2025, 16:00 BST (15:00 UTC). Good Friday and Easter Monday are bank holidays, so 3
    # working hours are 16:00-17:00 on Thursday, then 09:00-11:00 on Tuesday 22 April (10:00 UTC).
    start = datetime(2025, 4, 17, 15, 0, tzinfo=UTC)
    assert add_working_time(start, timedelta(hours=3)) == datetime(2025, 4, 22, 10, 0, tzinfo=UTC)


def test_working_hours_start_counting_at_nine_and_know_greenwich_time_in_winter() -> None:
    # Saturday 6 December 2025, 22:00 (GMT): counting starts Monday 8 December at 09:00; 10 working hours
    # are Monday's 8 and Tuesday's first 2, ending Tuesday 11:00 GMT.
    start = datetime(2025, 12, 6, 22, 0, tzinfo=UTC)
    assert add_working_time(start, timedelta(hours=10)) == datetime(2025, 12, 9, 11, 0, tzinfo=UTC)


def test_christmas_and_boxing_day_are_not_working_days() -> None:
    # Wednesday 24 December 2025, 16:30 GMT: half an hour that day, then Monday 29 December from 09:00.
    start = datetime(2025, 12, 24, 16, 30, tzinfo=UTC)
    assert add_working_time(start, timedelta(hours=1)) == datetime(2025, 12, 29, 9, 30, tzinfo=UTC)


def test_a_new_agreement_gives_hospital_discharges_a_much_shorter_window_than_routine(officer) -> None:
    agreement = services.agreement_create(
        actor=officer,
        name="Windows",
        reference="Contract W",
        procurement_route="light_touch_dps",
        council_name="Leeds City Council",
        term_start=date(2025, 4, 1),
        term_end=date(2027, 3, 31),
        placement_deadlines={Urgency.HOSPITAL_DISCHARGE: 48, Urgency.ROUTINE: 336},
    )
    windows = dict(agreement.placement_deadlines.values_list("urgency", "response_window_hours"))
    assert windows == {Urgency.HOSPITAL_DISCHARGE: 2, Urgency.ROUTINE: None}  # routine: the agreement's 24


def _submitted(market, officer, urgency: str) -> CarePackage:
    with enqueue_suspended():
        package = package_enter(isa=make_isa(market, urgency=urgency), entered_by=officer).package
        package_broker(package_id=package.pk)
    package.refresh_from_db()
    return package


@time_machine.travel(datetime(2025, 4, 17, 15, 0, tzinfo=UTC), tick=False)
def test_offers_and_the_placement_deadline_follow_the_urgency_in_clock_or_working_hours(officer) -> None:
    market = make_market(providers=2)  # an agreement window of 24 hours; placement 48 h discharge, 14 days routine
    PlacementDeadline.objects.filter(agreement=market.agreement, urgency=Urgency.HOSPITAL_DISCHARGE).update(
        response_window_hours=2
    )
    PlacementDeadline.objects.filter(agreement=market.agreement, urgency=Urgency.ROUTINE).update(
        response_window_hours=16, working_hours_only=True
    )
    now = timezone.now()
    discharge = _submitted(market, officer, Urgency.HOSPITAL_DISCHARGE)
    assert set(discharge.offers.values_list("respond_by", flat=True)) == {now + timedelta(hours=2)}
    assert discharge.deadline_at == now + timedelta(hours=48)

    routine = _submitted(market, officer, Urgency.ROUTINE)
    # 16 working hours from Thursday 16:00 BST over Easter: Thursday 1, Tuesday 8, Wednesday 7 -> 16:00 BST.
    assert set(routine.offers.values_list("respond_by", flat=True)) == {datetime(2025, 4, 23, 15, 0, tzinfo=UTC)}
    assert routine.deadline_at is not None and routine.deadline_at > now + timedelta(days=14)
    assert Offer.objects.filter(status=Offer.Status.PENDING).count() == 4


@time_machine.travel(datetime(2025, 6, 2, 9, 0, tzinfo=UTC), tick=False)
def test_an_agreement_without_windows_per_urgency_keeps_its_one_window(officer) -> None:
    market = make_market(providers=1)
    package = _submitted(market, officer, Urgency.HOSPITAL_DISCHARGE)
    assert package.offers.get().respond_by == timezone.now() + timedelta(hours=24)


def test_an_officer_sets_a_window_in_working_hours_for_one_urgency_on_the_agreement_page(officer) -> None:
    market = make_market(providers=1)
    agreement = market.agreement
    client = client_for(officer)
    url = f"/commissioning/agreements/{agreement.pk}/edit/"
    form = client.get(url)
    assert form.status_code == 200 and "providers answer an offer within" in form.content.decode()
    data = {
        "name": agreement.name,
        "reference": agreement.reference,
        "procurement_route": agreement.procurement_route,
        "council_name": agreement.council_name,
        **{f"term_start_{i}": v for i, v in enumerate((1, 4, 2024))},
        **{f"term_end_{i}": v for i, v in enumerate((31, 3, 2030))},
        "allocation_policy": agreement.allocation_policy,
        "response_window_hours": "24",
        "cascade_offer_timeout_hours": "4",
        "lead_first_refusal_hours": "24",
        "hospital_discharge_hours": "48",
        "hospital_discharge_response_hours": "2",
        "urgent_hours": "72",
        "routine_hours": "336",
        "routine_response_hours": "8",
        "routine_working_hours": "on",
        "reason": "Routine offers answered within a working day",
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    rows = {
        row.urgency: (row.hours, row.response_window_hours, row.working_hours_only)
        for row in PlacementDeadline.objects.filter(agreement=agreement)
    }
    assert rows == {
        Urgency.HOSPITAL_DISCHARGE: (48, 2, False),
        Urgency.URGENT: (72, None, False),
        Urgency.ROUTINE: (336, 8, True),
    }
    page = client.get(f"/commissioning/agreements/{agreement.pk}/").content.decode()
    assert "336 working hours; providers answer within 8 working hours" in page
