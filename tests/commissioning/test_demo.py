"""The commissioning demo step: every capability loads through the services, once; the CHWS pilot shows beside
a time-and-task area."""

from __future__ import annotations

import io

import pytest
from django.core.management.base import OutputWrapper
from django.utils import timezone

from commissioning import selectors
from commissioning.demo import load_demo_commissioning
from commissioning.models import (
    AreaAllocation,
    CareModel,
    FundingModel,
    MarketApplication,
    MarketApplicationStatus,
    Tender,
    TenderStatus,
    Timetable,
)
from demo.accounts import load_demo_accounts
from providers.models import LocalityArea
from tests.realdata import shared_data_file

pytestmark = [pytest.mark.django_db, pytest.mark.realdata]


def _counts() -> tuple[int, ...]:
    return (
        Tender.objects.count(),
        Timetable.objects.count(),
        MarketApplication.objects.count(),
        AreaAllocation.objects.count(),
    )


def test_the_commissioning_demo_loads_once_and_shows_the_pilot_beside_time_and_task(settings):
    settings.HOMECARE_BOUNDARY_FILE = shared_data_file("boundaries", "leeds_lad.geojson")
    for n, name in enumerate(["Inner North East", "Inner South", "Outer West"]):
        LocalityArea.objects.create(name=name, code=name.lower().replace(" ", "-"), display_order=n)
    out = OutputWrapper(io.StringIO())
    load_demo_accounts(stdout=out)
    load_demo_commissioning(stdout=out)
    first = _counts()
    load_demo_commissioning(stdout=out)
    assert _counts() == first == (1, 2, 2, 3)

    assert Tender.objects.get().status == TenderStatus.AWARDED
    statuses = set(MarketApplication.objects.values_list("status", flat=True))
    assert statuses == {MarketApplicationStatus.ADMITTED, MarketApplicationStatus.SUBMITTED}
    model = FundingModel.objects.get()
    assert sum(row.amount for row in AreaAllocation.objects.filter(model=model)) == model.budget

    figures = selectors.neighbourhood_comparison(today=timezone.localdate())
    pilot = next(f for f in figures if f.care_model == CareModel.NEIGHBOURHOOD)
    other = next(f for f in figures if f.care_model == CareModel.TIME_AND_TASK)
    assert pilot.bank is not None and pilot.bank.is_pilot and pilot.hours_use_percent is not None
    assert pilot.outcomes_agreed and pilot.outcomes_achieved is not None
    assert other.area != pilot.area and other.median_hourly_pay is not None
