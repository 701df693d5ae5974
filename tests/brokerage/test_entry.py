"""One way in for a care package: the web form, the API, the CSV import and the demo all enter ISAs through
``package_enter`` / ``packages_enter``, so the same bad ISA gets the same field errors on every route."""

from __future__ import annotations

import html

import pytest
from django.db import transaction

from brokerage.isa import PersonData
from brokerage.models import CarePackage, PersonDetails, Visit
from brokerage.services.imports import package_import_csv
from brokerage.services.packages import IsaInvalid, package_enter
from tests.brokerage.factories import make_isa, make_market
from tests.brokerage.test_api import payload, token_client
from tests.brokerage.test_import import as_csv, row
from tests.brokerage.test_pages import form_data
from tests.conftest import client_for

UNKNOWN = (
    "We cannot find the postcode ZZ9 9ZZ in the ONS postcode lookup. Check it; if it is right but new, give a "
    "reason to place the person by its district (ZZ9) instead."
)
REVERSED = "The time window must end after it starts."
# The same bad ISA, as each route receives it: a postcode nobody has, and a visit that ends before it starts.
EXPECTED = {"person.postcode": [UNKNOWN], "visits[0].window_end": [REVERSED]}


def _nothing_saved() -> bool:
    return CarePackage.objects.count() == PersonDetails.objects.count() == Visit.objects.count() == 0


def test_the_service_reports_each_rule_by_its_field(officer):
    market = make_market(providers=1)
    isa = make_isa(market, person=PersonData("Joan", "Pickard", "3 Test Lane", "ZZ9 9ZZ"))
    visit = isa.visits[0]
    bad = type(isa)(**{**isa.__dict__, "visits": (type(visit)(0, visit.window_end, visit.window_start, 30),)})
    with pytest.raises(IsaInvalid) as raised:
        package_enter(isa=bad, entered_by=officer)
    assert raised.value.errors == EXPECTED
    assert _nothing_saved()


def test_the_api_gives_the_same_messages_on_the_same_fields(officer):
    market = make_market(providers=1)
    bad = payload(market)
    bad["person"]["postcode"] = "ZZ9 9ZZ"
    bad["visits"] = [{"day_of_week": "monday", "window_start": "09:00", "window_end": "08:00", "duration_minutes": 30}]
    response = token_client(officer).post("/api/packages/", bad, format="json")
    assert response.status_code == 400
    assert response["Content-Type"] == "application/problem+json"
    errors = {(e["attr"], e["detail"]) for e in response.json()["errors"]}
    assert errors == {("person.postcode", UNKNOWN), ("visits.0.window_end", REVERSED)}
    assert _nothing_saved()


def test_the_web_form_shows_the_same_messages_against_the_same_fields(officer):
    market = make_market(providers=1)
    data = form_data(market, postcode="ZZ9 9ZZ", **{"visits-0-window_start": "09:00", "visits-0-window_end": "08:00"})
    response = client_for(officer).post("/commissioning/packages/new/", data)
    assert response.status_code == 200
    body = html.unescape(response.content.decode())
    assert f"Postcode: {UNKNOWN}" in body
    assert f"Visit 1, until: {REVERSED}" in body
    assert _nothing_saved()


def test_the_csv_import_reports_the_same_messages_against_the_same_fields(officer):
    market = make_market(providers=1)
    report = package_import_csv(
        text=as_csv([row(market, postcode="ZZ9 9ZZ", visits="Mon 09:00-08:00 30")]), imported_by=officer
    )
    assert not report.ok
    assert sorted(report.failed_rows[0].errors) == sorted(f"{path}: {m[0]}" for path, m in EXPECTED.items())
    assert _nothing_saved()


def test_entry_is_the_outermost_transaction_and_cannot_be_nested_by_accident(officer):
    market = make_market(providers=1)
    # pytest-django's own transaction is exempt (as Django's TestCase is); a real caller's is not.
    with pytest.raises(RuntimeError, match="durable"), transaction.atomic():
        package_enter(isa=make_isa(market), entered_by=officer)
    assert _nothing_saved()
