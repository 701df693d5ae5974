"""Load ward polygons and Leeds's 10 locality areas; check the council boundary file."""

from __future__ import annotations

from argparse import ArgumentParser
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from providers.areas import locality_areas_load_leeds
from providers.geography import council_boundary


class Command(BaseCommand):
    help = (
        "Load ward polygons and group them into Leeds's 10 community-committee locality areas "
        "(wards an officer already assigned keep their area), then re-place every CQC location."
    )

    def add_arguments(self, parser: ArgumentParser) -> None:
        default = Path(settings.HOMECARE_DATA_DIR) / "boundaries" / "leeds_wards_2013.geojson"
        parser.add_argument("--wards", type=Path, default=default)

    def handle(self, *args: Any, **options: Any) -> None:
        if not options["wards"].is_file():
            raise CommandError(f"--wards: {options['wards']} does not exist.")
        try:
            boundary = council_boundary()
            result = locality_areas_load_leeds(wards_path=options["wards"])
        except (FileNotFoundError, ValueError) as problem:
            raise CommandError(str(problem)) from problem
        area_km2 = boundary.geometry_bng.area / 1_000_000
        self.stdout.write(f"Council boundary: {boundary.name or settings.HOMECARE_BOUNDARY_FILE} ({area_km2:.1f} km²).")
        self.stdout.write(
            self.style.SUCCESS(
                f"Wards: {result.wards_created} new, {result.wards_updated} updated. "
                f"Areas: {result.areas_created} new. {result.wards_assigned} wards assigned to an area."
            )
        )
