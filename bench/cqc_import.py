"""CQC import throughput (locations per second) on the real Oldham extract, beside a plain bulk insert.

Run: .venv/bin/python bench/cqc_import.py [--repeats 3] [--national 50000]
     (set DATABASE_URL to measure on PostgreSQL; otherwise SQLite is used)

Creates a throw-away test database (Django's test-database machinery, so your own data is untouched),
then for each repeat, from empty tables: reads the CSV (451 locations), imports it, re-imports it
unchanged, and re-imports it with every location changed. Prints the median wall and CPU time of each, in
locations per second, and the number of queries per location for the first import.

Reference, measured in the same run: the same locations (and their providers) written with one plain
``bulk_create`` each in one transaction, with no fingerprints, areas, ratings or audit; the ratio says how
far the import is from the cost of just inserting the rows on this machine at this moment.

``--national N`` also times a first import of N locations (the Oldham rows repeated under new location and
provider ids, so the national extract's ~50,000 can be measured without it).
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
from django.db import connection, transaction  # noqa: E402

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


def _timed(action: Callable[[], object]) -> tuple[float, float]:
    """Wall and CPU seconds (the CPU figure leaves out the database server's own time)."""
    start, start_cpu = time.perf_counter(), time.process_time()
    action()
    return time.perf_counter() - start, time.process_time() - start_cpu


def _plain_insert(records: list[LocationRecord]) -> Callable[[], object]:
    """The reference: just the rows, one bulk insert per table, in one transaction."""

    def insert() -> None:
        with transaction.atomic():
            providers = {
                record.provider_id: Provider(cqc_provider_id=record.provider_id, name=record.provider_name or "x")
                for record in records
            }
            Provider.objects.bulk_create(providers.values(), batch_size=500)
            CqcLocation.objects.bulk_create(
                [
                    CqcLocation(
                        location_id=record.location_id,
                        provider=providers[record.provider_id],
                        name=record.name,
                        postcode=record.postcode,
                        town=record.town,
                        latitude=record.latitude,
                        longitude=record.longitude,
                        registration_status=record.registration_status,
                    )
                    for record in records
                ],
                batch_size=500,
            )

    return insert


def _national(records: list[LocationRecord], size: int) -> list[LocationRecord]:
    copies = -(-size // len(records))
    return [
        replace(record, location_id=f"{record.location_id}-{n}", provider_id=f"{record.provider_id}-{n}")
        for n in range(copies)
        for record in records
    ][:size]


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
    parser.add_argument("--national", type=int, default=0, help="also import this many locations at once")
    args = parser.parse_args()
    path = Path(settings.HOMECARE_DATA_DIR) / "cqc" / "oldham_cqc_locations_2025-03.csv"
    if not path.is_file():
        sys.exit(f"{path} is missing: set HOMECARE_DATA_DIR to the shared data folder.")

    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        timings: dict[str, list[tuple[float, float]]] = {
            "read": [],
            "reference": [],
            "first": [],
            "unchanged": [],
            "changed": [],
        }
        records: list[LocationRecord] = []
        for _ in range(args.repeats):
            _empty()
            records.clear()
            timings["read"].append(_timed(lambda: records.extend(read_location_csv(path))))
            timings["reference"].append(_timed(_plain_insert(records)))
            _empty()
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
            "reference": "reference: plain bulk insert",
            "first": "first import (empty tables)",
            "unchanged": "re-import, nothing changed",
            "changed": "re-import, every location changed",
        }
        print(f"  {'':<36} {'wall':>9}  {'locations/s':>11}  {'CPU':>9}  {'locations/CPU s':>15}")
        for key, label in labels.items():
            seconds = statistics.median(wall for wall, _ in timings[key])
            cpu = statistics.median(cpu for _, cpu in timings[key])
            print(
                f"  {label:<36} {seconds * 1000:6.1f} ms  {count / seconds:11,.0f}"
                f"  {cpu * 1000:6.1f} ms  {count / cpu:15,.0f}"
            )
        first = statistics.median(wall for wall, _ in timings["first"])
        reference = statistics.median(wall for wall, _ in timings["reference"])
        print(f"  first import / plain bulk insert (wall): {first / reference:.2f}")
        print(f"  first import: {queries_per_location:.2f} database queries per location")
        if args.national:
            national = _national(records, args.national)
            _empty()
            ref_wall, ref_cpu = _timed(_plain_insert(national))
            _empty()
            wall, cpu = _timed(_import(national))
            print(
                f"  {len(national):,} locations at once: first import {wall:.1f} s wall "
                f"({len(national) / wall:,.0f}/s), "
                f"{cpu:.1f} s CPU; plain bulk insert {ref_wall:.1f} s wall, {ref_cpu:.1f} s CPU; "
                f"ratio {wall / ref_wall:.2f}"
            )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
