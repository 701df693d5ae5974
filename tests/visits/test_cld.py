"""The CLD return's service events, and NHS numbers checked by their modulus 11 digit."""

from __future__ import annotations

import csv
import io
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from brokerage.models import PersonDetails
from homecare.nhs_number import is_valid_nhs_number, validate_nhs_number
from tests.conftest import client_for
from tests.visits.fixtures import make_pay_world
from visits.cld import HEADER, quarter_bounds, service_event_rows


@pytest.mark.parametrize("number", ["9434765919", "943 476 5919", "4010232137"])
def test_real_nhs_numbers_pass_their_check_digit(number):
    assert is_valid_nhs_number(number)


@pytest.mark.parametrize("number", ["9434765918", "943476591", "94347659190", "abcdefghij", "1000000010"])
def test_wrong_nhs_numbers_are_refused(number):
    assert not is_valid_nhs_number(number)
    with pytest.raises(ValidationError):
        validate_nhs_number(number)


def test_financial_quarters():
    assert quarter_bounds(2025, 1) == (date(2025, 4, 1), date(2025, 6, 30))
    assert quarter_bounds(2025, 4) == (date(2026, 1, 1), date(2026, 3, 31))


@pytest.mark.django_db
def test_each_package_delivered_in_the_quarter_is_one_service_event(officer):
    world = make_pay_world(officer)
    PersonDetails.objects.filter(package=world.a).update(nhs_number="")
    person = PersonDetails.objects.get(package=world.a)
    person.nhs_number = "9434765919"
    person.save()
    rows = service_event_rows(start=date(2026, 1, 1), end=date(2026, 3, 31))
    assert len(rows) == 2
    by_reference = {row[HEADER.index("Event Reference")]: dict(zip(HEADER, row, strict=True)) for row in rows}
    a = by_reference[world.a.reference]
    assert a["NHS Number"] == "9434765919" and a["Event Type"] == "Service"
    assert a["Event Start Date"] == date(2026, 3, 2)
    assert a["Gender"] == "" and a["Ethnicity"] == ""  # case-management data
    response = client_for(officer).get(reverse("commissioning:visits:cld", args=["csv"]) + "?year=2025&quarter=4")
    assert response.status_code == 200
    assert len(list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))) == 3
