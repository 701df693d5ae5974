"""Actual visits in, from an ECM file or a provider system's batch: all or nothing, idempotent on the visit id.

``actual_visits_save`` is the one entry for every route (portal upload, background job, API, benchmark):

1. Every row's package must be one awarded to the sending provider (in any round: after re-brokering, the old
   provider still reports its last days); any row that is not is reported by line
   and nothing is written.
2. Each row is keyed by (provider, the provider's own visit id). A new id is inserted; a known id with the
   same fingerprint is left alone (a file sent twice changes nothing); a known id with other values is a
   correction and replaces the stored visit.
3. On PostgreSQL the rows go through ``COPY`` into a temporary table, then one ``UPDATE`` of the rows whose
   fingerprint differs and one ``INSERT`` of the new ones, under a per-provider lock, which is what makes a
   million rows load in seconds; elsewhere (SQLite in development) the same classification is done with
   ``bulk_create``/``bulk_update``.
4. One audit event records the counts, in the same transaction.
"""

from __future__ import annotations

import io
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from django.contrib.auth.models import User
from django.db import connection, transaction
from django.utils import timezone

from brokerage.changes.selectors import packages_delivered_by
from homecare.audit.actions import AuditAction
from homecare.audit.services import audit_record
from providers.models import Provider
from providers.selectors import provider_for_user
from visits.ecm_format import EcmRow, RowError, read_ecm_csv
from visits.models import ActualVisit, ActualVisitImport, ActualVisitSource

BATCH = 5000
SAVE_LOCK = 1101  # the advisory lock class of actual-visit saves (the second key is the provider)


class ActualVisitsRefused(ValueError):
    """Some rows cannot be saved; ``errors`` says which and why. Nothing was written."""

    def __init__(self, errors: Sequence[RowError], file_errors: Sequence[str] = ()) -> None:
        super().__init__(f"{len(errors)} rows have errors; nothing was saved.")
        self.errors = list(errors)
        self.file_errors = list(file_errors)


@dataclass(frozen=True)
class SaveCounts:
    created: int
    updated: int
    unchanged: int


def _check_packages(provider: Provider, rows: Sequence[EcmRow]) -> list[RowError]:
    wanted = {row.package_id for row in rows}
    theirs: set[int] = set()
    ids = sorted(wanted)
    for i in range(0, len(ids), 20000):
        theirs.update(
            packages_delivered_by(provider=provider).filter(pk__in=ids[i : i + 20000]).values_list("pk", flat=True)
        )
    return [
        RowError(
            row.line,
            row.visit_id,
            (f"ISA-{row.package_id:06d} is not a package awarded to {provider.name}.",),
        )
        for row in rows
        if row.package_id not in theirs
    ]


@transaction.atomic
def actual_visits_save(
    *,
    provider: Provider,
    rows: Sequence[EcmRow],
    source: str,
    received_by: User | None,
    file_name: str = "",
    column_set: str = "",
) -> ActualVisitImport:
    """Save a whole file or batch of actual visits, or none of it (``ActualVisitsRefused``)."""
    errors = _check_packages(provider, rows)
    if errors:
        raise ActualVisitsRefused(errors)
    now = timezone.now()
    counts = _save_postgresql(provider, rows, source, now) if connection.vendor == "postgresql" else None
    if counts is None:
        counts = _save_portable(provider, rows, source, now)
    received = ActualVisitImport.objects.create(
        provider=provider,
        source=source,
        file_name=file_name[:255],
        column_set=column_set,
        received_at=now,
        received_by=received_by,
        rows=len(rows),
        created=counts.created,
        updated=counts.updated,
        unchanged=counts.unchanged,
    )
    audit_record(
        actor=received_by,
        action=AuditAction.ACTUAL_VISITS_IMPORTED,
        target=received,
        summary=(
            f"{file_name or ActualVisitSource(source).label}: {counts.created} new visits, {counts.updated} "
            f"corrected, {counts.unchanged} already known"
        ),
        data={"rows": len(rows), "created": counts.created, "updated": counts.updated, "source": source},
    )
    return received


def _save_portable(provider: Provider, rows: Sequence[EcmRow], source: str, now: datetime) -> SaveCounts:
    known: dict[str, tuple[int, str]] = {}
    ids = [row.visit_id for row in rows]
    for i in range(0, len(ids), BATCH):
        known.update(
            {
                visit_id: (pk, fingerprint)
                for visit_id, pk, fingerprint in ActualVisit.objects.filter(
                    provider=provider, provider_visit_id__in=ids[i : i + BATCH]
                ).values_list("provider_visit_id", "pk", "fingerprint")
            }
        )
    new: list[ActualVisit] = []
    changed: list[ActualVisit] = []
    unchanged = 0
    for row in rows:
        fingerprint = row.fingerprint
        existing = known.get(row.visit_id)
        if existing is not None and existing[1] == fingerprint:
            unchanged += 1
            continue
        visit = _visit_of(provider, row, source, fingerprint, now)
        if existing is None:
            new.append(visit)
        else:
            visit.pk = existing[0]
            changed.append(visit)
    ActualVisit.objects.bulk_create(new, batch_size=BATCH)
    ActualVisit.objects.bulk_update(
        changed,
        [
            "package", "planned_start", "check_in", "check_out", "carers", "carer_pseudonyms", "method",
            "exception_code", "source", "fingerprint", "received_at",
        ],
        batch_size=BATCH,
    )  # fmt: skip
    return SaveCounts(len(new), len(changed), unchanged)


def _visit_of(provider: Provider, row: EcmRow, source: str, fingerprint: str, now: datetime) -> ActualVisit:
    return ActualVisit(
        provider=provider,
        package_id=row.package_id,
        provider_visit_id=row.visit_id,
        planned_start=row.planned_start,
        check_in=row.check_in,
        check_out=row.check_out,
        carers=row.carers,
        carer_pseudonyms=row.carer_pseudonyms,
        method=row.method,
        exception_code=row.exception_code,
        source=source,
        fingerprint=fingerprint,
        received_at=now,
    )


_COLUMNS = (
    "provider_id", "package_id", "provider_visit_id", "planned_start", "check_in", "check_out", "carers",
    "carer_pseudonyms", "method", "exception_code", "source", "fingerprint", "received_at",
)  # fmt: skip


def copy_buffer(provider_id: int, rows: Sequence[EcmRow], source: str, now: datetime) -> io.StringIO:
    """The rows in COPY's text format. Nothing needs escaping: ``read_values`` allows no tab, newline or
    backslash in a visit id or exception code, and pseudonyms are hex."""
    head = f"{provider_id}\t"
    tail = f"\t{source}\t"
    stamp = now.isoformat()
    # ``isoformat`` was half the cost of a save: each distinct time is written once (a month's visits share a
    # few tens of thousands of minutes). Equal datetimes are the same instant, so a shared text is exact.
    iso: dict[datetime | None, str] = {None: "\\N"}

    def text(value: datetime | None) -> str:
        written = iso.get(value)
        if written is None:
            written = iso[value] = value.isoformat()  # type: ignore[union-attr]  # None is in the dict
        return written

    lines = [
        f"{head}{row.package_id}\t{row.visit_id}\t{text(row.planned_start)}\t{text(row.check_in)}\t"
        f"{text(row.check_out)}\t{row.carers}\t{row.carer_pseudonyms}\t{row.method}\t{row.exception_code}"
        f"{tail}{row.fingerprint}\t{stamp}\n"
        for row in rows
    ]
    return io.StringIO("".join(lines))


def _save_postgresql(provider: Provider, rows: Sequence[EcmRow], source: str, now: datetime) -> SaveCounts:
    table = ActualVisit._meta.db_table
    columns = ", ".join(_COLUMNS)
    updates = ", ".join(f"{c} = i.{c}" for c in _COLUMNS if c not in ("provider_id", "provider_visit_id"))
    with connection.cursor() as cursor:
        cursor.execute(f"CREATE TEMPORARY TABLE incoming_visits (LIKE {table} INCLUDING DEFAULTS) ON COMMIT DROP")
        cursor.execute("ALTER TABLE incoming_visits DROP COLUMN id")
        raw = cursor.cursor
        raw.copy_expert(f"COPY incoming_visits ({columns}) FROM STDIN", copy_buffer(provider.pk, rows, source, now))
        cursor.execute("ANALYZE incoming_visits")  # so the joins below are planned as hash joins
        # One provider's saves take turns (a lock held to the end of the transaction), so the plain INSERT
        # below cannot meet a row another save has just added. A plain INSERT of the new rows after an UPDATE
        # of the changed ones costs less than INSERT ... ON CONFLICT (no speculative insertion per row), and
        # rows already stored with the same fingerprint are touched by neither: a file sent again writes
        # nothing (ON CONFLICT ... WHERE false would still lock, and so write, every one of them).
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [SAVE_LOCK, provider.pk])
        cursor.execute(
            f"UPDATE {table} v SET {updates} FROM incoming_visits i"  # noqa: S608 - our names, no values
            f" WHERE v.provider_id = i.provider_id AND v.provider_visit_id = i.provider_visit_id"
            f" AND v.fingerprint <> i.fingerprint"
        )
        updated = cursor.rowcount
        cursor.execute(
            f"INSERT INTO {table} ({columns}) SELECT {columns} FROM incoming_visits i"  # noqa: S608 - as above
            f" WHERE NOT EXISTS (SELECT 1 FROM {table} v WHERE v.provider_id = i.provider_id"
            f" AND v.provider_visit_id = i.provider_visit_id)"
        )
        created = cursor.rowcount
        cursor.execute("DROP TABLE incoming_visits")
    return SaveCounts(created, updated, len(rows) - created - updated)


def ecm_file_import(*, text: str, file_name: str, provider_user: User) -> ActualVisitImport:
    """A provider's ECM file, read in any supported column set and saved whole or not at all."""
    reading = read_ecm_csv(text)
    if not reading.ok:
        raise ActualVisitsRefused(reading.errors, reading.file_errors)
    return actual_visits_save(
        provider=provider_for_user(user=provider_user),
        rows=reading.rows,
        source=ActualVisitSource.ECM_FILE,
        received_by=provider_user,
        file_name=file_name,
        column_set=reading.column_set,
    )
