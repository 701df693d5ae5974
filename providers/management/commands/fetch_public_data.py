"""``manage.py fetch_public_data``: download the public data from its publishers into HOMECARE_DATA_DIR."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from providers.public_data import PublicDataError, public_data_fetch, source_urls


class Command(BaseCommand):
    help = (
        "Download the ONS postcodes and the Leeds ward and council boundaries from their publishers (pinned "
        "commits, as in shared/data/SOURCES.md) and rebuild the files the product reads. Defaults to "
        "HOMECARE_DATA_DIR; the folder appears only when every file has been fetched and checked."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("--dest", type=Path, default=None, help="folder to create (default: HOMECARE_DATA_DIR)")
        parser.add_argument("--replace", action="store_true", help="fetch again even if the folder exists")
        parser.add_argument(
            "--if-missing", action="store_true", help="do nothing when the folder already exists (for scripts)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        dest = (options["dest"] or Path(settings.HOMECARE_DATA_DIR)).expanduser().resolve()
        if options["if_missing"] and dest.is_dir():
            self.stdout.write(f"Public data found in {dest}.")
            return
        self.stdout.write(f"Fetching the public data from its publishers ({len(source_urls())} files) into {dest} ...")
        try:
            result = public_data_fetch(
                dest=dest, replace=options["replace"], progress=lambda message: self.stdout.write(f"  {message}")
            )
        except PublicDataError as problem:
            raise CommandError(f"{problem} Nothing was written to {dest}.") from problem
        for name, count in result.counts.items():
            self.stdout.write(f"  {name}: {count:,}")
        self.stdout.write(self.style.SUCCESS(f"Public data ready in {dest} ({len(result.downloads)} downloads)."))
