"""Load the ONS postcode lookup (NSPL/ONSPD, or the trimmed regional file) and district centroids."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from providers.management.commands._progress import progress_bar
from providers.postcodes import PostcodeFileError, postcode_districts_load, postcodes_load


class Command(BaseCommand):
    help = (
        "Load postcodes and postcode-district centroids. Defaults to the files in HOMECARE_DATA_DIR/postcodes; "
        "pass --postcodes with ONS's full national NSPL/ONSPD CSV for the whole country. Safe to re-run."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        data = Path(settings.HOMECARE_DATA_DIR) / "postcodes"
        parser.add_argument("--postcodes", type=Path, default=data / "leeds_region_postcodes.csv")
        parser.add_argument("--districts", type=Path, default=data / "uk_postcode_district_centroids.csv")

    def handle(self, *args: Any, **options: Any) -> None:
        for option in ("postcodes", "districts"):
            if not options[option].is_file():
                raise CommandError(f"--{option}: {options[option]} does not exist.")
        try:
            districts = postcode_districts_load(path=options["districts"])
            self.stdout.write(f"{districts} postcode districts loaded.")
            with progress_bar(total=None, unit="pc", description="Postcodes") as bar:
                count = postcodes_load(path=options["postcodes"], progress=bar.update)
        except PostcodeFileError as problem:
            raise CommandError(str(problem)) from problem
        self.stdout.write(self.style.SUCCESS(f"{count} postcodes loaded from {options['postcodes'].name}."))
