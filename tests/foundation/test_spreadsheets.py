"""The one formula-injection rule for every CSV and XLSX download (``homecare.spreadsheets``)."""

from __future__ import annotations

import io
from datetime import UTC, date, datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook

from homecare.spreadsheets import CellValue, csv_bytes, safe_cell, spreadsheet_response, xlsx_bytes
from tests.spreadsheets import HOSTILE_NAMES, read_back_inert

HEADER = ["Provider", "Figure"]


@pytest.mark.parametrize(
    "text",
    [*HOSTILE_NAMES, "\tHidden", "\r=1+1", "\uff1dSUM(1)", "\uff0b1", "\uff0d1", "\uff20SUM(1)"],
)
def test_formula_like_text_is_quoted_in_csv_and_quote_prefixed_text_in_xlsx(text: str) -> None:
    back = read_back_inert(
        csv_content=csv_bytes(HEADER, [[text, 1]]),
        xlsx_content=xlsx_bytes(HEADER, [[text, 1]], sheet_title="Test"),
    )
    assert back.csv_rows[1] == ["'" + text, "1"]
    # The XLSX keeps the exact text: the quote prefix is a cell style, not part of the value.
    # (XML reads a carriage return back as a line feed.)
    assert back.xlsx_rows[1] == [text.replace("\r", "\n"), 1]


def test_numbers_stay_numbers_even_when_negative() -> None:
    rows: list[list[CellValue]] = [["Over budget", Decimal("-3700.50")], ["Change", -2], ["Share", -0.25]]
    back = read_back_inert(
        csv_content=csv_bytes(HEADER, rows), xlsx_content=xlsx_bytes(HEADER, rows, sheet_title="Numbers")
    )
    assert [row[1] for row in back.csv_rows[1:]] == ["-3700.5", "-2", "-0.25"]
    assert [row[1] for row in back.xlsx_rows[1:]] == [-3700.5, -2, -0.25]


def test_ordinary_text_dates_and_blanks_are_written_as_they_are() -> None:
    assert safe_cell("Aire Valley Home Care") == "Aire Valley Home Care"
    assert safe_cell("O'Neill & Sons - Care") == "O'Neill & Sons - Care"
    assert safe_cell(date(2026, 3, 2)) == "2026-03-02"
    assert safe_cell(datetime(2026, 7, 1, 11, 30, tzinfo=UTC)) == "2026-07-01 12:30"  # London summer time
    assert safe_cell(None) is None
    back = read_back_inert(
        csv_content=csv_bytes(HEADER, [["£20 an hour", None]]),
        xlsx_content=xlsx_bytes(HEADER, [["£20 an hour", None]], sheet_title="Blank"),
    )
    assert back.csv_rows[1] == ["£20 an hour", ""]
    assert back.xlsx_rows[1] == ["£20 an hour", None]


def test_control_characters_that_xml_cannot_hold_do_not_break_the_workbook() -> None:
    content = xlsx_bytes(HEADER, [["Bell\x07Care", 1]], sheet_title="Odd: [names]?")
    sheet = load_workbook(io.BytesIO(content)).active
    assert sheet is not None
    assert sheet["A2"].value == "Bell\ufffdCare"
    assert sheet.title == "Odd   names"


def test_a_download_is_an_attachment_of_the_right_type() -> None:
    response = spreadsheet_response(header=HEADER, rows=[["A", 1]], file_format="xlsx", filename_stem="figures")
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    assert response["Content-Disposition"] == 'attachment; filename="figures.xlsx"'
    with pytest.raises(ValueError, match="Unknown spreadsheet format"):
        spreadsheet_response(header=HEADER, rows=[], file_format="ods", filename_stem="figures")
