"""CSV and XLSX exports of a ``Table``: the same rows the page shows, as raw values with a header row.

The files are written by ``homecare.spreadsheets``, which keeps a name like ``=HYPERLINK(...)`` inert.
"""

from __future__ import annotations

from django.http import HttpResponse
from django.utils import timezone

from brokerage.reporting.tables import Table
from homecare.spreadsheets import spreadsheet_response


def table_response(table: Table, *, file_format: str) -> HttpResponse:
    """The table as a download; ``file_format`` is "csv" or "xlsx" (the URL only allows those)."""
    return spreadsheet_response(
        header=[column.label for column in table.columns],
        rows=([cell.value for cell in row] for row in table.rows),
        file_format=file_format,
        filename_stem=f"{table.slug}-{timezone.localdate().isoformat()}",
        sheet_title=table.slug,
        document_title=table.caption,
    )
