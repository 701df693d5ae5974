"""Visit patterns of any size: a 28-visit week (four calls a day, two of them double-handed) entered through the
web form (its rows built with the form's own buttons, no JavaScript), the API and a CSV gives the same package
and the same weekly cost, worked out by hand."""

from __future__ import annotations

import html
from datetime import time, timedelta
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from django.utils import timezone

from brokerage.models import CarePackage, Visit
from brokerage.services.imports import package_import_csv
from contracts.models import ServiceType
from tests.brokerage.factories import make_market
from tests.brokerage.test_api import payload, token_client
from tests.brokerage.test_import import as_csv, row
from tests.brokerage.test_pages import form_data
from tests.conftest import client_for
from tests.contracts.factories import FeeRateFactory

pytestmark = pytest.mark.django_db

NEW = "/commissioning/packages/new/"
DAYS = ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"]
# Morning and bed calls need two carers (a hoist); lunch and tea one.
CALLS = [
    (time(7, 30), time(9, 30), 45, 2),
    (time(12, 0), time(13, 30), 30, 1),
    (time(16, 30), time(18, 0), 30, 1),
    (time(19, 30), time(21, 30), 30, 2),
]
# Standard £21.00 an hour (the factory's), double-handed £38.00 an hour of visit. A day: lunch and tea are
# 1 hour x £21.00 = £21.00; morning and bed are 1.25 hours of double-handed visit x £38.00 = £47.50.
# A week: 7 x £68.50 = £479.50. (Paying the double-handed rate per carer hour would give 7 x £116.00 = £812.00.)
HAND_COMPUTED_WEEK = Decimal("479.50")
# Carer hours: 7 x (1 + 2 x 1.25) = 24.5.
CARER_HOURS = Decimal("24.50")


class _FormValues(HTMLParser):
    """The values a browser would send for a page's form fields (text inputs, hidden inputs, selects)."""

    def __init__(self) -> None:
        super().__init__()
        self.values: dict[str, str] = {}
        self._select: str | None = None

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        name = found.get("name") or ""
        if tag == "input" and found.get("type") in ("text", "hidden") and name:
            self.values[name] = html.unescape(found.get("value") or "")
        elif tag == "select":
            self._select = name
        elif tag == "option" and self._select and "selected" in found:
            self.values[self._select] = found.get("value") or ""

    def handle_endtag(self, tag: str) -> None:
        if tag == "select":
            self._select = None


def _visit_fields(page: str) -> dict[str, str]:
    parser = _FormValues()
    parser.feed(page)
    return {key: value for key, value in parser.values.items() if key.startswith("visits-")}


@pytest.fixture
def market():
    market = make_market(providers=2)
    FeeRateFactory(agreement=market.agreement, service_type=ServiceType.DOUBLE_HANDED, hourly_rate=Decimal("38.00"))
    return market


def _pattern(package: CarePackage) -> list[tuple[int, time, time, int, int]]:
    return sorted(package.visits.values_list("day_of_week", "window_start", "window_end", "duration_minutes", "carers"))


EXPECTED_PATTERN = sorted((day, *call) for day in range(7) for call in CALLS)


def _through_the_web_form(officer, market) -> CarePackage:
    client = client_for(officer)
    base = form_data(market)
    base = {key: value for key, value in base.items() if not key.startswith("visits-")}
    base.update({"visits-TOTAL_FORMS": "1", "visits-INITIAL_FORMS": "0"})
    # "Start from four calls a day": the page comes back with 28 rows and nothing saved.
    page = client.post(NEW, {**base, "visits-pattern": "four_a_day"})
    assert page.status_code == 200 and CarePackage.objects.count() == 0
    assert "There is a problem" not in page.content.decode()
    rows = _visit_fields(page.content.decode())
    assert rows["visits-TOTAL_FORMS"] == "28"
    for index in range(28):
        if index % 4 in (0, 3):  # the morning and bed calls of each day
            rows[f"visits-{index}-carers"] = "2"
    response = client.post(NEW, {**base, **rows, "submit": "1", "external_reference": "WEB-28"})
    assert response.status_code == 302, html.unescape(response.content.decode())[:3000]
    return CarePackage.objects.get(external_reference="WEB-28")


def _through_the_api(officer, market) -> CarePackage:
    visits = [
        {
            "day_of_week": day,
            "window_start": f"{start:%H:%M}",
            "window_end": f"{end:%H:%M}",
            "duration_minutes": minutes,
            "carers": carers,
        }
        for day in DAYS
        for start, end, minutes, carers in CALLS
    ]
    body = payload(market, external_reference="API-28", visits=visits, urgency="routine")
    body["requested_start_on"] = (timezone.localdate() + timedelta(days=5)).isoformat()
    response = token_client(officer).post("/api/packages/", body, format="json")
    assert response.status_code == 201, response.json()
    assert Decimal(response.json()["weekly_cost"]) == HAND_COMPUTED_WEEK
    return CarePackage.objects.get(external_reference="API-28")


def _through_a_csv(officer, market) -> CarePackage:
    pattern = "Mon-Sun 07:30-09:30 45x2; Mon-Sun 12:00-13:30 30; Mon-Sun 16:30-18:00 30; Mon-Sun 19:30-21:30 30x2"
    start = (timezone.localdate() + timedelta(days=5)).isoformat()
    report = package_import_csv(
        text=as_csv([row(market, external_reference="CSV-28", visits=pattern, requested_start_on=start)]),
        imported_by=officer,
    )
    assert report.ok, [r.errors for r in report.failed_rows]
    return CarePackage.objects.get(external_reference="CSV-28")


def test_a_28_visit_week_is_the_same_package_and_cost_through_the_web_form_the_api_and_a_csv(officer, market):
    packages = [
        _through_the_web_form(officer, market),
        _through_the_api(officer, market),
        _through_a_csv(officer, market),
    ]
    for package in packages:
        assert package.visits.count() == 28
        assert _pattern(package) == EXPECTED_PATTERN
        assert package.hours_per_week == CARER_HOURS
        assert package.weekly_cost == HAND_COMPUTED_WEEK
    assert Visit.objects.filter(carers=2).count() == 3 * 14


def test_visit_rows_are_added_removed_and_copied_to_every_day_without_javascript(officer, market):
    client = client_for(officer)
    base = form_data(market)
    added = client.post(NEW, {**base, "visits-add": "1"})
    rows = _visit_fields(added.content.decode())
    assert rows["visits-TOTAL_FORMS"] == "4" and rows["visits-0-window_start"] == "08:00"
    assert "Visit 4 added." in added.content.decode()
    # Monday's two visits, copied to every day, replace whatever the other days had.
    rows.update({"visits-1-day_of_week": "0", "visits-1-window_start": "18:00", "visits-1-window_end": "19:00"})
    rows.update({"visits-1-duration_minutes": "30", "visits-2-day_of_week": "4", "visits-2-window_start": "12:00"})
    copied = client.post(NEW, {**base, **rows, "visits-copy": "1"})
    rows = _visit_fields(copied.content.decode())
    assert rows["visits-TOTAL_FORMS"] == "14"
    assert [rows[f"visits-{i}-day_of_week"] for i in range(14)] == [str(day) for day in range(7) for _ in (0, 1)]
    assert rows["visits-13-window_start"] == "18:00" and rows["visits-12-carers"] == "2"
    removed = client.post(NEW, {**base, **rows, "visits-remove": "0"})
    rows = _visit_fields(removed.content.decode())
    assert rows["visits-TOTAL_FORMS"] == "13" and rows["visits-0-window_start"] == "18:00"
    assert CarePackage.objects.count() == 0


def test_overlapping_visits_on_one_day_are_refused_with_a_clear_message_on_every_route(officer, market):
    body = payload(market)
    body["visits"] = [
        {"day_of_week": "monday", "window_start": "08:00", "window_end": "09:30", "duration_minutes": 45},
        {"day_of_week": "monday", "window_start": "09:00", "window_end": "10:00", "duration_minutes": 30},
    ]
    response = token_client(officer).post("/api/packages/", body, format="json")
    assert response.status_code == 400
    [error] = response.json()["errors"]
    assert error["attr"] == "visits.1.window_start"
    assert error["detail"].startswith("This visit's time window overlaps visit 1 (Monday 08:00 to 09:30)")
    page = client_for(officer).post(
        NEW,
        form_data(
            market,
            **{
                "visits-1-day_of_week": "0",
                "visits-1-window_start": "08:30",
                "visits-1-window_end": "09:00",
                "visits-1-duration_minutes": "30",
                "visits-1-carers": "1",
            },
        ),
    )
    assert "Visit 2, from: This visit's time window overlaps visit 1" in html.unescape(page.content.decode())
    report = package_import_csv(
        text=as_csv([row(market, visits="Mon 08:00-09:30 45; Mon 09:00-10:00 30")]), imported_by=officer
    )
    assert any("overlaps visit 1" in line for line in report.failed_rows[0].errors)
    assert CarePackage.objects.count() == 0


def test_visits_one_after_another_do_not_overlap(officer, market):
    body = payload(market)
    body["visits"] = [
        {"day_of_week": "monday", "window_start": "08:00", "window_end": "09:00", "duration_minutes": 45},
        {"day_of_week": "monday", "window_start": "09:00", "window_end": "10:00", "duration_minutes": 30},
    ]
    assert token_client(officer).post("/api/packages/", body, format="json").status_code == 201


def test_a_forged_row_count_cannot_make_a_huge_page(officer, market):
    page = client_for(officer).post(NEW, {**form_data(market), "visits-TOTAL_FORMS": "100000", "visits-add": "1"})
    assert page.status_code == 200
    assert _visit_fields(page.content.decode())["visits-TOTAL_FORMS"] == "60"
    # A remove button for a row that is not there, or an unknown pattern, is an edit that changes nothing.
    for edit in ({"visits-remove": "999"}, {"visits-pattern": "nine_a_day"}):
        assert client_for(officer).post(NEW, {**form_data(market), **edit}).status_code == 200
    assert CarePackage.objects.count() == 0
