"""The decision record: appointed providers, exported as CSV and XLSX for the decision report's appendix."""

from __future__ import annotations

import csv
import io
from datetime import datetime

from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from dps.models import ApplicationStatus, DpsRound, ProviderApplication

COLUMNS = (
    "Provider",
    "CQC provider ID",
    "CQC locations",
    "Round",
    "Submitted",
    "Automatic evaluation",
    "Decision",
    "Override",
    "Override justification",
    "Reasons",
    "Decided by",
    "Decided at",
    "Membership appointed on",
)


def _when(moment: datetime | None) -> str:
    return timezone.localtime(moment).strftime("%Y-%m-%d %H:%M") if moment else ""


def decision_record(*, dps_round: DpsRound) -> list[tuple[str, ...]]:
    """One row per appointed provider in the round, in provider-name order."""
    applications = (
        ProviderApplication.objects.filter(dps_round=dps_round, status=ApplicationStatus.APPOINTED)
        .select_related("provider", "decision__decided_by", "decision__membership", "dps_round")
        .prefetch_related("locations")
        .order_by("provider__name")
    )
    rows: list[tuple[str, ...]] = []
    for application in applications:
        decision = application.decision
        membership = decision.membership
        rows.append(
            (
                application.provider.name,
                application.provider.cqc_provider_id or "",
                "; ".join(f"{loc.name} ({loc.location_id})" for loc in application.locations.all()),
                str(application.dps_round),
                _when(application.submitted_at),
                "Passed every criterion" if decision.automatic_passed else "Failed one or more criteria",
                decision.get_outcome_display(),
                "Yes" if decision.is_override else "No",
                decision.override_justification,
                decision.reasons,
                decision.decided_by.get_full_name() or decision.decided_by.get_username(),
                _when(decision.decided_at),
                membership.appointed_on.isoformat() if membership else "",
            )
        )
    return rows


def _safe_cell(value: str) -> str:
    """Stop spreadsheet formula injection: a cell starting with = + - @ is shown as text."""
    return "'" + value if value[:1] in ("=", "+", "-", "@") else value


def as_csv(rows: list[tuple[str, ...]]) -> str:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(COLUMNS)
    writer.writerows([_safe_cell(value) for value in row] for row in rows)
    return buffer.getvalue()


def as_xlsx(rows: list[tuple[str, ...]], *, title: str) -> bytes:
    workbook = Workbook()
    sheet = workbook.worksheets[0]
    sheet.title = "Appointed providers"
    workbook.properties.title = title
    sheet.append(list(COLUMNS))
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append([_safe_cell(value) for value in row])
    sheet.freeze_panes = "A2"
    for column, width in zip("ABCDEFGHIJKLM", (40, 16, 50, 28, 18, 28, 10, 10, 40, 50, 24, 18, 18), strict=True):
        sheet.column_dimensions[column].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
