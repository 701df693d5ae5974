"""CQC import throughput (locations per second) on the real Oldham extract, beside a plain bulk insert.

Run: .venv/bin/python bench/cqc_import.py [--repeats 3] [--national 50000]
     (set DATABASE_URL to measure on PostgreSQL; otherwise SQLite is used)

Creates a throw-away test database (Django's test-database machinery, so your own data is untouched),
then for each repeat, from empty tables: reads the CSV (451 locations), imports it, re-imports it
unchanged, and re-imports it with every location changed. Prints the median wall and CPU time of each, in
locations per second, and the number of queries per location for the first import.

References, measured in the same run: the same locations (and their providers) written with one plain
``bulk_create`` each in one transaction, with no fingerprints, areas, ratings or audit; and, on PostgreSQL,
a bare COPY of the same providers, locations and ratings into unindexed copies of their tables (the floor:
just moving the rows into PostgreSQL). The ratios say how far the import is from the cost of just
inserting the rows on this machine at this moment.

CPU is this process plus its PostgreSQL backend (read from /proc; the database server is on this machine),
since on PostgreSQL much of an import's work is the server's. The Leeds wards are loaded first, so every
location is placed (or not) in a ward as in production.

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
from dataclasses import fields, replace
from pathlib import Path
from typing import Any

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.conf import settings  # noqa: E402
from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from bench.ecm_import import backend_cpu  # noqa: E402
from homecare.audit.models import AuditEvent  # noqa: E402
from homecare.bulk_copy import copy_rows  # noqa: E402
from providers.areas import locality_areas_load_leeds  # noqa: E402
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
    """Wall and CPU seconds, the CPU of this process plus its PostgreSQL backend."""
    backend = backend_cpu() if connection.vendor == "postgresql" else 0.0
    start, start_cpu = time.perf_counter(), time.process_time()
    action()
    wall, cpu = time.perf_counter() - start, time.process_time() - start_cpu
    if connection.vendor == "postgresql":
        cpu += max(0.0, backend_cpu() - backend)
    return wall, cpu


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


def _bare_copy(records: list[LocationRecord]) -> Callable[[], object]:
    """The floor: the same providers, locations and ratings COPYed into tables with no index or constraint."""

    def copy() -> None:
        providers = {key: n for n, key in enumerate(dict.fromkeys(record.provider_id for record in records))}
        locations, ratings = [], []
        for n, record in enumerate(records):
            location = {f.name: getattr(record, f.name) for f in fields(record) if f.name in LOCATION_COLUMNS}
            location.update(id=n, provider_id=providers[record.provider_id], source_fingerprint="", cqc_synced_at=None)
            for name in ("service_types", "regulated_activities", "specialisms"):
                location[name] = list(location[name])
            locations.append(location)
            if record.current_rating is not None:
                rated = record.current_rating.ratings
                rating: dict[str, Any] = {kq.name.lower(): value.value for kq, value in rated.key_questions.items()}
                rating.update(id=n, location_id=n, overall=rated.overall.value, report_date=rated.report_date)
                ratings.append({**rating, "fingerprint": "", "source": "csv", "recorded_at": timezone.now()})
        with transaction.atomic(), connection.cursor() as cursor:
            for model, rows in (
                (Provider, [{"id": n, "cqc_provider_id": key, "name": "x"} for key, n in providers.items()]),
                (CqcLocation, locations),
                (CqcRating, ratings),
            ):
                table = f"bench_plain_{model._meta.model_name}"
                cursor.execute(f"CREATE TABLE {table} (LIKE {model._meta.db_table})")
                copy_rows(model, rows, table=table)
                cursor.execute(f"DROP TABLE {table}")

    return copy


LOCATION_COLUMNS = {f.attname for f in CqcLocation._meta.concrete_fields}


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
        locality_areas_load_leeds(
            wards_path=Path(settings.HOMECARE_DATA_DIR) / "boundaries" / "leeds_wards_2013.geojson"
        )
        postgresql = connection.vendor == "postgresql"
        timings: dict[str, list[tuple[float, float]]] = {
            "read": [],
            "reference": [],
            "copy": [],
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
            if postgresql:
                timings["copy"].append(_timed(_bare_copy(records)))
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
            "copy": "reference: bare COPY, no indexes",
            "first": "first import (empty tables)",
            "unchanged": "re-import, nothing changed",
            "changed": "re-import, every location changed",
        }
        cpu_of = "this process + its PostgreSQL backend" if postgresql else "this process"
        print(f"  (CPU = {cpu_of}; load average {os.getloadavg()[0]:.1f} on {os.cpu_count()} cores)")
        print(f"  {'':<36} {'wall':>9}  {'locations/s':>11}  {'CPU':>9}  {'locations/CPU s':>15}")
        medians: dict[str, tuple[float, float]] = {}
        for key, label in labels.items():
            if not timings[key]:
                continue
            seconds = statistics.median(wall for wall, _ in timings[key])
            cpu = statistics.median(cpu for _, cpu in timings[key])
            medians[key] = (seconds, cpu)
            print(
                f"  {label:<36} {seconds * 1000:6.1f} ms  {count / seconds:11,.0f}"
                f"  {cpu * 1000:6.1f} ms  {count / cpu:15,.0f}"
            )
        for key in ("reference", "copy"):
            if key in medians:
                (wall, cpu), (ref_wall, ref_cpu) = medians["first"], medians[key]
                print(f"  first import / {labels[key][11:]}: {wall / ref_wall:.2f} wall, {cpu / ref_cpu:.2f} CPU")
        print(f"  first import: {queries_per_location:.2f} database queries per location (a COPY is not counted)")
        if args.national:
            national = _national(records, args.national)
            _empty()
            ref_wall, ref_cpu = _timed(_plain_insert(national))
            copy_wall, copy_cpu = _timed(_bare_copy(national)) if postgresql else (0.0, 0.0)
            _empty()
            wall, cpu = _timed(_import(national))
            size = len(national)
            print(f"  {size:,} locations at once (load average {os.getloadavg()[0]:.1f}):")
            rows = [("first import", wall, cpu), ("reference: plain bulk insert", ref_wall, ref_cpu)]
            if postgresql:
                rows.append(("reference: bare COPY, no indexes", copy_wall, copy_cpu))
            for label, seconds, used in rows:
                print(
                    f"    {label:<34} {seconds:6.1f} s wall ({size / seconds:7,.0f}/s)"
                    f" {used:6.1f} s CPU ({size / used:7,.0f}/CPU s)"
                )
            print(f"    first import / plain bulk insert: {wall / ref_wall:.2f} wall, {cpu / ref_cpu:.2f} CPU")
            if postgresql:
                print(f"    first import / bare COPY: {wall / copy_wall:.2f} wall, {cpu / copy_cpu:.2f} CPU")
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
