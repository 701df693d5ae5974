"""Capacity once: the provider's declaration here gives the Capacity Tracker's home-care figures, and the portal
reminds the provider in the monthly reporting window."""

from __future__ import annotations

import csv
import io
from datetime import date, datetime
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine

from brokerage.capacity_tracker import reporting_window, window_open
from brokerage.models import CarePackage, ProviderCapacity
from brokerage.services.packages import package_enter
from tests.brokerage.factories import make_isa, make_market
from tests.conftest import client_for
from tests.factories import make_provider_user

pytestmark = pytest.mark.django_db
LONDON = ZoneInfo("Europe/London")


def test_the_window_is_the_8th_to_the_14th_moved_past_a_weekend() -> None:
    assert reporting_window(date(2026, 12, 2)) == (date(2026, 12, 8), date(2026, 12, 14))  # a Monday
    assert reporting_window(date(2026, 11, 20)) == (date(2026, 11, 8), date(2026, 11, 16))  # the 14th a Saturday
    assert not window_open(date(2026, 12, 7)) and window_open(date(2026, 12, 8)) and window_open(date(2026, 12, 14))
    assert not window_open(date(2026, 12, 15))


def test_the_download_holds_the_declared_capacity_and_this_councils_live_care(officer) -> None:
    market = make_market(providers=2)
    provider = market.providers[0]
    ProviderCapacity.objects.filter(provider=provider).update(hours_available_per_week=Decimal("37.5"))
    live = package_enter(isa=make_isa(market), entered_by=officer).package
    CarePackage.objects.filter(pk=live.pk).update(status=CarePackage.Status.CARE_STARTED, awarded_provider=provider)
    client = client_for(make_provider_user(provider))

    response = client.get("/portal/offers/capacity/capacity-tracker.csv")
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = {row[0]: row[1] for row in csv.reader(io.StringIO(response.content.decode("utf-8-sig")))}
    assert rows["Number of people receiving home care"] == "1"
    assert rows["Hours of home care delivered per week"] == f"{live.hours_per_week:.2f}"
    assert rows["Additional hours of care you could deliver per week"] == "37.50"
    assert rows["Can you take on new packages of care?"] == "Yes"
    assert rows[f"Spare hours per week: {market.area.name}"] == "37.50"


def test_the_capacity_page_reminds_the_provider_only_in_the_window() -> None:
    market = make_market(providers=1)
    user = make_provider_user(market.providers[0])
    pages = []
    for moment in (datetime(2026, 12, 9, 10, 0, tzinfo=LONDON), datetime(2026, 12, 20, 10, 0, tzinfo=LONDON)):
        with time_machine.travel(moment, tick=False):  # signed in at that moment: sessions expire
            pages.append(client_for(user).get("/portal/offers/capacity/").content.decode())
    inside, outside = pages
    assert "The Capacity Tracker return is due by Monday 14 December" in inside
    assert "Capacity Tracker return is due" not in outside
    assert "capacity-tracker.csv" in outside  # the download is always there
