"""CSV and XLSX exports of a ``Table``: the same rows the page shows, as raw values with a header row."""

from __future__ import annotations

import csv
import io
from datetime import datetime
from decimal import Decimal

from django.http import HttpResponse
from django.utils import timezone
from openpyxl import Workbook
from openpyxl.styles import Font

from brokerage.reporting.tables import Table, Value

CSV_TYPE = "text/csv; charset=utf-8"
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def _plain(value: Value) -> str | int | float | None:
    """Spreadsheets get numbers as numbers and times in local time, without a timezone (Excel has none)."""
    if isinstance(value, Decimal):
        return float(value)
    if isinstance(value, datetime):
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M") if timezone.is_aware(value) else str(value)
    if value is None or isinstance(value, str | int | float):
        return value
    return str(value)


def table_csv(table: Table) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow([column.label for column in table.columns])
    for row in table.rows:
        writer.writerow(["" if (plain := _plain(cell.value)) is None else plain for cell in row])
    # A byte-order mark so Excel opens the UTF-8 file with the right characters (e.g. "£").
    return ("\ufeff" + buffer.getvalue()).encode("utf-8")


def table_xlsx(table: Table) -> bytes:
    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None  # noqa: S101 - a new workbook always has a sheet
    sheet.title = table.slug[:31]
    sheet.append([column.label for column in table.columns])
    for cell in sheet[1]:
        cell.font = Font(bold=True)
    for row in table.rows:
        sheet.append([_plain(cell.value) for cell in row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def table_response(table: Table, *, file_format: str) -> HttpResponse:
    """The table as a download; ``file_format`` is "csv" or "xlsx" (the URL only allows those)."""
    stamp = timezone.localdate().isoformat()
    if file_format == "csv":
        response = HttpResponse(table_csv(table), content_type=CSV_TYPE)
    elif file_format == "xlsx":
        response = HttpResponse(table_xlsx(table), content_type=XLSX_TYPE)
    else:
        raise ValueError(f"Unknown export format {file_format!r}.")
    response["Content-Disposition"] = f'attachment; filename="{table.slug}-{stamp}.{file_format}"'
    return response
