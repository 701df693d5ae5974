"""Read an uploaded or imported text file (CSV) safely: bounded in size, and decoded in the encoding it has.

Councils and providers save CSVs from Excel, which writes UTF-8 (with a byte-order mark), UTF-16 ("Unicode
text") or Windows-1252 (Excel's "CSV" on a UK Windows PC; Latin-1 is its subset for every letter). The
encoding is decided, never guessed:

1. The size is checked first (from the file system or the upload's declared size, otherwise by reading one
   byte past the limit), so an oversized file is refused before it is read into memory.
2. A byte-order mark decides: UTF-8, UTF-16 or UTF-32, and the rest must decode in it.
3. A spreadsheet saved without converting (XLSX, old XLS) or a file with NUL bytes (UTF-16 without a mark,
   or not text at all) is refused, saying which.
4. Otherwise the bytes must be valid UTF-8, or else valid Windows-1252. Every byte sequence that is valid
   in both is decoded as UTF-8, which is what a Windows-1252 file of ordinary names never is.

Anything else is refused with :class:`TextFileRefused`, whose message names the file and what was found.
Statistical detectors (charset-normalizer) are not used: on short files of names they misread Latin-1 as
other code pages ("Zoë" comes back as Farsi), and a wrong guess would be imported silently.
"""

from __future__ import annotations

import codecs
from dataclasses import dataclass
from pathlib import Path
from typing import IO, Protocol

from django.conf import settings


class TextFileRefused(ValueError):
    """The file is too big, or not text in an encoding we can read; the message says which and why."""


class _SizedUpload(Protocol):
    """What Django's ``UploadedFile`` offers: a name, a declared size and ``read``."""

    name: str | None
    size: int | None

    def read(self, size: int = -1, /) -> bytes: ...


@dataclass(frozen=True)
class DecodedText:
    text: str
    encoding: str  # for people: "UTF-8", "UTF-16", "Windows-1252 (Latin-1)"...


_BOMS = (
    # UTF-32 first: its little-endian mark starts with UTF-16's.
    (codecs.BOM_UTF32_LE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF32_BE, "utf-32", "UTF-32"),
    (codecs.BOM_UTF8, "utf-8-sig", "UTF-8"),
    (codecs.BOM_UTF16_LE, "utf-16", "UTF-16"),
    (codecs.BOM_UTF16_BE, "utf-16", "UTF-16"),
)
_SPREADSHEETS = (
    (b"PK\x03\x04", "an Excel workbook (XLSX) or another zip file"),
    (b"\xd0\xcf\x11\xe0", "an old-style Excel workbook (XLS)"),
)
_SAVE_AS_CSV = "Save it from the spreadsheet as “CSV UTF-8” and try again."


def import_max_bytes() -> int:
    """The configured largest import file (``HOMECARE_IMPORT_MAX_MB``)."""
    return int(settings.HOMECARE_IMPORT_MAX_BYTES)


def _size(size: int) -> str:
    if size >= 1024**2:
        return f"{size / 1024**2:,.1f} MB"
    if size >= 1024:
        return f"{size / 1024:,.1f} KB"
    return f"{size:,} bytes"


def _too_big(name: str, size: int | None, max_bytes: int) -> TextFileRefused:
    found = f"is {_size(size)}" if size is not None else "is larger than that"
    return TextFileRefused(
        f"{name} {found}; the largest file that can be imported is {_size(max_bytes)} "
        "(HOMECARE_IMPORT_MAX_MB). Split it into smaller files."
    )


def _read_bounded(source: Path | IO[bytes] | _SizedUpload, *, name: str, max_bytes: int) -> bytes:
    if isinstance(source, Path):
        try:
            size = source.stat().st_size
        except OSError as problem:
            raise TextFileRefused(f"{name} cannot be read: {problem.strerror or problem}.") from problem
        if size > max_bytes:
            raise _too_big(name, size, max_bytes)
        try:
            return source.read_bytes()
        except OSError as problem:
            raise TextFileRefused(f"{name} cannot be read: {problem.strerror or problem}.") from problem
    declared = getattr(source, "size", None)
    if isinstance(declared, int) and declared > max_bytes:
        raise _too_big(name, declared, max_bytes)
    data = source.read(max_bytes + 1)
    if len(data) > max_bytes:
        raise _too_big(name, None, max_bytes)
    return data


def _bad_byte(error: UnicodeDecodeError) -> str:
    return f"byte 0x{error.object[error.start]:02X} at offset {error.start:,}"


def decode_text(data: bytes, *, name: str) -> DecodedText:
    """Decode a text file's bytes in the encoding they are in, or refuse (see the module's steps 2 to 4)."""
    for bom, codec, label in _BOMS:
        if data.startswith(bom):
            try:
                return DecodedText(data.decode(codec), label)
            except UnicodeDecodeError as error:
                raise TextFileRefused(
                    f"{name} starts with a {label} byte-order mark but is not valid {label} ({_bad_byte(error)})."
                ) from error
    for magic, kind in _SPREADSHEETS:
        if data.startswith(magic):
            raise TextFileRefused(f"{name} is {kind}, not a CSV file. {_SAVE_AS_CSV}")
    if b"\x00" in data:
        looks_utf16 = data[1::2].count(0) > len(data) // 4 or data[0::2].count(0) > len(data) // 4
        found = "UTF-16 text without a byte-order mark" if looks_utf16 else "NUL bytes, so it is not a text file"
        raise TextFileRefused(f"{name} contains {found}. {_SAVE_AS_CSV}")
    try:
        return DecodedText(data.decode("utf-8"), "UTF-8")
    except UnicodeDecodeError as not_utf8:
        try:
            return DecodedText(data.decode("cp1252"), "Windows-1252 (Latin-1)")
        except UnicodeDecodeError as error:
            raise TextFileRefused(
                f"{name} is neither UTF-8 ({_bad_byte(not_utf8)} is not UTF-8) nor Windows-1252/Latin-1 "
                f"({_bad_byte(error)} is not used in Windows-1252). {_SAVE_AS_CSV}"
            ) from error


def decode_text_file(
    source: Path | str | IO[bytes] | _SizedUpload, *, max_bytes: int | None = None, name: str = ""
) -> DecodedText:
    """Read a whole file (a path, an open binary file or a Django upload) no larger than ``max_bytes``
    (default: the configured import limit) and decode it; see :func:`decode_text`."""
    limit = import_max_bytes() if max_bytes is None else max_bytes
    if isinstance(source, str):
        source = Path(source)
    label = name or (source.name if isinstance(source, Path) else str(getattr(source, "name", "") or "The file"))
    return decode_text(_read_bounded(source, name=label, max_bytes=limit), name=label)


def read_text_file(
    source: Path | str | IO[bytes] | _SizedUpload, *, max_bytes: int | None = None, name: str = ""
) -> str:
    """The file's text; raises :class:`TextFileRefused` naming the file when it is too big or unreadable."""
    return decode_text_file(source, max_bytes=max_bytes, name=name).text
