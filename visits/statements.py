"""A pay run as documents: the provider's statement (remittance advice) and the council's finance exports.

Every figure comes from the run's stored lines and credit notes, so the statement, the generic finance CSV and
the Mosaic/ContrOCC-shaped one all add up to the same total (``tests/visits/test_statements.py`` checks it).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal

from homecare.spreadsheets import CellValue
from visits.models import PayLine, PayRun

STATEMENT_HEADER = (
    "Date", "Package", "Kind", "Planned start", "Planned minutes", "Planned carers", "Actual minutes",
    "Actual carers", "Flags", "Service type", "Paid hours", "Hourly rate", "Amount",
)  # fmt: skip

FINANCE_HEADER = (
    "document_type", "document_reference", "pay_run_reference", "agreement_reference", "provider_name",
    "provider_id", "period_start", "period_end", "package_reference", "mosaic_person_id", "service_type",
    "paid_hours", "amount",
)  # fmt: skip

# Shaped like a ContrOCC provider-payment import (a best guess: ContrOCC's import layouts are not published).
CONTROCC_HEADER = (
    "Provider Reference", "Invoice Number", "Service User ID", "Service Element", "Period From", "Period To",
    "Units", "Unit Type", "Unit Cost", "Line Total",
)  # fmt: skip


def statement_rows(lines: Iterable[PayLine]) -> list[Sequence[CellValue]]:
    return [
        (
            line.day,
            line.package.reference,
            line.get_kind_display(),
            line.planned_start,
            line.planned_minutes or None,
            line.planned_carers or None,
            line.actual_minutes,
            line.actual_carers,
            line.flags,
            line.service_type.replace("_", " "),
            line.paid_hours.normalize() if line.paid_hours else Decimal(0),
            line.hourly_rate,
            line.amount,
        )
        for line in lines
    ]


def _by_package_and_type(run: PayRun) -> list[tuple[PayLine, str, Decimal, Decimal]]:
    """The run's paid lines summed per package and service type (one finance line each)."""
    sums: dict[tuple[int, str], list[Decimal]] = defaultdict(lambda: [Decimal(0), Decimal(0)])
    first: dict[tuple[int, str], PayLine] = {}
    for line in run.lines.select_related("package__person").order_by("package_id", "day", "id"):
        if not line.amount:
            continue
        key = (line.package_id, line.service_type)
        sums[key][0] += line.paid_hours
        sums[key][1] += line.amount
        first.setdefault(key, line)
    return [(first[key], key[1], hours, amount) for key, (hours, amount) in sums.items()]


def _person_id(line: PayLine) -> str:
    person = getattr(line.package, "person", None)
    return person.mosaic_person_id if person is not None else ""


def finance_rows(runs: Iterable[PayRun]) -> list[Sequence[CellValue]]:
    rows: list[Sequence[CellValue]] = []
    for run in runs:
        common = (run.reference, run.agreement.reference, run.provider.name, run.provider_id)
        for line, service_type, hours, amount in _by_package_and_type(run):
            rows.append(
                (
                    "statement", run.reference, *common, run.period_start, run.period_end, line.package.reference,
                    _person_id(line), service_type, hours.quantize(Decimal("0.0001")), amount,
                )
            )  # fmt: skip
        for note in run.credit_notes.all():
            rows.append(
                (
                    "credit_note", note.reference, *common, run.period_start, run.period_end, "", "", "", None,
                    note.amount,
                )
            )  # fmt: skip
    return rows


def controcc_rows(runs: Iterable[PayRun]) -> list[Sequence[CellValue]]:
    rows: list[Sequence[CellValue]] = []
    for run in runs:
        for line, service_type, hours, amount in _by_package_and_type(run):
            rate = (amount / hours).quantize(Decimal("0.01")) if hours else None
            rows.append(
                (
                    str(run.provider_id), run.reference, _person_id(line) or line.package.reference,
                    service_type.replace("_", " ").title(), run.period_start, run.period_end,
                    hours.quantize(Decimal("0.01")), "Hours", rate, amount,
                )
            )  # fmt: skip
        for note in run.credit_notes.all():
            rows.append(
                (
                    str(run.provider_id), note.reference, "", "Credit note", run.period_start, run.period_end,
                    None, "", None, note.amount,
                )
            )  # fmt: skip
    return rows


def total_with_credits(run: PayRun) -> Decimal:
    return run.total + sum((note.amount for note in run.credit_notes.all()), start=Decimal(0))
