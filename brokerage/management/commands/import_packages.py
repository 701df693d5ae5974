"""Import existing packages from a CSV file: every row checked, all saved or none."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from django.contrib.auth.models import User
from django.core.management.base import BaseCommand, CommandError, CommandParser

from brokerage.services.imports import COLUMNS, package_import_csv
from homecare.uploads import TextFileRefused, decode_text_file


class Command(BaseCommand):
    help = (
        "Import care packages from CSV (columns: " + ", ".join(COLUMNS) + "). UTF-8, UTF-16 or Windows-1252 "
        "(Latin-1), up to HOMECARE_IMPORT_MAX_MB. All rows or none."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--user", help="Username recorded as the importer (default: the system)")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        if not path.is_file():
            raise CommandError(f"No such file: {path}")
        user = None
        if options["user"]:
            user = User.objects.filter(username=options["user"]).first()
            if user is None:
                raise CommandError(f"No user {options['user']!r}.")
        try:
            decoded = decode_text_file(path)
        except TextFileRefused as problem:
            raise CommandError(str(problem)) from problem
        self.stdout.write(f"Read {path.name} as {decoded.encoding}.")
        report = package_import_csv(text=decoded.text, imported_by=user)
        for error in report.file_errors:
            self.stderr.write(error)
        for row in report.failed_rows:
            for error in row.errors:
                self.stderr.write(f"Row {row.row} ({row.reference or 'no reference'}): {error}")
        if not report.ok:
            raise CommandError(
                f"Nothing was imported: {len(report.failed_rows)} of {len(report.rows)} rows have errors."
            )
        self.stdout.write(self.style.SUCCESS(f"Imported {report.saved} packages."))
