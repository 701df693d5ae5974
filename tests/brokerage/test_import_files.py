"""The package import command reads the file through ``homecare.uploads``: Excel's encodings, or a clear refusal."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from brokerage.models import CarePackage, PersonDetails
from tests.brokerage.factories import make_market
from tests.brokerage.test_import import as_csv, row

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("encoding", "found", "given_name", "family_name"),
    [
        ("latin-1", "Windows-1252 (Latin-1)", "Zoë", "Brontë"),
        ("cp1252", "Windows-1252 (Latin-1)", "Siân", "O\u2019Neill"),
        ("utf-16", "UTF-16", "Zoë", "Nguyễn"),
        ("utf-8-sig", "UTF-8", "Zoë", "Nguyễn"),
    ],
)
def test_packages_are_imported_from_latin_1_windows_1252_and_utf_16_files(
    tmp_path: Path, officer, encoding: str, found: str, given_name: str, family_name: str
) -> None:
    market = make_market(providers=1)
    path = tmp_path / "packages.csv"
    path.write_bytes(as_csv([row(market, given_name=given_name, family_name=family_name)]).encode(encoding))
    out = io.StringIO()
    call_command("import_packages", str(path), stdout=out)
    assert f"Read packages.csv as {found}." in out.getvalue()
    person = PersonDetails.objects.get()
    assert (person.given_name, person.family_name) == (given_name, family_name)


def test_an_unreadable_or_oversized_file_is_refused_by_name_and_nothing_is_imported(
    tmp_path: Path, officer, settings
) -> None:
    market = make_market(providers=1)
    path = tmp_path / "packages.csv"
    path.write_bytes(as_csv([row(market)]).encode("utf-16-le"))
    with pytest.raises(CommandError, match=r"packages.csv contains UTF-16 text without a byte-order mark"):
        call_command("import_packages", str(path))
    path.write_bytes(as_csv([row(market)]).encode("utf-8"))
    settings.HOMECARE_IMPORT_MAX_BYTES = 100
    with pytest.raises(CommandError, match=r"packages.csv is .* bytes; the largest file that can be imported is 100"):
        call_command("import_packages", str(path))
    assert CarePackage.objects.count() == 0
