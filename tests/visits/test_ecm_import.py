"""Actual visits in: the ECM file is saved whole or not at all, re-importing changes nothing, carers pseudonymised."""

from __future__ import annotations

from datetime import date

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from tests.conftest import client_for
from tests.visits.fixtures import PERIOD_START, ecm_csv, make_pay_world, visit_row
from visits.ecm_format import ADAPTERS, read_ecm_csv
from visits.models import ActualVisit, ActualVisitImport
from visits.services.actuals import ActualVisitsRefused, ecm_file_import

pytestmark = pytest.mark.django_db


def _good_rows(world):
    return [
        visit_row("V1", world.a, PERIOD_START, "08:00", "08:05", "09:05"),
        visit_row("V2", world.b, date(2026, 3, 4), "17:00", "17:00", "17:30", carers=2),
    ]


def test_a_malformed_file_is_refused_with_a_report_per_row_and_writes_nothing(officer):
    world = make_pay_world(officer)
    rows = [
        *_good_rows(world),
        ["V3", world.a.reference, "2026-03-05T08:00", "not a time", "2026-03-05T09:00", "1", "C1", "app", ""],
        ["V4", "ISA-999999", "2026-03-05T08:00", "2026-03-05T08:00", "2026-03-05T09:00", "1", "C1", "app", ""],
        ["V5", world.a.reference, "", "2026-03-05T09:00", "2026-03-05T08:00", "7", "", "pigeon", ""],
        ["V1", world.a.reference, "", "2026-03-06T08:00", "2026-03-06T09:00", "1", "C1", "app", ""],
    ]
    with pytest.raises(ActualVisitsRefused) as refused:
        ecm_file_import(text=ecm_csv(rows), file_name="bad.csv", provider_user=world.provider_user)
    by_line = {error.line: error.messages for error in refused.value.errors}
    assert set(by_line) == {4, 6, 7}  # the header is line 1
    assert "not a date and time" in by_line[4][0]
    assert any("Check-out is before check-in" in m for m in by_line[6])
    assert any("Method" in m for m in by_line[6]) and any("carers" in m for m in by_line[6])
    assert "appears twice" in by_line[7][0]
    assert ActualVisit.objects.count() == 0 and ActualVisitImport.objects.count() == 0

    # A package not awarded to this provider: found after reading, refused the same way.
    with pytest.raises(ActualVisitsRefused) as refused:
        text = ecm_csv([*_good_rows(world), rows[3]])
        ecm_file_import(text=text, file_name="bad.csv", provider_user=world.provider_user)
    assert [error.line for error in refused.value.errors] == [4]
    assert "not a package awarded" in refused.value.errors[0].messages[0]
    assert ActualVisit.objects.count() == 0


def test_importing_the_same_file_again_changes_nothing(officer):
    world = make_pay_world(officer)
    text = ecm_csv(_good_rows(world))
    first = ecm_file_import(text=text, file_name="week.csv", provider_user=world.provider_user)
    assert (first.created, first.updated, first.unchanged) == (2, 0, 0)
    before = list(ActualVisit.objects.order_by("pk").values())

    again = ecm_file_import(text=text, file_name="week.csv", provider_user=world.provider_user)

    assert (again.created, again.updated, again.unchanged) == (0, 0, 2)
    assert list(ActualVisit.objects.order_by("pk").values()) == before
    # A corrected check-out is an update of the same visit, not a second one.
    corrected = ecm_csv([visit_row("V1", world.a, PERIOD_START, "08:00", "08:05", "09:10"), _good_rows(world)[1]])
    third = ecm_file_import(text=corrected, file_name="week.csv", provider_user=world.provider_user)
    assert (third.created, third.updated, third.unchanged) == (0, 1, 1)
    assert ActualVisit.objects.get(provider_visit_id="V1").minutes == 65


def test_carer_ids_are_stored_only_as_keyed_pseudonyms(officer, settings):
    world = make_pay_world(officer)
    ecm_file_import(text=ecm_csv(_good_rows(world)), file_name="w.csv", provider_user=world.provider_user)
    visit = ActualVisit.objects.get(provider_visit_id="V2")
    pseudonyms = visit.carer_pseudonyms.split()
    assert len(pseudonyms) == 2 and "C1" not in visit.carer_pseudonyms
    settings.HOMECARE_CARER_ID_KEY = "another deployment"
    other = read_ecm_csv(ecm_csv(_good_rows(world))).rows[1].carer_pseudonyms.split()
    assert set(other).isdisjoint(pseudonyms)  # another key, other pseudonyms: not reversible by hashing ids


def test_a_product_export_is_read_through_its_adapter():
    columns = ADAPTERS["cm2000"].columns
    header = [columns[c] for c in ("visit_id", "package_reference", "check_in", "check_out", "carers")]
    text = ",".join(header) + "\nX9,ISA-000012,2026-03-02 08:00,2026-03-02 08:45,1\n"
    reading = read_ecm_csv(text)
    assert reading.ok and reading.column_set == "cm2000"
    assert reading.rows[0].package_id == 12 and reading.rows[0].visit_id == "X9"


def test_the_provider_uploads_a_file_in_the_portal_and_sees_errors_by_row(officer):
    world = make_pay_world(officer)
    client = client_for(world.provider_user)
    url = reverse("portal:visits:upload")
    bad = ecm_csv([["V1", world.a.reference, "", "yesterday", "", "1", "", "app", ""]])
    response = client.post(url, {"file": SimpleUploadedFile("bad.csv", bad.encode(), "text/csv")})
    assert response.status_code == 400
    assert b"Nothing was imported" in response.content and b"Errors by row" in response.content
    assert ActualVisit.objects.count() == 0
    good = ecm_csv(_good_rows(world)).encode()
    response = client.post(url, {"file": SimpleUploadedFile("good.csv", good, "text/csv")}, follow=True)
    assert response.status_code == 200 and b"2 new" in response.content
    assert ActualVisit.objects.count() == 2


def test_the_api_takes_a_batch_idempotently_on_the_providers_visit_id(officer):
    world = make_pay_world(officer)
    client = client_for(world.provider_user)
    visit = {
        "visit_id": "API-1",
        "package_reference": world.a.reference,
        "planned_start": "2026-03-02T08:00",
        "check_in": "2026-03-02T08:03",
        "check_out": "2026-03-02T09:01",
        "carers": 1,
        "carer_ids": ["C77"],
        "method": "nfc",
    }
    url = reverse("api-actual-visits")
    first = client.post(url, {"visits": [visit]}, content_type="application/json")
    assert first.status_code == 200, first.content
    assert first.json() == {"received": 1, "created": 1, "updated": 0, "unchanged": 0}
    again = client.post(url, {"visits": [visit]}, content_type="application/json")
    assert again.json() == {"received": 1, "created": 0, "updated": 0, "unchanged": 1}
    bad = client.post(
        url, {"visits": [visit, {**visit, "visit_id": "API-2", "check_in": "soon"}]}, content_type="application/json"
    )
    assert bad.status_code == 400 and bad["Content-Type"].startswith("application/problem+json")
    assert "visits.1" in bad.content.decode()
    assert ActualVisit.objects.count() == 1
