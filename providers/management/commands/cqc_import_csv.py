"""Import a CQC bulk CSV: the care directory (HSCA Active Locations) or the flattened extract."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from providers.cqc_import import cqc_records_import
from providers.cqc_records import CqcFormatError, read_location_csv
from providers.management.commands._progress import progress_bar
from providers.models import CqcImportRun


class Command(BaseCommand):
    help = (
        "Import CQC locations from a bulk CSV. Accepts CQC's care directory sheet saved as CSV "
        "(add --ratings with the 'Latest ratings' sheet for key-question ratings) or the flattened "
        "extract (e.g. shared/data/cqc/oldham_cqc_locations_2025-03.csv). UTF-8, UTF-16 or Windows-1252 "
        "(Latin-1), up to HOMECARE_IMPORT_MAX_MB. All rows or none; safe to re-run."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        parser.add_argument("path", type=Path)
        parser.add_argument("--ratings", type=Path, default=None, help="CQC 'Latest ratings' sheet as CSV.")

    def handle(self, *args: Any, **options: Any) -> None:
        path: Path = options["path"]
        if not path.is_file():
            raise CommandError(f"{path} does not exist.")
        try:
            # Read and check the whole file first, so a bad row stops the import before any write.
            records = list(read_location_csv(path, ratings_path=options["ratings"]))
        except CqcFormatError as problem:
            raise CommandError(str(problem)) from problem
        try:
            with progress_bar(total=len(records), unit="loc", description="CQC locations") as bar:
                run = cqc_records_import(
                    records=records, source=CqcImportRun.Source.CSV, description=path.name, progress=bar.update
                )
        except CqcFormatError as problem:
            # The importer's note says where it stopped, and which run records the failure.
            where = " ".join(getattr(problem, "__notes__", [])) or str(problem)
            raise CommandError(f"Nothing was imported. {where}") from problem
        self.stdout.write(
            self.style.SUCCESS(
                f"{path.name}: {run.created} new, {run.updated} updated, {run.unchanged} unchanged, "
                f"{run.ratings_added} new rating sets."
            )
        )
