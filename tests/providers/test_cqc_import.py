"""Importing CQC records: idempotent, rating history on change, audited, every bulk CSV shape."""

from __future__ import annotations

import csv
from dataclasses import replace
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import responses
from django.core.exceptions import ImproperlyConfigured

from homecare.audit.actions import AuditAction
from homecare.audit.models import AuditEvent
from providers.cqc_client import CqcApiClient
from providers.cqc_import import cqc_records_import, cqc_sync_changes
from providers.cqc_records import CqcFormatError, RatingRecord, read_location_csv
from providers.models import CqcImportRun, CqcLocation, CqcRating, Provider
from providers.quality import Rating
from tests.providers.factories import location_record, ratings
from tests.realdata import shared_data_file

pytestmark = pytest.mark.django_db


def run_import(*records, source="csv"):
    return cqc_records_import(records=list(records), source=source)


def test_a_new_location_creates_its_provider_and_current_rating():
    run = run_import(location_record())
    location = CqcLocation.objects.select_related("provider", "current_rating").get()
    assert (run.created, run.updated, run.unchanged, run.ratings_added) == (1, 0, 0, 1)
    assert location.provider.name == "Aire Valley Homecare Ltd"
    assert location.current_rating is not None and location.current_rating.overall == "Good"
    assert location.is_homecare_agency
    assert run.succeeded


def test_importing_the_same_records_again_changes_nothing():
    run_import(location_record())
    before = list(CqcLocation.objects.values())
    run = run_import(location_record())
    assert (run.created, run.updated, run.unchanged, run.ratings_added) == (0, 0, 1, 0)
    assert list(CqcLocation.objects.values()) == before
    assert CqcRating.objects.count() == 1


def test_a_new_rating_adds_a_history_row_and_is_audited():
    run_import(location_record())
    downgraded = RatingRecord(ratings("Requires improvement", report_date=date(2025, 2, 1), safe=Rating.INADEQUATE))
    run = run_import(location_record(current_rating=downgraded))
    location = CqcLocation.objects.select_related("current_rating").get()
    assert run.ratings_added == 1
    assert location.current_rating is not None
    assert (location.current_rating.overall, location.current_rating.safe) == ("Requires improvement", "Inadequate")
    assert [r.overall for r in location.ratings.all()] == ["Requires improvement", "Good"]  # newest first
    event = AuditEvent.objects.get(action=AuditAction.CQC_RATING_CHANGED)
    assert "from Good to Requires improvement (2025-02-01)" in event.summary


def test_an_address_change_updates_the_location_without_a_rating_row():
    run_import(location_record())
    run = run_import(location_record(address_line1="2 Park Row"))
    assert (run.updated, run.ratings_added) == (1, 0)
    assert CqcLocation.objects.get().address_line1 == "2 Park Row"
    assert CqcRating.objects.count() == 1


def test_deregistration_is_recorded_and_audited_and_the_history_kept():
    run_import(location_record())
    run_import(location_record(registration_status="Deregistered", deregistration_date=date(2025, 1, 31)))
    location = CqcLocation.objects.get()
    assert location.registration_status == "Deregistered"
    assert location.deregistration_date == date(2025, 1, 31)
    assert location.ratings.count() == 1
    assert AuditEvent.objects.filter(action=AuditAction.CQC_REGISTRATION_CHANGED).count() == 1


def test_a_location_with_no_rating_has_no_current_rating():
    run_import(location_record(current_rating=None))
    assert CqcLocation.objects.get().current_rating is None
    assert CqcRating.objects.count() == 0


def test_a_source_that_says_nothing_about_ratings_leaves_them_alone():
    run_import(location_record())
    run_import(location_record(ratings_known=False, current_rating=None, town="Leeds 1"))
    location = CqcLocation.objects.select_related("current_rating").get()
    assert location.town == "Leeds 1"
    assert location.current_rating is not None and location.current_rating.overall == "Good"


def test_a_provisional_provider_name_is_replaced_when_the_real_name_arrives():
    run_import(location_record(provider_name=""))
    provider = Provider.objects.get()
    assert (provider.name, provider.name_is_provisional) == ("Aire Valley Homecare - Leeds", True)
    run_import(location_record(provider_name="Aire Valley Homecare Ltd"))
    provider.refresh_from_db()
    assert (provider.name, provider.name_is_provisional) == ("Aire Valley Homecare Ltd", False)


def test_a_failing_import_is_recorded_as_failed_and_the_error_reaches_the_caller():
    def records():
        yield location_record()
        raise CqcFormatError("line 3: Unrecognised date 'yesterday'.")

    with pytest.raises(CqcFormatError):
        cqc_records_import(records=records(), source="csv", batch_size=1)
    run = CqcImportRun.objects.get()
    assert not run.succeeded and run.finished_at is not None
    assert "Unrecognised date" in run.error
    # All or nothing: the batch before the bad row was rolled back too, and the run says so.
    assert CqcLocation.objects.count() == 0 and Provider.objects.count() == 0
    assert (run.created, run.updated, run.unchanged, run.ratings_added) == (0, 0, 0, 0)


def test_a_failing_batched_api_import_keeps_committed_batches_and_counts_only_those():
    def records():
        yield location_record()
        yield replace(location_record(), location_id="1-000000002", postcode="LS1 1AA EXTRA")

    with pytest.raises(CqcFormatError, match="postcode is 13 characters"):
        cqc_records_import(records=records(), source="api", batch_size=1, all_or_nothing=False)
    run = CqcImportRun.objects.get()
    assert not run.succeeded
    assert run.error.startswith("record 2 (location 1-000000002): postcode is 13 characters")
    assert CqcLocation.objects.count() == 1 and (run.created, run.updated) == (1, 0)


def write_csv(path: Path, rows: list[dict[str, str]]) -> Path:
    with path.open("w", newline="", encoding="utf-8") as handle:
        writer = csv.DictWriter(handle, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    return path


DIRECTORY_ROW = {
    "Location ID": "1-555000111",
    "Location HSCA start date": "01/04/2019",
    "Dormant (Y/N)": "N",
    "Care home?": "N",
    "Location Name": "Wharfe Care",
    "Location Type/Sector": "Social Care Org",
    "Location Inspection Directorate": "Adult social care",
    "Location Region": "Yorkshire and The Humber",
    "Location Local Authority": "Leeds",
    "Location Latitude": "53.9045",
    "Location Longitude": "-1.6918",
    "Location Street Address": "1 Bridge Street",
    "Location City": "Otley",
    "Location Postal Code": "LS21 1BQ",
    "Location Latest Overall Rating": "Good",
    "Publication Date": "12/01/2024",
    "Provider ID": "1-555000000",
    "Provider Name": "Wharfe Care Ltd",
    "Regulated activity - Personal care": "Y",
    "Service type - Domiciliary care service": "Y",
    "Service type - Supported living service": "",
    "Service user band - Dementia": "Y",
}


def test_the_care_directory_csv_with_its_ratings_sheet_is_read(tmp_path):
    directory = write_csv(tmp_path / "HSCA_Active_Locations.csv", [DIRECTORY_ROW])
    ratings_rows = [
        {
            "Location ID": "1-555000111",
            "Service / Population Group": "Overall",
            "Domain": domain,
            "Latest Rating": r,
            "Publication Date": "12/01/2024",
        }
        for domain, r in [
            ("Overall", "Good"),
            ("Well-led", "Requires Improvement"),
            ("Safe", "Good"),
            ("Caring", "Outstanding"),
            ("Responsive", "Good"),
            ("Effective", "Good"),
        ]
    ]
    ratings_path = write_csv(tmp_path / "Latest_ratings.csv", ratings_rows)
    [record] = read_location_csv(directory, ratings_path=ratings_path)
    assert record.is_homecare_agency
    assert record.regulated_activities == ("Personal care",)
    assert record.specialisms == ("Dementia",)
    assert record.registration_status == "Registered"
    assert record.registration_date == date(2019, 4, 1)
    run_import(record)
    rating = CqcLocation.objects.select_related("current_rating").get().current_rating
    assert rating is not None
    assert (rating.overall, rating.well_led, rating.caring) == ("Good", "Requires improvement", "Outstanding")
    assert rating.report_date == date(2024, 1, 12)


def test_the_care_directory_csv_alone_does_not_invent_key_question_ratings(tmp_path):
    directory = write_csv(tmp_path / "HSCA_Active_Locations.csv", [DIRECTORY_ROW])
    [record] = read_location_csv(directory)
    assert not record.ratings_known
    run_import(record)
    assert CqcRating.objects.count() == 0


def test_an_unknown_csv_shape_is_refused_with_the_columns_expected(tmp_path):
    path = write_csv(tmp_path / "something.csv", [{"location_id": "1", "title": "x"}])
    with pytest.raises(CqcFormatError, match="is not a CQC locations CSV"):
        list(read_location_csv(path))
    other = write_csv(tmp_path / "other.csv", [{"id": "1", "title": "x"}])
    with pytest.raises(CqcFormatError, match="no header row with a 'Location ID' column"):
        list(read_location_csv(other))


def test_a_notice_above_the_directory_header_is_skipped_and_lines_still_counted(tmp_path):
    path = write_csv(tmp_path / "HSCA.csv", [DIRECTORY_ROW, {**DIRECTORY_ROW, "Location HSCA start date": "soon"}])
    notice = "Issues with our care directory files,,\nWe are moving to a new digital system.,,\n"
    path.write_text(notice + path.read_text(encoding="utf-8"), encoding="utf-8")
    with pytest.raises(CqcFormatError, match=r"HSCA.csv, line 5: Unrecognised date 'soon'"):
        list(read_location_csv(path))


def test_a_bad_value_names_the_file_and_line(tmp_path):
    path = write_csv(tmp_path / "HSCA.csv", [DIRECTORY_ROW, {**DIRECTORY_ROW, "Location HSCA start date": "soon"}])
    with pytest.raises(CqcFormatError, match=r"HSCA.csv, line 3: Unrecognised date 'soon'"):
        list(read_location_csv(path))


BASE = "https://cqc.test/public/v1"


def api_location(location_id: str, *, lat: float, lon: float, overall: str = "Good") -> dict[str, Any]:
    return {
        "locationId": location_id,
        "providerId": "1-700000000",
        "name": f"Location {location_id}",
        "registrationStatus": "Registered",
        "gacServiceTypes": [{"name": "Homecare agencies", "description": "Domiciliary care service"}],
        "postalCode": "LS1 5AB",
        "onspdLatitude": lat,
        "onspdLongitude": lon,
        "currentRatings": {"overall": {"rating": overall, "reportDate": "2024-06-01", "keyQuestionRatings": []}},
    }


@pytest.mark.realdata
@responses.activate
def test_the_daily_sync_reads_from_the_last_good_run_and_keeps_only_nearby_new_locations():
    shared_data_file("boundaries", "leeds_lad.geojson")
    run_import(location_record(location_id="1-known", latitude=51.5, longitude=-0.12))  # known, in London
    CqcImportRun.objects.create(
        source="changes",
        started_at=datetime(2025, 3, 12, tzinfo=UTC),
        succeeded=True,
        changes_until=datetime(2025, 3, 12, 5, 15, tzinfo=UTC),
    )
    responses.get(
        f"{BASE}/changes/location",
        match=[
            responses.matchers.query_param_matcher(
                {"startTimestamp": "2025-03-12T05:15:00Z", "endTimestamp": "2025-03-13T05:15:00Z"}, strict_match=False
            )
        ],
        json={"page": 1, "totalPages": 1, "changes": ["1-known", "1-leeds", "1-york"]},
    )
    responses.get(f"{BASE}/locations/1-known", json=api_location("1-known", lat=51.5, lon=-0.12, overall="Outstanding"))
    responses.get(f"{BASE}/locations/1-leeds", json=api_location("1-leeds", lat=53.7975, lon=-1.5466))
    responses.get(f"{BASE}/locations/1-york", json=api_location("1-york", lat=54.2, lon=-1.0))  # 25+ miles away
    responses.get(f"{BASE}/providers/1-700000000", json={"providerId": "1-700000000", "name": "Ridings Care Ltd"})
    client = CqcApiClient(base_url=BASE, api_key="k", min_interval=0, sleep=lambda s: None)

    run = cqc_sync_changes(client=client, until=datetime(2025, 3, 13, 5, 15, tzinfo=UTC))

    assert run.succeeded and run.changes_until == datetime(2025, 3, 13, 5, 15, tzinfo=UTC)
    assert set(CqcLocation.objects.values_list("location_id", flat=True)) == {"1-known", "1-leeds"}
    known = CqcLocation.objects.select_related("current_rating").get(location_id="1-known")
    assert known.current_rating is not None and known.current_rating.overall == "Outstanding"
    assert Provider.objects.get(cqc_provider_id="1-700000000").name == "Ridings Care Ltd"
    # The provider record is fetched once for both locations.
    assert sum("/providers/" in str(call.request.url) for call in responses.calls) == 1


def test_the_sync_refuses_to_run_without_an_api_key():
    with pytest.raises(ImproperlyConfigured, match="CQC_API_KEY"):
        cqc_sync_changes(client=CqcApiClient(base_url=BASE, api_key=""))


def test_new_locations_written_together_each_get_their_provider_and_own_rating():
    # A first import writes new locations in bulk; each must still point at its own provider and rating.
    records = [
        location_record(location_id=f"1-10000000{n}", provider_id=f"1-20000000{n % 2}", name=f"Branch {n}")
        for n in range(5)
    ] + [location_record(location_id="1-100000009", current_rating=None, name="Unrated")]
    run = run_import(*records)

    assert (run.created, run.ratings_added) == (6, 5)
    assert Provider.objects.count() == 2
    for location in CqcLocation.objects.select_related("current_rating", "provider"):
        if location.name == "Unrated":
            assert location.current_rating is None
        else:
            assert location.current_rating is not None and location.current_rating.location_id == location.pk
            assert location.provider.cqc_provider_id == f"1-20000000{int(location.name[-1]) % 2}"


def test_a_new_location_listed_twice_in_one_file_is_created_once_and_updated_by_the_second():
    first = location_record()
    moved = location_record(town="Leeds (moved)")
    run = run_import(first, moved)

    assert (run.created, run.updated, run.unchanged) == (1, 1, 0)
    assert CqcLocation.objects.get().town == "Leeds (moved)"
    assert CqcRating.objects.count() == 1


def test_text_with_tabs_newlines_and_backslashes_is_stored_exactly_as_read():
    # On PostgreSQL new locations are written with COPY, whose text format gives these characters meaning.
    odd = {
        "name": "Care\tat home \\N",
        "address_line1": "Unit 2\\3\nBack Lane\r",
        "town": "\\",
        "provider_name": "Tab\tand \\t Ltd",
        "service_types": ("Homecare agencies", 'Quote " and \\ backslash'),
        "latitude": 53.79751234567891,
        "registration_date": None,
        "is_dormant": False,
    }
    record = location_record(**odd)
    run = run_import(record)

    location = CqcLocation.objects.select_related("provider").get()
    expected = {name: list(value) if isinstance(value, tuple) else value for name, value in odd.items()}
    stored = {name: getattr(location, name) for name in odd if name != "provider_name"}
    assert {**stored, "provider_name": location.provider.name} == expected
    assert run.created == 1
    assert (run_import(record).unchanged, CqcLocation.objects.get().updated_at) == (1, location.updated_at)
