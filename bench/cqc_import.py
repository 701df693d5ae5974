"""CQC import throughput (locations per second) on the real Oldham extract.

Run: .venv/bin/python bench/cqc_import.py [--repeats 3]
     (set DATABASE_URL to measure on PostgreSQL; otherwise SQLite is used)

Creates a throw-away test database (Django's test-database machinery, so your own data is untouched),
then for each repeat, from empty tables: reads the CSV (451 locations), imports it, re-imports it
unchanged, and re-imports it with every location changed. Prints the median of each, in locations per
second, and the number of queries per location for the first import.
"""

from __future__ import annotations

import argparse
import os
import statistics
import sys
import time
from collections.abc import Callable
from dataclasses import replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection  # noqa: E402

from homecare.audit.models import AuditEvent  # noqa: E402
from providers.cqc_import import cqc_records_import  # noqa: E402
from providers.cqc_records import LocationRecord, read_location_csv  # noqa: E402
from providers.models import CqcImportRun, CqcLocation, CqcRating, Provider  # noqa: E402


def _empty() -> None:
    CqcLocation.objects.update(current_rating=None)
    CqcRating.objects.all().delete()
    CqcLocation.objects.all().delete()
    Provider.objects.all().delete()
    CqcImportRun.objects.all().delete()
    AuditEvent.objects.all().delete()


def _timed(action: Callable[[], object]) -> float:
    start = time.perf_counter()
    action()
    return time.perf_counter() - start


def _import(records: list[LocationRecord]) -> Callable[[], object]:
    return lambda: cqc_records_import(records=records, source="csv")


class QueryCounter:
    """Counts queries without Django's debug cursor (which caps its log and slows everything down)."""

    def __init__(self) -> None:
        self.count = 0

    def __call__(self, execute: Callable[..., Any], sql: str, params: Any, many: bool, context: Any) -> Any:
        self.count += 1
        return execute(sql, params, many, context)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--repeats", type=int, default=3)
    args = parser.parse_args()
    path = Path(settings.HOMECARE_DATA_DIR) / "cqc" / "oldham_cqc_locations_2025-03.csv"
    if not path.is_file():
        sys.exit(f"{path} is missing: set HOMECARE_DATA_DIR to the shared data folder.")

    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        timings: dict[str, list[float]] = {"read": [], "first": [], "unchanged": [], "changed": []}
        records: list[LocationRecord] = []
        for _ in range(args.repeats):
            _empty()
            records.clear()
            timings["read"].append(_timed(lambda: records.extend(read_location_csv(path))))
            timings["first"].append(_timed(_import(records)))
            timings["unchanged"].append(_timed(_import(records)))
            changed = [replace(record, town=record.town + " (moved)") for record in records]
            timings["changed"].append(_timed(_import(changed)))
        _empty()
        counter = QueryCounter()
        with connection.execute_wrapper(counter):
            _import(records)()
        queries_per_location = counter.count / len(records)
        count = len(records)
        engine = connection.vendor
        print(f"CQC import of {path.name}: {count} locations, {args.repeats} repeats, {engine}")
        labels = {
            "read": "read and parse the CSV",
            "first": "first import (empty tables)",
            "unchanged": "re-import, nothing changed",
            "changed": "re-import, every location changed",
        }
        for key, label in labels.items():
            seconds = statistics.median(timings[key])
            print(f"  {label:<36} {seconds * 1000:8.1f} ms  {count / seconds:10,.0f} locations/s")
        print(f"  first import: {queries_per_location:.1f} database queries per location")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
