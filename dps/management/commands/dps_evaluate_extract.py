"""Run the DPS automatic evaluation as if every registered homecare agency in a CQC extract had applied.

Each agency (CQC location) is one application naming that location, with every declaration made, so
the result shows how the CQC and nearness criteria sort a real market. No database is needed.

Nearness: with ``--boundary-file`` the real test is used (within 5 miles of the polygon). Without it,
"within 5 miles of the boundary" is approximated by the location's CQC local authority being the
council (``--local-authority``, default Oldham): Oldham has no boundary file in the shared data.
"""

from __future__ import annotations

import time
from collections import Counter
from pathlib import Path
from typing import Any

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError, CommandParser

from dps import criteria
from providers.cqc_records import CqcFormatError, read_location_csv
from providers.geography import CouncilBoundary, GeoPoint
from providers.quality import CqcRatings

DEFAULT_EXTRACT = ("cqc", "oldham_cqc_locations_2025-03.csv")


class Command(BaseCommand):
    help = "Evaluate every registered homecare agency in a CQC extract against the DPS criteria; print counts."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--csv", type=Path, help="CQC locations CSV (default: the Oldham extract in the data dir).")
        parser.add_argument("--local-authority", action="append", help="Council(s) for the approximation.")
        parser.add_argument("--boundary-file", type=Path, help="GeoJSON boundary: use the real 5-mile test instead.")
        parser.add_argument("--list", action="store_true", help="Also list every ineligible agency with reasons.")
        parser.add_argument(
            "--include-deregistered", action="store_true", help="Also evaluate deregistered homecare agencies."
        )

    def handle(self, *args: Any, **options: Any) -> None:
        path = options["csv"] or Path(settings.HOMECARE_DATA_DIR).joinpath(*DEFAULT_EXTRACT)
        if not path.is_file():
            raise CommandError(f"{path} does not exist.")
        nearness: criteria.NearnessTest
        if options["boundary_file"]:
            nearness = criteria.BoundaryDistance(CouncilBoundary.from_file(options["boundary_file"]))
        else:
            nearness = criteria.LocalAuthorityApproximation(options["local_authority"] or ["Oldham"])
        started = time.perf_counter()
        try:
            records = list(read_location_csv(path))
        except CqcFormatError as problem:
            raise CommandError(str(problem)) from problem
        agencies = [
            r
            for r in records
            if r.is_homecare_agency
            and (options["include_deregistered"] or r.registration_status == criteria.REGISTERED)
        ]
        every_declaration = dict.fromkeys(criteria.DECLARATION_CRITERIA, True)
        eligible = 0
        eligible_by_rating: Counter[str] = Counter()
        failed_criteria: Counter[str] = Counter()
        rating_reasons: Counter[str] = Counter()
        ineligible_lines = []
        for record in agencies:
            ratings = record.current_rating.ratings if record.current_rating else CqcRatings.not_yet_rated()
            point = GeoPoint(record.latitude, record.longitude) if record.latitude and record.longitude else None
            facts = criteria.ApplicationFacts(
                locations=(
                    criteria.LocationFacts(
                        location_id=record.location_id,
                        name=record.name,
                        registration_status=record.registration_status,
                        is_homecare_agency=record.is_homecare_agency,
                        ratings=ratings,
                        point=point,
                        postcode=record.postcode,
                        local_authority=record.local_authority,
                    ),
                ),
                declarations=every_declaration,
            )
            checks = criteria.evaluate(facts, nearness)
            failures = [check for check in checks if not check.passed]
            if not failures:
                eligible += 1
                eligible_by_rating[ratings.overall.value] += 1
                continue
            for check in failures:
                failed_criteria[check.title] += 1
                if check.criterion == criteria.Criterion.CQC_RATING:
                    rating_reasons[check.reason.split(": ", 1)[1]] += 1
            ineligible_lines.append(f"  {record.location_id} {record.name}: " + " | ".join(c.reason for c in failures))
        elapsed = time.perf_counter() - started

        out = self.stdout.write
        kind = (
            "homecare agencies (registered or not)"
            if options["include_deregistered"]
            else "registered homecare agencies"
        )
        out(f"Extract: {path.name}: {len(records)} locations, {len(agencies)} {kind}")
        out(f"Nearness test: {nearness.description}")
        out("Declarations: all assumed made (an extract has none), so only CQC and nearness criteria can fail.")
        out(f"Eligible: {eligible}")
        by_rating = ", ".join(f"{rating} {count}" for rating, count in eligible_by_rating.most_common())
        out(f"  by CQC overall rating: {by_rating or 'none'}")
        out(f"Ineligible: {len(agencies) - eligible}")
        for title, count in failed_criteria.most_common():
            out(f"  failed '{title}': {count}")
        for reason, count in rating_reasons.most_common():
            out(f"    rating reason: {reason} ({count})")
        if options["list"]:
            out("Ineligible agencies:")
            for line in ineligible_lines:
                out(line)
        out(f"Evaluated in {elapsed * 1000:.0f} ms")
