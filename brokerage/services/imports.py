"""Bulk import of existing packages from CSV, for a council moving onto the system.

All or nothing: every row is checked first (its shape through ``IsaInput``, the ISA's plain-data form, then
every rule once, in the one entry service) and the report lists every error of every row; only a file
without errors is saved, in one transaction (``packages_enter``).

Rows may be new referrals to broker (``status`` ``draft`` or ``brokering``) or care already running with a
provider (``care_started``, with ``provider_cqc_id`` and ``care_started_on``), recorded as a manual award.
"""

from __future__ import annotations

import csv
import io
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from django.contrib.auth.models import User

from brokerage import entry_errors
from brokerage.isa import IsaData
from brokerage.isa_input import IsaInput, isa_from_validated
from brokerage.models import CarePackage, CarerGender, Funding
from brokerage.services.packages import (
    ExistingPlacement,
    IsaInvalid,
    IsasInvalid,
    PackageEntry,
    isa_resolve,
    packages_enter,
)
from contracts.models import Urgency
from providers.models import Provider

COLUMNS = [
    "external_reference", "agreement_reference", "lot_number", "locality_area_code",
    "mosaic_person_id", "given_name", "family_name", "date_of_birth", "address_line_1", "address_line_2",
    "town", "postcode", "phone", "visits", "hours_per_week", "requested_start_on", "urgency",
    "housing_with_care", "required_skills", "language", "carer_gender", "care_needs", "special_requirements",
    "funding", "status", "provider_cqc_id", "care_started_on",
]  # fmt: skip
REQUIRED_COLUMNS = {
    "external_reference",
    "agreement_reference",
    "given_name",
    "family_name",
    "address_line_1",
    "postcode",
    "visits",
    "requested_start_on",
}
Status = CarePackage.Status
Progress = Callable[[int], None]  # called with how many rows have been checked (or entered) so far
# The statuses a legacy row may arrive in: a draft, a referral to broker now, or care already running.
IMPORT_STATUSES = (Status.DRAFT, Status.BROKERING, Status.CARE_STARTED)
_DAYS = ["mon", "tue", "wed", "thu", "fri", "sat", "sun"]
_VISIT = re.compile(
    r"^(?P<days>[A-Za-z,\-]+)\s+(?P<start>\d{1,2}:\d{2})-(?P<end>\d{1,2}:\d{2})\s+(?P<minutes>\d+)(?:\s*x\s*(?P<carers>\d))?$"
)


@dataclass
class RowReport:
    row: int
    reference: str
    errors: list[str] = field(default_factory=list)


@dataclass
class ImportReport:
    rows: list[RowReport]
    saved: int = 0
    file_errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.file_errors and all(not row.errors for row in self.rows)

    @property
    def failed_rows(self) -> list[RowReport]:
        return [row for row in self.rows if row.errors]


def parse_days(text: str) -> list[int]:
    """ "Mon-Fri", "Daily", "Mon,Wed,Fri" or "Sat" -> weekday numbers (0 = Monday)."""
    spec = text.strip().lower()
    if spec in ("daily", "every day"):
        return list(range(7))
    days: list[int] = []
    for part in spec.split(","):
        if "-" in part:
            first, last = (p.strip()[:3] for p in part.split("-", 1))
            if first not in _DAYS or last not in _DAYS or _DAYS.index(last) < _DAYS.index(first):
                raise ValueError(f"{part!r} is not a range of days like Mon-Fri")
            days.extend(range(_DAYS.index(first), _DAYS.index(last) + 1))
        elif part.strip()[:3] in _DAYS:
            days.append(_DAYS.index(part.strip()[:3]))
        else:
            raise ValueError(f"{part!r} is not a day")
    return days


def parse_visits(text: str) -> list[dict[str, Any]]:
    """ "Mon-Sun 08:00-09:30 45; Mon 17:00-18:00 30x2" -> visit dicts for ``VisitInput``."""
    visits: list[dict[str, Any]] = []
    for chunk in filter(None, (c.strip() for c in text.split(";"))):
        match = _VISIT.match(chunk)
        if match is None:
            raise ValueError(f"{chunk!r} is not a visit like 'Mon-Fri 08:00-09:30 45' or 'Sat 17:00-18:00 30x2'")
        for day in parse_days(match["days"]):
            visits.append(
                {
                    "day_of_week": ["monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday"][day],
                    "window_start": match["start"],
                    "window_end": match["end"],
                    "duration_minutes": int(match["minutes"]),
                    "carers": int(match["carers"] or 1),
                }
            )
    if not visits:
        raise ValueError("Give at least one visit, like 'Mon-Sun 08:00-09:30 45'.")
    return visits


@dataclass
class _Row:
    report: RowReport
    isa: IsaData | None
    status: str
    provider: Provider | None
    care_started_on: date | None


def _read_row(number: int, raw: dict[str, str], seen: set[str]) -> _Row:
    values = {key: (value or "").strip() for key, value in raw.items() if key}
    reference = values.get("external_reference", "")
    report = RowReport(row=number, reference=reference)
    if reference in seen:
        report.errors.append(f"external_reference: {reference} appears more than once in the file.")
    seen.add(reference)
    status = values.get("status") or Status.BROKERING
    if status not in IMPORT_STATUSES:
        report.errors.append(f"status: use one of {', '.join(IMPORT_STATUSES)}.")
    visits: list[dict[str, Any]] = []
    try:
        visits = parse_visits(values.get("visits", ""))
    except ValueError as error:
        report.errors.append(f"visits: {error}")
    data: dict[str, Any] = {
        "source_system": "csv-import",
        "external_reference": reference,
        "agreement_reference": values.get("agreement_reference", ""),
        "lot_number": values.get("lot_number") or None,
        "locality_area_code": values.get("locality_area_code", ""),
        "person": {
            key: values.get(key, "")
            for key in (
                "mosaic_person_id",
                "given_name",
                "family_name",
                "address_line_1",
                "address_line_2",
                "town",
                "postcode",
                "phone",
            )
        }
        | {"date_of_birth": values.get("date_of_birth") or None},
        "visits": visits,
        "hours_per_week": values.get("hours_per_week") or None,
        "requested_start_on": values.get("requested_start_on", ""),
        "urgency": values.get("urgency") or Urgency.ROUTINE,
        "housing_with_care": values.get("housing_with_care", "").lower() in ("yes", "true", "1", "y"),
        "required_skills": [s.strip() for s in values.get("required_skills", "").split(";") if s.strip()],
        "language": values.get("language", ""),
        "carer_gender": values.get("carer_gender") or CarerGender.ANY,
        "care_needs": values.get("care_needs", ""),
        "special_requirements": values.get("special_requirements", ""),
        "funding": values.get("funding") or Funding.COUNCIL,
    }
    serializer = IsaInput(data=data)
    isa = None
    if serializer.is_valid():
        isa = isa_from_validated(serializer.validated_data)
    else:
        shape = dict(serializer.errors)
        if not visits:
            shape.pop("visits", None)  # already reported, in the file's own words
        report.errors.extend(entry_errors.shape_lines(shape))
        report.errors.extend(entry_errors.lines(entry_errors.references_of_malformed(data, shape)))
    provider = None
    started = None
    if status == Status.CARE_STARTED:
        provider = Provider.objects.filter(cqc_provider_id=values.get("provider_cqc_id", "")).first()
        if provider is None:
            report.errors.append("provider_cqc_id: no provider has this CQC provider id.")
        try:
            started = date.fromisoformat(values.get("care_started_on", ""))
        except ValueError:
            report.errors.append("care_started_on: give the date care started, like 2024-05-31.")
    imported = CarePackage.objects.filter(source_system="csv-import", external_reference=reference)
    if isa is not None and imported.exists():
        report.errors.append(f"external_reference: {reference} was imported before.")
    return _Row(report=report, isa=isa, status=status, provider=provider, care_started_on=started)


def _entry(row: _Row) -> PackageEntry:
    assert row.isa is not None  # noqa: S101 - only rows with an ISA become entries
    placement = None
    if row.status == Status.CARE_STARTED:
        assert row.provider is not None and row.care_started_on is not None  # noqa: S101 - checked when read
        placement = ExistingPlacement(provider=row.provider, care_started_on=row.care_started_on)
    return PackageEntry(isa=row.isa, submit=row.status == Status.BROKERING, placement=placement)


def csv_row_count(text: str) -> int:
    """How many rows the import will read (blank lines skipped, quoted line breaks kept), header excluded."""
    return max(sum(1 for line in csv.reader(io.StringIO(text.lstrip("\ufeff"))) if line) - 1, 0)


@dataclass
class CheckedImport:
    """A file read and checked: every row's report, and the rows ready to save when the report is clean."""

    rows: list[_Row]
    report: ImportReport


def package_import_check(*, text: str, progress: Progress | None = None) -> CheckedImport:
    """Check every row of the file, saving nothing; ``progress(rows checked)`` is called after each row.

    1. The file's columns; then each row's shape and the file-level checks (duplicates, earlier imports,
       providers).
    2. Each well-formed row's rules, once (``isa_resolve``), so the report lists every error of every row.
    """
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = REQUIRED_COLUMNS - set(reader.fieldnames or [])
    if missing:
        report = ImportReport(rows=[], file_errors=[f"The file has no column: {', '.join(sorted(missing))}."])
        return CheckedImport(rows=[], report=report)
    seen: set[str] = set()
    rows: list[_Row] = []
    for number, raw in enumerate(reader, start=2):
        row = _read_row(number, raw, seen)
        if row.isa is not None:
            try:
                isa_resolve(row.isa)
            except IsaInvalid as invalid:
                row.report.errors.extend(entry_errors.lines(invalid.errors))
        rows.append(row)
        if progress is not None:
            progress(len(rows))
    report = ImportReport(rows=[row.report for row in rows])
    if not rows:
        report.file_errors.append("The file has no rows.")
    return CheckedImport(rows=rows, report=report)


def package_import_save(
    checked: CheckedImport, *, imported_by: User | None, on_entered: Progress | None = None
) -> ImportReport:
    """Save every row of a clean file in one transaction (``packages_enter``), or none.

    The rules are checked again inside that transaction (an agreement may have changed since the check);
    any failure is reported against its row with nothing saved. ``on_entered(rows entered)`` is called as the
    transaction goes (nothing is committed until the end).
    """
    report = checked.report
    if not report.ok:
        raise ValueError("A file with errors is never saved; show its report instead.")
    rows = checked.rows
    try:
        packages_enter(entries=[_entry(row) for row in rows], entered_by=imported_by, on_entered=on_entered)
    except IsasInvalid as invalid:
        for index, errors in invalid.errors.items():
            rows[index].report.errors.extend(entry_errors.lines(errors))
        return report
    report.saved = len(rows)
    return report


def package_import_csv(*, text: str, imported_by: User | None) -> ImportReport:
    """Check every row, then save all of them in one transaction, or none (small files, within a request).

    Larger files are imported the same way by a background job (``brokerage.services.import_jobs``).
    """
    checked = package_import_check(text=text)
    if not checked.report.ok:
        return checked.report
    return package_import_save(checked, imported_by=imported_by)
