"""A provider's statement (remittance advice) as a PDF, with fpdf2 (pure Python).

The same figures as the CSV and XLSX downloads (``visits.statements``): the run's stored lines, its credit notes
and ``total_with_credits``, so the PDF can never disagree with them. Helvetica, a PDF core font, covers Latin-1
(the pound sign included); any other character in a name or reason is shown as ``?`` rather than failing.
"""

from __future__ import annotations

from collections.abc import Iterable
from decimal import Decimal

from django.http import HttpResponse
from fpdf import FPDF
from fpdf.fonts import FontFace

from visits.models import PayLine, PayRun
from visits.statements import total_with_credits

LINE_HEADER = (
    "Date", "Package", "Kind", "Planned hours", "Actual hours", "Paid hours", "Hourly rate", "Amount", "Flags",
)  # fmt: skip
COLUMN_WIDTHS = (22, 24, 18, 24, 24, 22, 22, 24, 97)  # millimetres, landscape A4 less the margins
HOUR = Decimal(60)


def _text(value: object) -> str:
    return str(value).encode("latin-1", "replace").decode("latin-1")


def _money(amount: Decimal) -> str:
    return f"£{amount:,.2f}"


def _hours(minutes: int | None, carers: int | None) -> str:
    if not minutes:
        return ""
    return f"{Decimal(minutes * (carers or 1)) / HOUR:.2f}"


def statement_pdf(run: PayRun, lines: Iterable[PayLine]) -> bytes:
    """The statement of ``run``: provider, agreement, period, every line, credit notes and the totals."""
    pdf = FPDF(orientation="landscape", format="A4")
    pdf.set_title(f"Statement {run.reference}")
    pdf.set_author("Homecare brokerage")
    pdf.set_auto_page_break(auto=True, margin=12)
    pdf.add_page()
    pdf.set_font("Helvetica", style="B", size=16)
    pdf.cell(0, 10, _text(f"Remittance advice: statement {run.reference}"), new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=10)
    for label, value in (
        ("Provider", run.provider.name),
        ("Agreement", f"{run.agreement.reference} {run.agreement.name}"),
        ("Period", f"{run.period_start:%d %B %Y} to {run.period_end:%d %B %Y}"),
        ("Paid on", run.get_pay_basis_display().lower()),
        ("Status", run.get_status_display()),
    ):
        pdf.cell(0, 6, _text(f"{label}: {value}"), new_x="LMARGIN", new_y="NEXT")
    pdf.ln(3)
    pdf.set_font("Helvetica", size=8)
    with pdf.table(col_widths=COLUMN_WIDTHS, headings_style=FontFace(emphasis="BOLD"), line_height=5) as table:
        table.row(LINE_HEADER)
        for line in lines:
            table.row(
                (
                    f"{line.day:%d/%m/%Y}",
                    line.package.reference,
                    line.get_kind_display(),
                    _hours(line.planned_minutes, line.planned_carers),
                    _hours(line.actual_minutes, line.actual_carers),
                    f"{line.paid_hours:.2f}",
                    _money(line.hourly_rate) if line.hourly_rate is not None else "",
                    _money(line.amount),
                    _text(line.flags),
                )
            )
    notes = list(run.credit_notes.order_by("issued_at", "id"))
    pdf.ln(3)
    pdf.set_font("Helvetica", style="B", size=11)
    pdf.cell(0, 7, "Adjustments and credit notes", new_x="LMARGIN", new_y="NEXT")
    pdf.set_font("Helvetica", size=9)
    if not notes:
        pdf.cell(0, 6, "None.", new_x="LMARGIN", new_y="NEXT")
    for note in notes:
        pdf.multi_cell(
            0, 5, _text(f"{note.reference}, {note.issued_at:%d %B %Y}: {_money(note.amount)}. {note.reason}"),
            new_x="LMARGIN", new_y="NEXT",
        )  # fmt: skip
    pdf.ln(3)
    pdf.set_font("Helvetica", style="B", size=11)
    credits = sum((note.amount for note in notes), start=Decimal(0))
    for label, amount in (
        ("Total of the lines", run.total),
        ("Credit notes", credits),
        ("Total payable", total_with_credits(run)),
    ):
        pdf.cell(0, 7, _text(f"{label}: {_money(amount)}"), new_x="LMARGIN", new_y="NEXT")
    return bytes(pdf.output())


def statement_pdf_response(run: PayRun, lines: Iterable[PayLine]) -> HttpResponse:
    """The PDF as a download, for the portal's and the officers' statement pages alike."""
    response = HttpResponse(statement_pdf(run, lines), content_type="application/pdf")
    response["Content-Disposition"] = f'attachment; filename="statement-{run.reference}.pdf"'
    return response
