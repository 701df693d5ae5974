"""Exporting a quarter's Client Level Data return: personal data leaving the product, so each export is audited."""

from __future__ import annotations

from collections.abc import Sequence

from django.contrib.auth.models import User
from django.db import transaction
from django.utils import timezone

from brokerage.models import PrivacyRun
from homecare.audit.actions import AuditAction
from homecare.audit.services import audit_record
from homecare.spreadsheets import CellValue
from visits import cld


@transaction.atomic
def cld_return_export(*, actor: User, year: int, quarter: int) -> list[Sequence[CellValue]]:
    """The quarter's CLD service events (``cld.HEADER`` order), recorded as a privacy run with its audit event.

    The return carries every served person's NHS number, date of birth and postcode, so, like a subject access
    export, who took it and when is kept; the record holds the quarter and the number of events, never a person.
    A quarter that does not exist raises ``ValueError`` before anything is written.
    """
    start, end = cld.quarter_bounds(year, quarter)
    rows = cld.service_event_rows(start=start, end=end)
    run = PrivacyRun.objects.create(
        kind=PrivacyRun.Kind.CLD_RETURN,
        ran_at=timezone.now(),
        actor=actor,
        counts={
            "year": year,
            "quarter": quarter,
            "start": start.isoformat(),
            "end": end.isoformat(),
            "events": len(rows),
        },
    )
    audit_record(
        actor=actor,
        action=AuditAction.CLD_RETURN_EXPORTED,
        target=run,
        summary=f"CLD return for {year} quarter {quarter} exported: {len(rows)} service events",
        data=run.counts,
    )
    return rows
