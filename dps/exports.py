"""The decision record: appointed providers, exported as CSV and XLSX for the decision report's appendix."""

from __future__ import annotations

from datetime import datetime

from django.http import HttpResponse
from django.utils import timezone

from dps.models import ApplicationStatus, DpsRound, ProviderApplication
from homecare.spreadsheets import spreadsheet_response

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


COLUMN_WIDTHS = (40, 16, 50, 28, 18, 28, 10, 10, 40, 50, 24, 18, 18)


def decision_record_response(*, dps_round: DpsRound, file_format: str) -> HttpResponse:
    """The decision record as CSV or XLSX, written by ``homecare.spreadsheets`` (formula-safe)."""
    stem = f"decision-record-{dps_round.agreement.reference}-round-{dps_round.number}".replace(" ", "-").lower()
    return spreadsheet_response(
        header=COLUMNS,
        rows=decision_record(dps_round=dps_round),
        file_format=file_format,
        filename_stem=stem,
        sheet_title="Appointed providers",
        document_title=f"{dps_round.agreement}: {dps_round}: appointed providers",
        column_widths=COLUMN_WIDTHS,
    )
