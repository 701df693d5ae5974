"""Bulk import of existing packages from CSV, for a council moving onto the system.

All or nothing: every row is validated first (the same rules as the API, through ``IsaInput``) and the
report lists every error of every row; only a file without errors is saved, in one transaction.

Rows may be new referrals to broker (``status`` ``draft`` or ``brokering``) or care already running with a
provider (``care_started``, with ``provider_cqc_id`` and ``care_started_on``), recorded as a manual award.
"""

from __future__ import annotations

import csv
import io
import re
from dataclasses import dataclass, field
from datetime import date, datetime, time
from typing import Any

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from brokerage.api.serializers import IsaInput, isa_from_validated
from brokerage.isa import IsaData
from brokerage.models import CarePackage, Offer
from brokerage.services.brokering import award_locked
from brokerage.services.history import package_transition
from brokerage.services.packages import IsaInvalid, isa_resolve, package_create, package_submit
from providers.models import Provider

COLUMNS = [
    "external_reference", "agreement_reference", "lot_number", "locality_area_code",
    "mosaic_person_id", "given_name", "family_name", "date_of_birth", "address_line_1", "address_line_2",
    "town", "postcode", "phone", "visits", "hours_per_week", "requested_start_on", "urgency",
    "housing_with_care", "required_skills", "language", "carer_gender", "special_requirements", "funding",
    "status", "provider_cqc_id", "care_started_on",
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
IMPORT_STATUSES = ("draft", "brokering", "care_started")
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


def _flatten(errors: Any, prefix: str = "") -> list[str]:
    """DRF's nested errors as "field: message" lines."""
    if isinstance(errors, dict):
        return [
            line
            for key, value in errors.items()
            for line in _flatten(value, f"{prefix}{key}." if key != "non_field_errors" else prefix)
        ]
    if isinstance(errors, list):
        return [line for item in errors for line in _flatten(item, prefix)]
    return [f"{prefix.rstrip('.')}: {errors}" if prefix else str(errors)]


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
    status = values.get("status") or "brokering"
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
        "urgency": values.get("urgency") or "routine",
        "housing_with_care": values.get("housing_with_care", "").lower() in ("yes", "true", "1", "y"),
        "required_skills": [s.strip() for s in values.get("required_skills", "").split(";") if s.strip()],
        "language": values.get("language", ""),
        "carer_gender": values.get("carer_gender") or "any",
        "special_requirements": values.get("special_requirements", ""),
        "funding": values.get("funding") or "council",
    }
    serializer = IsaInput(data=data)
    isa = None
    if serializer.is_valid():
        isa = isa_from_validated(serializer.validated_data)
    elif visits or "visits" not in serializer.errors:
        report.errors.extend(_flatten(serializer.errors))
    else:
        report.errors.extend(_flatten({k: v for k, v in serializer.errors.items() if k != "visits"}))
    provider = None
    started = None
    if status == "care_started":
        provider = Provider.objects.filter(cqc_provider_id=values.get("provider_cqc_id", "")).first()
        if provider is None:
            report.errors.append("provider_cqc_id: no provider has this CQC provider id.")
        try:
            started = date.fromisoformat(values.get("care_started_on", ""))
        except ValueError:
            report.errors.append("care_started_on: give the date care started, like 2024-05-31.")
    if isa is not None:
        if CarePackage.objects.filter(source_system="csv-import", external_reference=reference).exists():
            report.errors.append(f"external_reference: {reference} was imported before.")
        try:
            isa_resolve(isa)
        except IsaInvalid as invalid:
            report.errors.extend(
                f"{name}: {message}" for name, messages in invalid.errors.items() for message in messages
            )
    return _Row(report=report, isa=isa, status=status, provider=provider, care_started_on=started)


def package_import_csv(*, text: str, imported_by: User | None) -> ImportReport:
    """Validate every row, then save all of them in one transaction, or none."""
    reader = csv.DictReader(io.StringIO(text.lstrip("\ufeff")))
    missing = REQUIRED_COLUMNS - set(reader.fieldnames or [])
    if missing:
        return ImportReport(rows=[], file_errors=[f"The file has no column: {', '.join(sorted(missing))}."])
    seen: set[str] = set()
    rows = [_read_row(number, raw, seen) for number, raw in enumerate(reader, start=2)]
    report = ImportReport(rows=[row.report for row in rows])
    if not rows:
        report.file_errors.append("The file has no rows.")
    if not report.ok:
        return report
    with transaction.atomic():
        for row in rows:
            assert row.isa is not None  # noqa: S101 - a row without errors has an ISA
            package = package_create(
                resolved=isa_resolve(row.isa), created_by=imported_by, fingerprint=row.isa.fingerprint()
            )
            if row.status == "brokering":
                package_submit(package_id=package.pk, submitted_by=imported_by)
            elif row.status == "care_started":
                assert row.provider is not None and row.care_started_on is not None  # noqa: S101 - checked above
                _record_running_care(package, row.provider, row.care_started_on, imported_by)
        report.saved = len(rows)
    return report


def _record_running_care(package: CarePackage, provider: Provider, started_on: date, user: User | None) -> None:
    """Care already running before the move: a round-1 award to its provider, then care started."""
    locked = CarePackage.objects.select_for_update().get(pk=package.pk)
    started_at = timezone.make_aware(datetime.combine(started_on, time(9, 0)))
    locked.round_number = 1
    locked.submitted_at = started_at
    package_transition(
        package=locked,
        to_status=CarePackage.Status.BROKERING,
        actor=user,
        summary="imported: care already placed before the move to this system",
        update_fields=("round_number", "submitted_at"),
    )
    offer = Offer.objects.create(
        package=locked,
        provider=provider,
        round_number=1,
        status=Offer.Status.ACCEPTED,
        sent_at=started_at,
        responded_at=started_at,
        proposed_start_on=started_on,
    )
    award_locked(
        locked,
        offer,
        now=timezone.now(),
        actor=user,
        reason="Imported existing placement",
        manual=True,
        use_capacity=False,
    )
    locked.care_started_on = started_on
    package_transition(
        package=locked,
        to_status=CarePackage.Status.CARE_STARTED,
        actor=user,
        summary=f"imported: care started on {started_on:%d %B %Y}",
        update_fields=("care_started_on",),
    )
