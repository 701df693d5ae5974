"""The CLD return's service events, checked against DHSC's Release 1 headings and values, and NHS numbers
checked by their modulus 11 digit.

The expected header and values are written out here by hand from the sources ``visits.cld`` cites (DHSC's CLD
code and NHS England's Release 1 guidance), not read back from the module.
"""

from __future__ import annotations

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from brokerage.models import PersonDetails, PrivacyRun
from homecare.audit.actions import AuditAction
from homecare.audit.models import AuditEvent
from homecare.nhs_number import is_valid_nhs_number, validate_nhs_number
from tests.conftest import client_for
from tests.visits.fixtures import make_pay_world
from visits.cld import FILLED, HEADER, quarter_bounds, service_event_rows

RELEASE_1_HEADER = [
    "LA Code", "Reporting Period Start Date", "Reporting Period End Date", "NHS Number",
    "LA Person Unique Identifier", "GP Practice Name", "GP Practice Code", "Gender", "Ethnicity", "Date of Birth",
    "Date of Death", "Client Type", "Primary Support Reason", "Postcode", "Accommodation Status",
    "Employment Status", "Has Unpaid Carer", "Autism Spectrum Disorder (ASD)", "Visual Impairment",
    "Hearing Impairment", "Dementia", "Client Funding Status", "Event Type", "Event Reference", "Event Start Date",
    "Event End Date", "Event Description", "Event Outcome", "Request: Route of Access", "Assessment Type",
    "Eligible Needs Identified", "Method of Assessment", "Total Hrs Caring per week",
    "No. of adults being cared for", "Adult 1 Linked Person_ID", "Adult 2 Linked Person_ID",
    "Adult 3 Linked Person_ID", "Service Type", "Service Component", "Delivery Mechanism",
    "Provider CQC Location Name", "Provider CQC Location ID", "Review Reason", "Review Outcomes Achieved",
    "Method of Review", "Unit Cost", "Cost Frequency (Unit Type)", "Planned units per week",
]  # fmt: skip


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
def test_a_service_event_row_has_the_release_1_headings_and_values(officer):
    world = make_pay_world(officer)
    person = PersonDetails.objects.get(package=world.a)
    person.nhs_number, person.mosaic_person_id = "9434765919", "MOS-1234"
    person.date_of_birth, person.postcode = date(1941, 7, 9), "LS6 2AB"
    person.save()
    location = world.provider.locations.order_by("location_id")[0]
    rows = service_event_rows(start=date(2026, 1, 1), end=date(2026, 3, 31))
    by_reference = {row[HEADER.index("Event Reference")]: row for row in rows}

    assert list(HEADER) == RELEASE_1_HEADER
    expected: dict[str, object] = dict.fromkeys(RELEASE_1_HEADER, "")
    expected.update({
        "Reporting Period Start Date": date(2026, 1, 1), "Reporting Period End Date": date(2026, 3, 31),
        "NHS Number": "9434765919", "LA Person Unique Identifier": "MOS-1234", "Date of Birth": date(1941, 7, 9),
        "Client Type": "Service User", "Postcode": "LS6 2AB", "Event Type": "Service",
        "Event Reference": world.a.reference, "Event Start Date": date(2026, 3, 2), "Event End Date": None,
        "Service Type": "Long Term Support: Community", "Service Component": "Home Support",
        "Delivery Mechanism": "CASSR Commissioned Support", "Provider CQC Location Name": location.name,
        "Provider CQC Location ID": location.location_id, "Unit Cost": Decimal("22.00"),
        "Cost Frequency (Unit Type)": "Hourly", "Planned units per week": Decimal("7.00"),
    })  # fmt: skip
    assert dict(zip(HEADER, by_reference[world.a.reference], strict=True)) == expected
    # What the README says the product fills is what it fills; the rest is left for case management.
    assert {name for name, value in expected.items() if value not in ("", None)} == set(FILLED) - {"Event End Date"}


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
    lines = list(csv.reader(io.StringIO(response.content.decode("utf-8-sig"))))
    assert lines[0] == RELEASE_1_HEADER and len(lines) == 3
    written = {line[HEADER.index("Event Reference")]: dict(zip(HEADER, line, strict=True)) for line in lines[1:]}
    assert written[world.a.reference]["Event Start Date"] == "2026-03-02"
    assert written[world.a.reference]["Planned units per week"] == "7.0"


@pytest.mark.django_db
def test_each_download_of_the_return_is_audited_with_its_quarter_and_count_never_a_person(officer):
    """The return carries NHS numbers, dates of birth and postcodes: who took which quarter is kept."""
    world = make_pay_world(officer)
    client = client_for(officer)
    response = client.get(reverse("commissioning:visits:cld", args=["xlsx"]) + "?year=2025&quarter=4")
    assert response.status_code == 200
    event = AuditEvent.objects.get(action=AuditAction.CLD_RETURN_EXPORTED)
    run = PrivacyRun.objects.get(pk=event.target_id)
    assert (run.kind, run.actor, event.actor) == (PrivacyRun.Kind.CLD_RETURN, officer, officer)
    assert event.data == {"year": 2025, "quarter": 4, "start": "2026-01-01", "end": "2026-03-31", "events": 2}
    mosaic_ids = set(
        PersonDetails.objects.filter(package__in=[world.a, world.b]).values_list("mosaic_person_id", flat=True)
    )
    assert not any(mosaic_id and mosaic_id in str(event.data) + event.summary for mosaic_id in mosaic_ids)


@pytest.mark.django_db
@pytest.mark.parametrize("query", ["?year=2025&quarter=5", "?year=2025&quarter=x", "?year=99999&quarter=1"])
def test_a_quarter_that_does_not_exist_is_a_404_and_records_nothing(officer, query):
    response = client_for(officer).get(reverse("commissioning:visits:cld", args=["csv"]) + query)
    assert response.status_code == 404
    assert not PrivacyRun.objects.exists() and not AuditEvent.objects.filter(action=AuditAction.CLD_RETURN_EXPORTED)
