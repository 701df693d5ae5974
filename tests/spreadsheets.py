"""Read exported CSV and XLSX files back and check that no cell can run as a formula."""

from __future__ import annotations

import csv
import io
import re
import zipfile
from dataclasses import dataclass

from openpyxl import load_workbook

from homecare.spreadsheets import FORMULA_TRIGGERS

# Names a provider, applicant or officer could type, each of which a spreadsheet would run as a formula.
HOSTILE_NAMES = ('=HYPERLINK("http://x","y")', "@SUM(1)", "+1", "-1+1")
# A negative number as Python writes it: a number in any spreadsheet, never a formula.
_NEGATIVE_NUMBER = re.compile(r"-\d+(\.\d+)?(e-?\d+)?")


@dataclass(frozen=True)
class ReadBack:
    csv_rows: list[list[str]]
    xlsx_rows: list[list[object]]

    @property
    def csv_texts(self) -> set[str]:
        return {cell for row in self.csv_rows for cell in row}

    @property
    def xlsx_values(self) -> set[object]:
        return {value for row in self.xlsx_rows for value in row}

    def shows_inert(self, name: str) -> bool:
        """The name is in both files: quoted in the CSV, exact (as quote-prefixed text) in the XLSX."""
        return "'" + name in self.csv_texts and name in self.xlsx_values


def read_back_inert(*, csv_content: bytes, xlsx_content: bytes) -> ReadBack:
    """Both files, after asserting that none of their cells is, or would be read as, a formula.

    1. CSV: no cell starts with a formula trigger (the quote comes first), except negative numbers.
    2. XLSX: the sheet XML has no formula element, no cell reads back as a formula, and every text
       starting with a trigger is a string cell with Excel's quote prefix.
    """
    rows = list(csv.reader(io.StringIO(csv_content.decode("utf-8-sig"))))
    live = [
        cell
        for row in rows
        for cell in row
        if cell.startswith(FORMULA_TRIGGERS) and not _NEGATIVE_NUMBER.fullmatch(cell)
    ]
    assert not live, f"CSV cells that would run as formulas: {live}"

    with zipfile.ZipFile(io.BytesIO(xlsx_content)) as archive:
        sheets = [name for name in archive.namelist() if name.startswith("xl/worksheets/")]
        for name in sheets:
            assert b"<f>" not in archive.read(name) and b"<f " not in archive.read(name), name
    sheet = load_workbook(io.BytesIO(xlsx_content)).active
    assert sheet is not None
    values: list[list[object]] = []
    for row in sheet.iter_rows():
        for cell in row:
            assert cell.data_type != "f", f"{cell.coordinate} is a formula: {cell.value!r}"
            if isinstance(cell.value, str) and cell.value.startswith(FORMULA_TRIGGERS):
                assert cell.data_type == "s" and cell.quotePrefix, f"{cell.coordinate} is not marked as text"
        values.append([cell.value for cell in row])
    return ReadBack(csv_rows=rows, xlsx_rows=values)
