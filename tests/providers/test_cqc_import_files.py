"""The CQC CSV command: a file is imported all or nothing, in any encoding Excel writes, within the size limit."""

from __future__ import annotations

import csv
import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from openpyxl import Workbook

from homecare.audit.actions import AuditAction
from homecare.audit.models import AuditEvent
from providers.models import CqcImportRun, CqcLocation, Provider
from tests.realdata import shared_data_file

pytestmark = pytest.mark.django_db

EXTRACT_HEADER = [
    "location_id", "name", "provider_id", "provider_name", "registration_status", "type", "service_types",
    "postcode", "local_authority", "overall_rating", "safe", "effective", "caring", "responsive", "well_led",
    "rating_report_date",
]  # fmt: skip


def extract_row(number: int, **overrides: str) -> dict[str, str]:
    row = dict.fromkeys(EXTRACT_HEADER, "")
    row.update(
        location_id=f"1-9{number:09d}",
        name=f"Test Homecare {number}",
        provider_id=f"1-8{number:09d}",
        provider_name=f"Test Care Ltd {number}",
        registration_status="Registered",
        service_types="Homecare agencies",
        postcode="LS1 1AA",
        local_authority="Leeds",
        overall_rating="Good",
        **dict.fromkeys(("safe", "effective", "caring", "responsive", "well_led"), "Good"),
        rating_report_date="2024-01-12",
    )
    row.update(overrides)
    return row


def write_extract(path: Path, rows: list[dict[str, str]], *, encoding: str = "utf-8") -> Path:
    buffer = io.StringIO()
    writer = csv.DictWriter(buffer, fieldnames=EXTRACT_HEADER, lineterminator="\r\n")
    writer.writeheader()
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def test_a_bad_row_at_line_552_imports_nothing_and_the_run_says_where_and_why(tmp_path: Path) -> None:
    rows = [extract_row(n) for n in range(1, 601)]
    # Line 552 of the file (the header is line 1): a postcode too long to store. It reads, then fails to write,
    # after the first batch of 500; the old importer had committed that batch by then.
    rows[550] = extract_row(551, postcode="LS1 1AA EXTRA")
    path = write_extract(tmp_path / "locations.csv", rows)

    with pytest.raises(CommandError, match=r"Nothing was imported") as refusal:
        call_command("cqc_import_csv", str(path))
    assert "locations.csv, line 552 (location 1-9000000551): postcode is 13 characters" in str(refusal.value)
    assert CqcLocation.objects.count() == 0 and Provider.objects.count() == 0
    run = CqcImportRun.objects.get()
    assert not run.succeeded and run.finished_at is not None
    assert (run.created, run.updated, run.unchanged, run.ratings_added) == (0, 0, 0, 0)
    assert run.error.startswith("locations.csv, line 552 (location 1-9000000551): postcode is 13 characters")
    assert f"run {run.pk}" in str(refusal.value)
    event = AuditEvent.objects.get(action=AuditAction.CQC_IMPORT_FINISHED)
    assert "failed (0 new, 0 updated" in event.summary and "line 552" in event.summary

    rows[550] = extract_row(551)
    write_extract(path, rows)
    call_command("cqc_import_csv", str(path), stdout=io.StringIO())
    good = CqcImportRun.objects.filter(succeeded=True).get()
    assert good.created == CqcLocation.objects.count() == 600


@pytest.mark.parametrize(
    ("encoding", "name"),
    [
        ("latin-1", "Brontë Homecare, Haworth"),
        ("cp1252", "O\u2019Neill Care \u2013 Leeds"),
        ("utf-16", "Zoë\u2019s Care 日本"),
        ("utf-8-sig", "Zoë\u2019s Care 日本"),
    ],
)
def test_the_command_reads_latin_1_windows_1252_and_utf_16_files(tmp_path: Path, encoding: str, name: str) -> None:
    path = write_extract(tmp_path / "locations.csv", [extract_row(1, name=name)], encoding=encoding)
    call_command("cqc_import_csv", str(path), stdout=io.StringIO())
    assert CqcLocation.objects.get().name == name


def test_a_workbook_or_an_unreadable_encoding_is_refused_by_name_without_a_traceback(tmp_path: Path) -> None:
    workbook = tmp_path / "locations.csv"
    Workbook().save(workbook)
    with pytest.raises(CommandError, match=r"locations.csv is an Excel workbook \(XLSX\)"):
        call_command("cqc_import_csv", str(workbook))
    unknown = tmp_path / "other.csv"
    unknown.write_bytes(b"location_id,name\n1-1,\x81\xff\n")
    with pytest.raises(CommandError, match=r"other.csv is neither UTF-8 .* nor Windows-1252"):
        call_command("cqc_import_csv", str(unknown))
    ratings = write_extract(tmp_path / "ratings.csv", [extract_row(1)], encoding="utf-16-le")
    with pytest.raises(CommandError, match=r"ratings.csv contains UTF-16 text without a byte-order mark"):
        locations = write_extract(tmp_path / "ok.csv", [extract_row(1)])
        call_command("cqc_import_csv", str(locations), ratings=ratings)
    assert CqcLocation.objects.count() == CqcImportRun.objects.count() == 0


def test_a_file_over_the_configured_limit_is_refused(settings, tmp_path: Path) -> None:
    settings.HOMECARE_IMPORT_MAX_BYTES = 1024
    path = write_extract(tmp_path / "locations.csv", [extract_row(n) for n in range(1, 40)])
    limit = r"locations.csv is 5.7 KB; the largest file that can be imported is 1.0 KB \(HOMECARE_IMPORT_MAX_MB\)"
    with pytest.raises(CommandError, match=limit):
        call_command("cqc_import_csv", str(path))
    assert CqcLocation.objects.count() == 0


@pytest.mark.realdata
def test_the_real_oldham_extract_saved_as_utf_16_imports_the_same_as_utf_8(tmp_path: Path) -> None:
    original = shared_data_file("cqc", "oldham_cqc_locations_2025-03.csv")
    utf16 = tmp_path / "oldham-utf16.csv"
    utf16.write_bytes(original.read_text(encoding="utf-8").encode("utf-16"))
    call_command("cqc_import_csv", str(utf16), stdout=io.StringIO())
    names = dict(CqcLocation.objects.values_list("location_id", "name"))
    assert len(names) == 451
    call_command("cqc_import_csv", str(original), stdout=io.StringIO())
    run = CqcImportRun.objects.order_by("-pk").first()
    assert run is not None and run.succeeded and (run.created, run.updated, run.unchanged) == (0, 0, 451)
