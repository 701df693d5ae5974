"""ECM import throughput: a million actual visits read, checked and saved, against a bare COPY of the same rows.

Run (PostgreSQL; it makes and drops a throw-away test database):

    DATABASE_URL=postgres://... .venv/bin/python bench/ecm_import.py [--rows 1000000] [--packages 2000]

1. Builds a deterministic ECM file (seeded ``random.Random``): visits for ``--packages`` packages awarded to one
   provider, a few per cent late, short, double-handed or not made (with an exception code).
2. Times the whole import as the portal and the API run it: ``read_ecm_csv`` (parse, check and pseudonymise
   every row) and ``actual_visits_save`` (package check, COPY into a temporary table, one upsert), committed.
3. Times importing the same file again (nothing may change) and, as the reference, a bare ``COPY`` of the same
   rows' text into an unindexed table with the same columns: the least any load of these rows can cost here.
Prints wall and CPU seconds, rows per second and the ratio to the reference.
"""

from __future__ import annotations

import argparse
import csv
import io
import os
import random
import sys
import time
from collections.abc import Callable
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from typing import TypeVar
from zoneinfo import ZoneInfo

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "config.settings")

import django

django.setup()

from django.db import connection, transaction  # noqa: E402
from django.utils import timezone  # noqa: E402

from brokerage.models import CarePackage  # noqa: E402
from contracts.models import Agreement  # noqa: E402
from providers.models import Provider  # noqa: E402
from visits.ecm_format import COLUMNS, read_ecm_csv  # noqa: E402
from visits.models import ActualVisit, ActualVisitImport, ActualVisitSource  # noqa: E402
from visits.services.actuals import actual_visits_save, copy_buffer  # noqa: E402

UK = ZoneInfo("Europe/London")
T = TypeVar("T")
TARGET_SECONDS = 60.0


def make_world(packages: int) -> tuple[Provider, list[int]]:
    agreement = Agreement.objects.create(
        name="Bench agreement",
        reference="BENCH-ECM",
        procurement_route="light_touch_dps",
        council_name="Bench",
        term_start=date(2025, 4, 1),
        term_end=date(2029, 3, 31),
    )
    provider = Provider.objects.create(name="Bench Home Care Ltd", is_demo=True)
    now = timezone.now()
    CarePackage.objects.bulk_create(
        [
            CarePackage(
                agreement=agreement,
                postcode_district="LS6",
                hours_per_week=Decimal("14.00"),
                requested_start_on=date(2026, 1, 5),
                created_at=now,
                status=CarePackage.Status.CARE_STARTED,
                awarded_provider=provider,
                care_started_on=date(2026, 1, 5),
            )
            for _ in range(packages)
        ],
        batch_size=2000,
    )
    return provider, list(CarePackage.objects.filter(agreement=agreement).values_list("pk", flat=True))


def make_file(rows: int, package_ids: list[int], seed: int = 11) -> str:
    rng = random.Random(seed)
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(COLUMNS)
    start = datetime(2026, 3, 2, tzinfo=UK)
    per_package = max(1, rows // len(package_ids))
    written = 0
    for package_id in package_ids:
        for n in range(per_package):
            if written == rows:
                break
            planned = start + timedelta(days=n // 4, hours=7 + 4 * (n % 4))
            carers = 2 if rng.random() < 0.05 else 1
            ids = ";".join(f"EMP{rng.randrange(1, 20000):05d}" for _ in range(carers))
            if rng.random() < 0.02:  # not made
                writer.writerow([f"V{written}", f"ISA-{package_id:06d}", planned.isoformat(timespec="minutes"),
                                 "", "", carers, "", "app", "NR"])  # fmt: skip
            else:
                late = rng.choice((0, 0, 0, 5, 10, 45)) if rng.random() < 0.3 else 0
                check_in = planned + timedelta(minutes=late + rng.randrange(-5, 6))
                check_out = check_in + timedelta(minutes=rng.choice((30, 30, 45, 60, 20)))
                writer.writerow([
                    f"V{written}", f"ISA-{package_id:06d}", planned.isoformat(timespec="minutes"),
                    check_in.isoformat(timespec="minutes"), check_out.isoformat(timespec="minutes"), carers, ids,
                    rng.choice(("app", "app", "nfc", "phone")), "",
                ])  # fmt: skip
            written += 1
    return out.getvalue()


def backend_cpu() -> float:
    """CPU seconds used so far by this connection's PostgreSQL backend (same machine: /proc), or 0 if unknown."""
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_backend_pid()")
        (pid,) = cursor.fetchone()
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def timed(action: Callable[[], T]) -> tuple[T, float, float]:
    """Result, wall seconds, and CPU seconds of this process plus its PostgreSQL backend."""
    backend = backend_cpu()
    wall, cpu = time.perf_counter(), time.process_time()
    result = action()
    wall, cpu = time.perf_counter() - wall, time.process_time() - cpu
    return result, wall, cpu + max(0.0, backend_cpu() - backend)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--packages", type=int, default=2000)
    args = parser.parse_args()
    if connection.vendor != "postgresql":
        sys.exit("Run with DATABASE_URL set to PostgreSQL: the bulk load is COPY.")
    old_name = connection.creation.create_test_db(verbosity=0, autoclobber=True)
    try:
        provider, package_ids = make_world(args.packages)
        text = make_file(args.rows, package_ids)
        print(f"ECM import: {args.rows:,} visits for {len(package_ids):,} packages, {len(text) / 1e6:.0f} MB of CSV")

        reading, read_wall, read_cpu = timed(lambda: read_ecm_csv(text))
        assert reading.ok, (reading.file_errors, reading.errors[:3])

        def save() -> ActualVisitImport:
            with transaction.atomic():
                return actual_visits_save(
                    provider=provider, rows=reading.rows, source=ActualVisitSource.ECM_FILE, received_by=None
                )

        first, save_wall, save_cpu = timed(save)
        assert first.created == args.rows and ActualVisit.objects.count() == args.rows
        again, again_wall, again_cpu = timed(save)
        assert again.created == 0 and again.updated == 0 and again.unchanged == args.rows

        # Reference: the same rows' COPY text into a plain table with no index or constraint.
        buffer = copy_buffer(provider.pk, reading.rows, ActualVisitSource.ECM_FILE, timezone.now())
        table = ActualVisit._meta.db_table

        def bare_copy() -> None:
            buffer.seek(0)
            with transaction.atomic(), connection.cursor() as cursor:
                cursor.execute(f"CREATE TABLE bench_plain_visits AS SELECT * FROM {table} WITH NO DATA")  # noqa: S608
                cursor.execute("ALTER TABLE bench_plain_visits DROP COLUMN id")
                columns = ", ".join(c.column for c in ActualVisit._meta.fields if c.column != "id")
                cursor.cursor.copy_expert(f"COPY bench_plain_visits ({columns}) FROM STDIN", buffer)
                cursor.execute("DROP TABLE bench_plain_visits")

        _, ref_wall, ref_cpu = timed(bare_copy)
        total_wall, total_cpu = read_wall + save_wall, read_cpu + save_cpu
        load = os.getloadavg()[0]
        print(f"  (CPU = this process + its PostgreSQL backend; load average {load:.1f} on {os.cpu_count()} cores)")
        for label, wall, cpu in (
            ("read, check, pseudonymise", read_wall, read_cpu),
            ("save (COPY + upsert, committed)", save_wall, save_cpu),
            ("whole import", total_wall, total_cpu),
            ("same file again (0 changes)", again_wall, again_cpu),
            ("reference: bare COPY, same rows", ref_wall, ref_cpu),
        ):
            print(f"  {label:<34} {wall:6.1f} s wall {cpu:6.1f} s CPU  {args.rows / wall:9,.0f} rows/s")
        ref = max(ref_cpu, 1e-9)
        print(
            f"  ratio to the bare COPY: save {save_wall / ref_wall:.1f}x wall ({save_cpu / ref:.1f}x CPU); "
            f"whole import {total_wall / ref_wall:.1f}x wall ({total_cpu / ref:.1f}x CPU)"
        )
        verdict = "within" if total_wall <= TARGET_SECONDS else "OVER"
        print(
            f"  target: {args.rows:,} rows in at most {TARGET_SECONDS:.0f} s: {verdict} ({total_wall:.1f} s wall, "
            f"{total_cpu:.1f} s CPU)"
        )
    finally:
        connection.creation.destroy_test_db(old_name, verbosity=0)


if __name__ == "__main__":
    main()
