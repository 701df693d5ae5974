"""Every CSV and XLSX the product writes goes through here, so none of them can carry a live formula.

A provider or applicant chooses its own name, and a name such as ``=HYPERLINK("http://x","y")`` would
run as a formula when an officer opens the download (OWASP "CSV injection"). The rule, in one place:

1. A text cell starting with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return (or the full-width
   forms U+FF1D, U+FF0B, U+FF0D and U+FF20, which some spreadsheet locales also accept) is formula-like.
2. In CSV, a formula-like text gets a leading single quote, OWASP's advice: spreadsheets then show it as
   text. Numbers are never quoted, so a negative figure stays a number.
3. In XLSX, openpyxl itself turns any string starting with ``=`` into a formula cell. A formula-like
   text is written instead as a string cell with Excel's own "quote prefix" style, which is what Excel
   stores when someone types ``'=...``: the cell shows the exact name, is never evaluated, and stays
   text if edited.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header
from openpyxl import Workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter

CSV_CONTENT_TYPE = "text/csv; charset=utf-8"
XLSX_CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FILE_FORMATS = ("csv", "xlsx")

CellValue = str | int | float | Decimal | date | datetime | bool | None
Plain = str | int | float | bool | None

FORMULA_TRIGGERS = ("=", "+", "-", "@", "\t", "\r", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# Excel's sheet titles are at most 31 characters and may not contain these.
_SHEET_TITLE_FORBIDDEN = str.maketrans(dict.fromkeys("[]:*?/\\", " "))


def is_formula_like(value: object) -> bool:
    """Whether a spreadsheet could read this value as the start of a formula (only text can be)."""
    return isinstance(value, str) and value.startswith(FORMULA_TRIGGERS)


def plain_value(value: CellValue) -> Plain:
    """Numbers as numbers and times in local time without a timezone (spreadsheets have none)."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if timezone.is_aware(value) else str(value)
    if isinstance(value, date):
        return value.isoformat()
    return value


def safe_cell(value: CellValue) -> Plain:
    """The value as a CSV cell: formula-like text gets a leading single quote; numbers are left alone."""
    plain = plain_value(value)
    return "'" + plain if isinstance(plain, str) and is_formula_like(plain) else plain


def csv_bytes(header: Sequence[str], rows: Iterable[Sequence[CellValue]]) -> bytes:
    """A UTF-8 CSV with a byte-order mark, so Excel opens it with the right characters (e.g. "£")."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([safe_cell(label) for label in header])
    for row in rows:
        writer.writerow(["" if (cell := safe_cell(value)) is None else cell for value in row])
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def xlsx_bytes(
    header: Sequence[str],
    rows: Iterable[Sequence[CellValue]],
    *,
    sheet_title: str,
    document_title: str = "",
    column_widths: Sequence[float] = (),
) -> bytes:
    """One sheet with a bold, frozen header row; no cell is ever a formula."""
    workbook = Workbook()
    sheet = workbook.worksheets[0]
    sheet.title = sheet_title.translate(_SHEET_TITLE_FORBIDDEN).strip()[:31] or "Sheet1"
    if document_title:
        workbook.properties.title = document_title
    for row_number, values in enumerate([list(header), *rows], start=1):
        for column_number, value in enumerate(values, start=1):
            plain = plain_value(value)
            if isinstance(plain, str):
                # XML cannot hold most control characters; openpyxl would refuse the whole file.
                plain = ILLEGAL_CHARACTERS_RE.sub("\ufffd", plain)
            cell = sheet.cell(row=row_number, column=column_number, value=plain)
            if is_formula_like(plain):
                # openpyxl has just bound a leading "=" as a formula; make it a string with Excel's quote prefix.
                cell.data_type = "s"
                cell.quotePrefix = True
            if row_number == 1:
                cell.font = Font(bold=True)
    sheet.freeze_panes = "A2"
    for column_number, width in enumerate(column_widths, start=1):
        sheet.column_dimensions[get_column_letter(column_number)].width = width
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def spreadsheet_response(
    *,
    header: Sequence[str],
    rows: Iterable[Sequence[CellValue]],
    file_format: str,
    filename_stem: str,
    sheet_title: str = "",
    document_title: str = "",
    column_widths: Sequence[float] = (),
) -> HttpResponse:
    """The rows as a download; ``file_format`` is "csv" or "xlsx" (anything else is a programming error)."""
    if file_format == "csv":
        response = HttpResponse(csv_bytes(header, rows), content_type=CSV_CONTENT_TYPE)
    elif file_format == "xlsx":
        content = xlsx_bytes(
            header,
            rows,
            sheet_title=sheet_title or filename_stem,
            document_title=document_title,
            column_widths=column_widths,
        )
        response = HttpResponse(content, content_type=XLSX_CONTENT_TYPE)
    else:
        raise ValueError(f"Unknown spreadsheet format {file_format!r}; expected one of {FILE_FORMATS}.")
    disposition = content_disposition_header(as_attachment=True, filename=f"{filename_stem}.{file_format}")
    if disposition:
        response["Content-Disposition"] = disposition
    return response
