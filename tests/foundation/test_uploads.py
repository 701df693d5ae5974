"""Reading an import file: the encodings Excel writes are read, anything else refused by name, sizes bounded."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from openpyxl import Workbook

from homecare.uploads import TextFileRefused, decode_text, decode_text_file, read_text_file

NAMES = "name,town\nZoë Brontë,Haworth\nJosé Núñez,Leeds\n"
# Characters only Windows-1252 has (curly apostrophe, en dash, euro), beside Latin-1's "£".
WINDOWS_NAMES = "name,note\nO\u2019Neill Care \u2013 Leeds,£20 or €24 an hour\n"


@pytest.mark.parametrize(
    ("data", "encoding"),
    [
        (NAMES.encode("utf-8"), "UTF-8"),
        (NAMES.encode("utf-8-sig"), "UTF-8"),
        (NAMES.encode("utf-16"), "UTF-16"),  # with its byte-order mark, as Excel's "Unicode text" writes
        (NAMES.encode("utf-16-be").join([b"\xfe\xff", b""]), "UTF-16"),
        (NAMES.encode("latin-1"), "Windows-1252 (Latin-1)"),
        (WINDOWS_NAMES.encode("cp1252"), "Windows-1252 (Latin-1)"),
        (WINDOWS_NAMES.encode("utf-32"), "UTF-32"),
    ],
)
def test_the_encodings_excel_writes_are_read_exactly(data: bytes, encoding: str) -> None:
    decoded = decode_text(data, name="people.csv")
    assert decoded.encoding == encoding
    assert decoded.text in (NAMES, WINDOWS_NAMES)


def xlsx_bytes() -> bytes:
    workbook = Workbook()
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


@pytest.mark.parametrize(
    ("data", "found"),
    [
        (xlsx_bytes(), "people.csv is an Excel workbook (XLSX)"),
        (b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "old-style Excel workbook (XLS)"),
        (NAMES.encode("utf-16-le"), "UTF-16 text without a byte-order mark"),
        (b"name\n\x00\x01\x02binary", "NUL bytes"),
        (b"\xef\xbb\xbfname\n\xff\xfe", "starts with a UTF-8 byte-order mark but is not valid UTF-8 (byte 0xFF"),
        # 0x81 is unused in Windows-1252 and here not valid UTF-8 either.
        ("name\nZoë".encode("latin-1") + b"\x81", "byte 0x81 at offset 8 is not used in Windows-1252"),
    ],
)
def test_anything_else_is_refused_naming_the_file_and_what_was_found(data: bytes, found: str) -> None:
    with pytest.raises(TextFileRefused, match=r"people.csv") as refusal:
        decode_text(data, name="people.csv")
    assert found in str(refusal.value)


def test_a_path_an_open_file_and_an_upload_are_all_read(tmp_path: Path) -> None:
    path = tmp_path / "people.csv"
    path.write_bytes(NAMES.encode("latin-1"))
    assert read_text_file(path) == read_text_file(str(path)) == NAMES
    with path.open("rb") as handle:
        assert read_text_file(handle) == NAMES
    upload = SimpleUploadedFile("upload.csv", NAMES.encode("utf-16"), content_type="text/csv")
    assert decode_text_file(upload).encoding == "UTF-16"


def test_a_file_over_the_limit_is_refused_before_it_is_read(tmp_path: Path) -> None:
    # A sparse 1 GB file: refusing it must not read it (the open handle shows how far it got).
    path = tmp_path / "national.csv"
    with path.open("wb") as handle:
        handle.truncate(1024**3)
    with pytest.raises(TextFileRefused, match=r"national.csv is 1,024.0 MB; the largest .* is 1.0 MB"):
        read_text_file(path, max_bytes=1024**2)
    with path.open("rb") as handle:
        with pytest.raises(TextFileRefused, match=r"HOMECARE_IMPORT_MAX_MB"):
            read_text_file(handle, max_bytes=1024**2)
        assert handle.tell() == 1024**2 + 1
    upload = SimpleUploadedFile("big.csv", b"x" * 2048)
    with pytest.raises(TextFileRefused, match=r"big.csv is 2.0 KB; the largest file that can be imported is 1.0 KB"):
        read_text_file(upload, max_bytes=1024)


def test_the_limit_comes_from_the_settings(settings, tmp_path: Path) -> None:
    settings.HOMECARE_IMPORT_MAX_BYTES = 10
    path = tmp_path / "people.csv"
    path.write_text(NAMES, encoding="utf-8")
    with pytest.raises(TextFileRefused, match=r"people.csv is 51 bytes; the largest .* is 10 bytes"):
        read_text_file(path)
    settings.HOMECARE_IMPORT_MAX_BYTES = 1024
    assert read_text_file(path) == NAMES
