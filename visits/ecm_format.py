"""Reading an electronic call monitoring (ECM) export: the documented format, and adapters for other column sets.

Pure Python over text (no ORM), so the upload, the API and the benchmark share one reading of a row.

The documented format (README, "Visits delivered: the ECM format") has one row per visit with these columns::

    visit_id, package_reference, planned_start, check_in, check_out, carers, carer_ids, method, exception_code

Times are ISO 8601 (``2026-03-02T08:05`` or ``2026-03-02 08:05``); without an offset they are UK local time.
``carer_ids`` are separated by ``;`` and are pseudonymised here, so a real id never reaches the database.
A visit not made has no check-in or check-out and (usually) an exception code.

Other products' exports are read by renaming their columns (``ADAPTERS``); which adapters follow published
documentation and which are a best guess is said in the README.
"""

from __future__ import annotations

import csv
import hashlib
import hmac
import io
import re
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime, tzinfo
from zoneinfo import ZoneInfo

from visits.pseudonyms import pseudonym, pseudonymiser

COLUMNS = (
    "visit_id",
    "package_reference",
    "planned_start",
    "check_in",
    "check_out",
    "carers",
    "carer_ids",
    "method",
    "exception_code",
)
REQUIRED = ("visit_id", "package_reference", "carers")
METHODS = {"phone": "phone", "telephone": "phone", "app": "app", "mobile": "app", "nfc": "nfc", "manual": "manual"}
UK = ZoneInfo("Europe/London")
MAX_CARERS = 4
_ID = re.compile(r"^[A-Za-z0-9._:/-]{1,64}$")
_PACKAGE = re.compile(r"^(?:ISA-)?0*(\d{1,9})$", re.IGNORECASE)


@dataclass(frozen=True)
class ColumnSet:
    """A product's export: its header for each of our columns, and whether its layout is documented publicly."""

    key: str
    name: str
    columns: Mapping[str, str]  # our column -> theirs
    documented: bool
    source: str  # where the layout comes from


ADAPTERS: dict[str, ColumnSet] = {
    cs.key: cs
    for cs in (
        ColumnSet("homecare", "This service's ECM format", {c: c for c in COLUMNS}, True, "README of this project"),
        ColumnSet(
            "cm2000",
            "CM2000-style call monitoring export",
            {
                "visit_id": "Visit Reference",
                "package_reference": "Service User Reference",
                "planned_start": "Scheduled Start",
                "check_in": "Actual Start",
                "check_out": "Actual End",
                "carers": "No. of Carers",
                "carer_ids": "Carer IDs",
                "method": "Call Method",
                "exception_code": "Exception Code",
            },
            False,
            "best guess: CM2000 does not publish its export layout; exception codes are documented by CareLineLive",
        ),
        ColumnSet(
            "carelinelive",
            "CareLineLive-style visit report",
            {
                "visit_id": "Visit ID",
                "package_reference": "Client Reference",
                "planned_start": "Scheduled Start Time",
                "check_in": "Check In Time",
                "check_out": "Check Out Time",
                "carers": "Carers Required",
                "carer_ids": "Carer Payroll IDs",
                "method": "Check In Method",
                "exception_code": "Visit Validation Exception",
            },
            False,
            "best guess from CareLineLive's public help pages (no published column list)",
        ),
        ColumnSet(
            "birdie",
            "Birdie-style visit export",
            {
                "visit_id": "visit_id",
                "package_reference": "care_recipient_external_id",
                "planned_start": "planned_start_time",
                "check_in": "check_in_time",
                "check_out": "check_out_time",
                "carers": "number_of_carers",
                "carer_ids": "caregiver_ids",
                "method": "check_in_type",
                "exception_code": "exception_code",
            },
            False,
            "best guess: Birdie documents its check-in methods publicly, not an export layout",
        ),
    )
}


@dataclass(frozen=True)
class EcmRow:
    """One visit read from a file or an API batch, pseudonymised and typed; not yet checked against packages."""

    line: int
    visit_id: str
    package_id: int
    planned_start: datetime | None
    check_in: datetime | None
    check_out: datetime | None
    carers: int
    carer_pseudonyms: tuple[str, ...]
    method: str
    exception_code: str

    @property
    def fingerprint(self) -> str:
        """SHA-256 of the row's values (not its line): the same visit sent again has the same fingerprint."""
        parts = (
            self.visit_id,
            str(self.package_id),
            _iso(self.planned_start),
            _iso(self.check_in),
            _iso(self.check_out),
            str(self.carers),
            " ".join(self.carer_pseudonyms),
            self.method,
            self.exception_code,
        )
        return hashlib.sha256("\x1f".join(parts).encode()).hexdigest()


def _iso(value: datetime | None) -> str:
    return value.isoformat() if value is not None else ""


@dataclass(frozen=True)
class RowError:
    line: int
    visit_id: str
    messages: tuple[str, ...]


@dataclass
class EcmReading:
    column_set: str = ""
    rows: list[EcmRow] = field(default_factory=list)
    errors: list[RowError] = field(default_factory=list)
    file_errors: list[str] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return not self.errors and not self.file_errors


def detect_column_set(header: Iterable[str]) -> ColumnSet | None:
    """The adapter whose every required column is in the header (ours first)."""
    present = {h.strip() for h in header}
    for column_set in ADAPTERS.values():
        if all(column_set.columns[c] in present for c in REQUIRED):
            return column_set
    return None


def parse_time(raw: str, *, zone: tzinfo = UK) -> datetime:
    value = datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    return value if value.tzinfo is not None else value.replace(tzinfo=zone)


def read_ecm_csv(text: str, *, carer_key: bytes | None = None) -> EcmReading:
    """Read a whole file; every row's problems are reported, with its line number (the header is line 1)."""
    reading = EcmReading()
    reader = csv.reader(io.StringIO(text))
    header = next(reader, None)
    if header is None:
        reading.file_errors.append("The file is empty.")
        return reading
    column_set = detect_column_set(header)
    if column_set is None:
        reading.file_errors.append(
            "The header does not match any known ECM format. It needs at least the columns "
            + ", ".join(REQUIRED)
            + " (or a supported product's names for them)."
        )
        return reading
    reading.column_set = column_set.key
    index = {h.strip(): i for i, h in enumerate(header)}
    positions = {ours: index.get(theirs) for ours, theirs in column_set.columns.items()}
    base = pseudonymiser(carer_key)
    seen: set[str] = set()
    for line, cells in enumerate(reader, start=2):
        if not any(cell.strip() for cell in cells):
            continue
        values = {ours: (cells[i] if i is not None and i < len(cells) else "") for ours, i in positions.items()}
        row, problems = read_values(values, line=line, base=base)
        if row is not None and row.visit_id in seen:
            problems.append(f"Visit id {row.visit_id} appears twice in the file.")
        if problems:
            reading.errors.append(RowError(line, values.get("visit_id", "").strip(), tuple(problems)))
        elif row is not None:
            seen.add(row.visit_id)
            reading.rows.append(row)
    if not reading.rows and not reading.errors:
        reading.file_errors.append("The file has a header but no visits.")
    return reading


def read_values(values: Mapping[str, str], *, line: int, base: hmac.HMAC) -> tuple[EcmRow | None, list[str]]:
    """One row's values (our column names) to an ``EcmRow``, or the list of what is wrong with it."""
    problems: list[str] = []

    def text(name: str) -> str:
        return str(values.get(name) or "").strip()

    def when(name: str, label: str) -> datetime | None:
        raw = text(name)
        if not raw:
            return None
        try:
            return parse_time(raw)
        except ValueError:
            problems.append(f"{label} {raw!r} is not a date and time like 2026-03-02T08:05.")
            return None

    visit_id = text("visit_id")
    if not _ID.match(visit_id):
        problems.append("Visit id is missing or has characters other than letters, digits and . _ : / -.")
    package_match = _PACKAGE.match(text("package_reference"))
    if package_match is None:
        problems.append(f"Package reference {text('package_reference')!r} is not like ISA-000123.")
    planned_start = when("planned_start", "Planned start")
    check_in = when("check_in", "Check-in")
    check_out = when("check_out", "Check-out")
    if (check_in is None) != (check_out is None) and not problems:
        problems.append("A visit needs both its check-in and its check-out, or neither (a visit not made).")
    if check_in is not None and check_out is not None and check_out < check_in:
        problems.append("Check-out is before check-in.")
    if check_in is not None and check_out is not None and (check_out - check_in).total_seconds() > 24 * 3600:
        problems.append("The visit lasts more than 24 hours.")
    try:
        carers = int(text("carers") or "1")
        if not 1 <= carers <= MAX_CARERS:
            raise ValueError
    except ValueError:
        problems.append(f"Number of carers {text('carers')!r} is not a whole number from 1 to {MAX_CARERS}.")
        carers = 1
    ids = tuple(part for part in re.split(r"[;|]", text("carer_ids")) if part.strip())
    if len(ids) > carers and check_in is not None:
        problems.append(f"{len(ids)} carer ids are given for {carers} carers.")
    method_raw = text("method").lower()
    method = METHODS.get(method_raw or "app")
    if method is None:
        problems.append(f"Method {text('method')!r} is not one of phone, app, NFC or manual.")
    exception_code = text("exception_code").upper()
    if len(exception_code) > 20:
        problems.append("Exception code is longer than 20 characters.")
    if problems or package_match is None or method is None:
        return None, problems
    return (
        EcmRow(
            line=line,
            visit_id=visit_id,
            package_id=int(package_match.group(1)),
            planned_start=planned_start,
            check_in=check_in,
            check_out=check_out,
            carers=carers,
            carer_pseudonyms=tuple(pseudonym(i, base=base) for i in ids),
            method=method,
            exception_code=exception_code,
        ),
        [],
    )
