"""Write CQC records into the database: idempotent, with rating history, audited.

1. Each record is fingerprinted; an unchanged location is skipped without a single write, so
   re-running an import changes nothing.
2. A changed location is updated in place. Its ratings are stored as one :class:`CqcRating` row per
   distinct rating set (ratings + report date), so a new CQC rating adds a row and a repeat does not.
3. Rating and registration-status changes of known locations are audited one by one; each run is
   recorded as a :class:`CqcImportRun` with its counts and audited as a whole.
4. A file (and the demo) is imported all or nothing, in one transaction: a bad record anywhere leaves
   the database as it was, and the run is recorded as failed with where and why, and 0 written.
5. An API import or sync commits in batches (a transaction must not stay open across hundreds of HTTP
   calls): a failure keeps the earlier batches, the run's counts are exactly what was committed, and a
   repeat resumes cheaply because unchanged locations are skipped.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager, nullcontext
from dataclasses import dataclass, field, fields
from datetime import date, datetime, timedelta
from functools import cache
from itertools import islice
from typing import Any

from django.core.exceptions import ImproperlyConfigured
from django.db import connection, transaction
from django.db.models import OuterRef, Subquery
from django.utils import timezone

from homecare.audit.actions import AuditAction
from homecare.audit.services import audit_record
from homecare.bulk_copy import copy_rows, next_ids
from providers.areas import AreaResolver
from providers.cqc_client import CqcApiClient
from providers.cqc_records import CqcFormatError, LocationRecord, location_record_from_api, parse_date
from providers.geography import GeoPoint, council_boundary
from providers.models import CqcImportRun, CqcLocation, CqcRating, Provider
from providers.quality import CqcRatings, KeyQuestion

ProgressCallback = Callable[[int], object]
# New locations from the daily change feed are kept when this close to the council: wider than the
# DPS's 5 miles so officers also see providers just beyond it.
SYNC_RADIUS_MILES = 10.0
FIRST_SYNC_LOOKBACK = timedelta(days=1)


@dataclass
class ImportCounts:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    ratings_added: int = 0

    def add(self, other: ImportCounts) -> None:
        for name in ("created", "updated", "unchanged", "ratings_added"):
            setattr(self, name, getattr(self, name) + getattr(other, name))


# Values written into a fingerprint as they are (a date by ``json.dumps``'s ``default=str``).
_AS_THEY_ARE = frozenset({str, int, float, bool, type(None), date, datetime})


@cache
def _fingerprinted_fields(kind: type) -> tuple[str, ...]:
    # Where a record was read from is not part of what CQC says about the location.
    return tuple(f.name for f in fields(kind) if f.name != "origin")


def _plain(value: Any) -> Any:
    # Plain values are kept without a call: fingerprinting is a large part of a first import's cost.
    if isinstance(value, CqcRatings):
        return {
            "overall": value.overall.value,
            "key_questions": {kq.value: rating.value for kq, rating in value.key_questions.items()},
            "report_date": value.report_date,
        }
    if hasattr(value, "__dataclass_fields__"):
        return {
            name: item if type(item := getattr(value, name)) in _AS_THEY_ARE else _plain(item)
            for name in _fingerprinted_fields(type(value))  # type: ignore[arg-type]  # a class is hashable
        }
    if isinstance(value, tuple | list):
        return [item if type(item) in _AS_THEY_ARE else _plain(item) for item in value]
    return value


def _hash(value: Any) -> str:
    return hashlib.sha256(json.dumps(_plain(value), sort_keys=True, default=str).encode()).hexdigest()


def rating_fingerprint(ratings: CqcRatings) -> str:
    """Identifies a rating set: the overall and five key-question ratings and the report date."""
    return _hash(ratings)


_LOCATION_FIELDS = (
    "name",
    "brand_name",
    "location_type",
    "registration_status",
    "registration_date",
    "deregistration_date",
    "inspection_directorate",
    "address_line1",
    "address_line2",
    "town",
    "county",
    "postcode",
    "latitude",
    "longitude",
    "local_authority",
    "region",
    "last_inspection_date",
    "last_report_publication_date",
    "is_homecare_agency",
)


def _text_limits() -> dict[str, int]:
    """The longest text each stored field holds, so a too-long value is refused by name on every database
    (PostgreSQL would fail the whole statement; SQLite would store it)."""
    limits = {
        name: max_length
        for name in (*_LOCATION_FIELDS, "location_id")
        if (max_length := getattr(CqcLocation._meta.get_field(name), "max_length", None))
    }
    limits["provider_id"] = int(Provider._meta.get_field("cqc_provider_id").max_length or 0)
    limits["provider_name"] = int(Provider._meta.get_field("name").max_length or 0)
    return limits


def _check(record: LocationRecord, limits: dict[str, int]) -> None:
    if not record.location_id or not record.provider_id:
        raise CqcFormatError("A location needs both a location ID and a provider ID.")
    for name, limit in limits.items():
        value = getattr(record, name)
        if isinstance(value, str) and len(value) > limit:
            raise CqcFormatError(f"{name} is {len(value)} characters long ({value[:40]!r}...); at most {limit} fit.")


def _location_values(record: LocationRecord) -> dict[str, Any]:
    """What a record says about its location, by field name."""
    values = {name: getattr(record, name) for name in _LOCATION_FIELDS}
    values["is_dormant"] = record.is_dormant
    values["is_care_home"] = record.is_care_home
    values["service_types"] = list(record.service_types)
    values["regulated_activities"] = list(record.regulated_activities)
    values["specialisms"] = list(record.specialisms)
    return values


def _apply(location: CqcLocation, record: LocationRecord) -> None:
    for name, value in _location_values(record).items():
        setattr(location, name, value)


def _rating_values(ratings: CqcRatings, report_link_id: str, source: str) -> dict[str, Any]:
    kq = ratings.key_questions
    return {
        "overall": ratings.overall.value,
        "safe": kq[KeyQuestion.SAFE].value,
        "effective": kq[KeyQuestion.EFFECTIVE].value,
        "caring": kq[KeyQuestion.CARING].value,
        "responsive": kq[KeyQuestion.RESPONSIVE].value,
        "well_led": kq[KeyQuestion.WELL_LED].value,
        "report_date": ratings.report_date,
        "report_link_id": report_link_id,
        "source": source,
    }


@dataclass
class _NewRows:
    """Rows for locations new to us, waiting for one bulk write per table (:func:`_write_new_rows`).

    Locations and ratings are field values, not model instances: building ~40 fields of a model per
    location cost a first import as much as writing it. Each rating is paired with its location's index.
    """

    providers: list[Provider] = field(default_factory=list)
    locations: list[dict[str, Any]] = field(default_factory=list)
    location_ids: set[str] = field(default_factory=set)
    ratings: list[tuple[int, dict[str, Any]]] = field(default_factory=list)

    def clear(self) -> None:
        self.providers, self.locations, self.ratings = [], [], []
        self.location_ids = set()


class _Importer:
    def __init__(self, *, source: str) -> None:
        self.source = source
        self.counts = ImportCounts()
        self.resolver = AreaResolver()
        self.now = timezone.now()
        self.limits = _text_limits()
        self.position = 0  # how many records have been read, so a failure can say where
        self.current: LocationRecord | None = None

    def provider_for(
        self, record: LocationRecord, providers: dict[str, Provider], new: _NewRows | None = None
    ) -> Provider:
        """The record's provider organisation; a new one is created, or with ``new`` left for its bulk insert."""
        provider = providers.get(record.provider_id)
        if provider is None:
            provider = Provider(
                cqc_provider_id=record.provider_id,
                name=record.provider_name or record.name,
                name_is_provisional=not record.provider_name,
                cqc_synced_at=self.now,
            )
            if new is None:
                provider.save(force_insert=True)
            else:
                new.providers.append(provider)
            providers[record.provider_id] = provider
        elif record.provider_name and (provider.name != record.provider_name or provider.name_is_provisional):
            provider.name, provider.name_is_provisional = record.provider_name, False
            if provider.pk is not None:
                provider.save(update_fields=["name", "name_is_provisional"])
        return provider

    def import_batch(self, records: list[LocationRecord]) -> None:
        """Import one batch: locations new to us are written together (a few bulk inserts for the whole
        batch, the first import's common case); changed ones one by one, since each may be audited."""
        ids = [record.location_id for record in records]
        existing = {
            loc.location_id: loc
            for loc in CqcLocation.objects.filter(location_id__in=ids).select_related("current_rating")
        }
        provider_ids = {record.provider_id for record in records}
        providers = {p.cqc_provider_id or "": p for p in Provider.objects.filter(cqc_provider_id__in=provider_ids)}
        self.resolver.prefetch(
            record.postcode for record in records if record.latitude is None or record.longitude is None
        )
        new = _NewRows()
        for record in records:
            self.position += 1
            self.current = record
            _check(record, self.limits)
            fingerprint = _hash(record)
            if record.location_id in new.location_ids:
                # The same location twice in a batch: write the first, so the second is compared with it.
                self.insert_new(new)
                existing[record.location_id] = CqcLocation.objects.select_related("current_rating").get(
                    location_id=record.location_id
                )
            location = existing.get(record.location_id)
            if location is not None and location.source_fingerprint == fingerprint:
                self.counts.unchanged += 1
                continue
            if location is None:
                self.add_new(record, fingerprint, providers, new)
                continue
            self.insert_new(new)  # a changed location may share a provider created in this batch
            existing[record.location_id] = self.import_one(record, location, fingerprint, providers)
        self.current = None
        self.insert_new(new)

    def add_new(self, record: LocationRecord, fingerprint: str, providers: dict[str, Provider], new: _NewRows) -> None:
        values = _location_values(record)
        values["location_id"] = record.location_id
        values["provider"] = self.provider_for(record, providers, new)
        values["ward_id"], values["locality_area_id"] = self.resolver.resolve(
            postcode=record.postcode, latitude=record.latitude, longitude=record.longitude
        )
        values["source_fingerprint"] = fingerprint
        values["cqc_synced_at"] = values["updated_at"] = self.now
        new.location_ids.add(record.location_id)
        if record.ratings_known and record.current_rating is not None:
            ratings = record.current_rating.ratings
            rating = _rating_values(ratings, record.current_rating.report_link_id, self.source)
            rating["fingerprint"] = rating_fingerprint(ratings)
            new.ratings.append((len(new.locations), rating))
        new.locations.append(values)

    def insert_new(self, new: _NewRows) -> None:
        """Write the pending new providers, locations and their current ratings (a new location has no
        earlier rating to audit)."""
        if not new.locations and not new.providers:
            return
        _write_new_rows(new)
        self.counts.created += len(new.locations)
        self.counts.ratings_added += len(new.ratings)
        new.clear()

    def import_one(
        self, record: LocationRecord, location: CqcLocation | None, fingerprint: str, providers: dict[str, Provider]
    ) -> CqcLocation:
        provider = self.provider_for(record, providers)
        is_new = location is None
        previous_status = "" if location is None else location.registration_status
        if location is None:
            location = CqcLocation(location_id=record.location_id)
        _apply(location, record)
        location.provider = provider
        location.ward_id, location.locality_area_id = self.resolver.resolve(
            postcode=record.postcode, latitude=record.latitude, longitude=record.longitude
        )
        location.source_fingerprint = fingerprint
        location.cqc_synced_at = self.now
        location.save()
        self.counts.created += is_new
        self.counts.updated += not is_new
        if not is_new and previous_status != location.registration_status:
            audit_record(
                actor=None,
                action=AuditAction.CQC_REGISTRATION_CHANGED,
                target=location,
                summary=f"CQC registration of {location.name} changed from {previous_status} to "
                f"{location.registration_status}.",
                data={"location_id": location.location_id, "from": previous_status, "to": location.registration_status},
            )
        if record.ratings_known:
            self.apply_rating(location, record, is_new=is_new)
        return location

    def apply_rating(self, location: CqcLocation, record: LocationRecord, *, is_new: bool) -> None:
        current: CqcRating | None = None
        if record.current_rating is not None:
            ratings = record.current_rating.ratings
            values = _rating_values(ratings, record.current_rating.report_link_id, self.source)
            fingerprint = rating_fingerprint(ratings)
            if not is_new:
                current, created = CqcRating.objects.get_or_create(
                    location=location, fingerprint=fingerprint, defaults=values
                )
            else:
                # A location created a moment ago has no ratings yet: skip the lookup and its savepoint.
                current, created = CqcRating.objects.create(location=location, fingerprint=fingerprint, **values), True
            self.counts.ratings_added += created
        if (current.pk if current else None) == location.current_rating_id:
            return
        previous = location.current_rating.overall if location.current_rating else "no rating"
        location.current_rating = current
        location.save(update_fields=["current_rating"])
        if not is_new:
            now_text = f"{current.overall} ({current.report_date})" if current else "no rating"
            audit_record(
                actor=None,
                action=AuditAction.CQC_RATING_CHANGED,
                target=location,
                summary=f"CQC rating of {location.name} changed from {previous} to {now_text}.",
                data={"location_id": location.location_id, "from": previous, "to": now_text},
            )


def _write_new_rows(new: _NewRows) -> None:
    """One write per table for the pending new rows; each location ends up pointing at its rating."""
    if connection.vendor == "postgresql":
        _copy_new_rows(new)
        return
    Provider.objects.bulk_create(new.providers)
    locations = [CqcLocation(**values) for values in new.locations]
    CqcLocation.objects.bulk_create(locations)
    CqcRating.objects.bulk_create([CqcRating(location=locations[index], **values) for index, values in new.ratings])
    # Each new location has exactly one rating, so one UPDATE points them all at it.
    CqcLocation.objects.filter(pk__in=[locations[index].pk for index, _ in new.ratings]).update(
        current_rating=Subquery(CqcRating.objects.filter(location=OuterRef("pk")).values("pk")[:1])
    )


def _copy_new_rows(new: _NewRows) -> None:
    """PostgreSQL: ids first, then one COPY per table. A location is written already pointing at its
    rating (the foreign key is checked at commit), so no row is written twice."""
    for provider, pk in zip(new.providers, next_ids(Provider, len(new.providers)), strict=True):
        provider.pk = pk
        provider._state.adding, provider._state.db = False, connection.alias  # as bulk_create leaves it
    copy_rows(
        Provider, [{f.attname: getattr(p, f.attname) for f in Provider._meta.concrete_fields} for p in new.providers]
    )
    for values, pk in zip(new.locations, next_ids(CqcLocation, len(new.locations)), strict=True):
        values["id"] = pk
        values["provider_id"] = values.pop("provider").pk
    recorded_at = timezone.now()
    for (index, values), pk in zip(new.ratings, next_ids(CqcRating, len(new.ratings)), strict=True):
        values["id"] = new.locations[index]["current_rating_id"] = pk
        values["location_id"] = new.locations[index]["id"]
        values["recorded_at"] = recorded_at
    copy_rows(CqcLocation, new.locations)
    copy_rows(CqcRating, [values for _, values in new.ratings])


def _batches(records: Iterable[LocationRecord], size: int) -> Iterator[list[LocationRecord]]:
    iterator = iter(records)
    while batch := list(islice(iterator, size)):
        yield batch


def _where(importer: _Importer) -> str:
    """Where the import stopped: the record being written, by its origin; a reader's error names its own line."""
    record = importer.current
    if record is None:
        return ""
    place = record.origin or f"record {importer.position}"
    return f"{place} (location {record.location_id or 'with no ID'}): "


def cqc_records_import(
    *,
    records: Iterable[LocationRecord],
    source: str,
    description: str = "",
    progress: ProgressCallback | None = None,
    batch_size: int = 2000,
    all_or_nothing: bool = True,
    changes_from: datetime | None = None,
    changes_until: datetime | None = None,
) -> CqcImportRun:
    """Import CQC location records (from any source) and return the recorded run.

    1. Record the run as started (committed at once, so even a crash leaves a trace).
    2. Import the records in batches (for the queries), all inside one transaction when
       ``all_or_nothing``, or each batch committed on its own.
    3. On any error: roll back what was not committed, record the run as failed with where it stopped,
       why, and the counts actually written (0 for all or nothing), then let the error reach the caller.
    """
    run = CqcImportRun.objects.create(
        source=source,
        description=description[:255],
        started_at=timezone.now(),
        changes_from=changes_from,
        changes_until=changes_until,
    )
    importer = _Importer(source=source)
    committed = ImportCounts()
    try:
        with transaction.atomic() if all_or_nothing else nullcontext():
            for batch in _batches(records, batch_size):
                with nullcontext() if all_or_nothing else transaction.atomic():
                    importer.import_batch(batch)
                # A reader's error while fetching the next batch names its own line.
                importer.current = None
                if not all_or_nothing:
                    committed.add(importer.counts)
                    importer.counts = ImportCounts()
                if progress:
                    progress(len(batch))
    except Exception as problem:
        # Record why the run failed, then let the error reach the caller: nothing is swallowed.
        reason = str(problem) if isinstance(problem, CqcFormatError) else f"{type(problem).__name__}: {problem}"
        _finish(run, committed, error=_where(importer) + reason)
        problem.add_note(f"Recorded as failed CQC import run {run.pk}: {run.error}")
        raise
    committed.add(importer.counts)
    _finish(run, committed)
    return run


@transaction.atomic
def _finish(run: CqcImportRun, counts: ImportCounts, *, error: str = "") -> None:
    run.finished_at = timezone.now()
    run.succeeded = not error
    run.error = error
    run.created, run.updated, run.unchanged, run.ratings_added = (
        counts.created,
        counts.updated,
        counts.unchanged,
        counts.ratings_added,
    )
    run.save()
    written = (
        f"{counts.created} new, {counts.updated} updated, {counts.unchanged} unchanged, "
        f"{counts.ratings_added} new rating sets"
    )
    audit_record(
        actor=None,
        action=AuditAction.CQC_IMPORT_FINISHED,
        target=run,
        summary=f"{run.get_source_display()} failed ({written} kept): {error}"[:500]
        if error
        else f"{run.get_source_display()} finished: {written}.",
        data={"error": error} if error else None,
    )


@transaction.atomic
def provider_update_from_api(*, data: dict[str, Any]) -> Provider:
    """Create or refresh a provider organisation from a ``GET /providers/{id}`` response."""
    provider, _ = Provider.objects.update_or_create(
        cqc_provider_id=str(data["providerId"]),
        defaults={
            "name": str(data.get("name") or data["providerId"]),
            "name_is_provisional": not data.get("name"),
            "registration_status": str(data.get("registrationStatus") or ""),
            "registration_date": parse_date(data.get("registrationDate")),
            "deregistration_date": parse_date(data.get("deregistrationDate")),
            "companies_house_number": str(data.get("companiesHouseNumber") or ""),
            "brand_name": str(data.get("brandName") or ""),
            "cqc_synced_at": timezone.now(),
        },
    )
    return provider


def _api_records(
    client: CqcApiClient, location_ids: Iterable[str], *, keep: Callable[[LocationRecord], bool] | None = None
) -> Iterator[LocationRecord]:
    """Fetch each location, and its provider once (the location response has no provider name)."""
    named: dict[str, str] = {}
    for location_id in location_ids:
        record = location_record_from_api(client.get_location(location_id))
        if keep is not None and not keep(record):
            continue
        if record.provider_id not in named:
            provider = Provider.objects.filter(cqc_provider_id=record.provider_id, name_is_provisional=False).first()
            if provider is None or provider.cqc_synced_at is None:
                provider = provider_update_from_api(data=client.get_provider(record.provider_id))
            named[record.provider_id] = provider.name
        yield LocationRecord(
            **{**{f.name: getattr(record, f.name) for f in fields(record)}, "provider_name": named[record.provider_id]}
        )


class CqcSyncInProgress(RuntimeError):
    """Another CQC API import or sync is running; this one stopped before changing anything."""


# An arbitrary, fixed key for PostgreSQL's advisory lock ("CQCS" in ASCII).
SYNC_LOCK_KEY = 0x43514353


@contextmanager
def _one_sync_at_a_time() -> Iterator[None]:
    """Hold a PostgreSQL advisory lock for the whole sync, so two workers never import the same
    changes at once. It is tied to the connection, so a worker that dies releases it. SQLite
    (development only) serialises writers itself."""
    if connection.vendor != "postgresql":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_try_advisory_lock(%s)", [SYNC_LOCK_KEY])
        row = cursor.fetchone()
    if not (row and row[0]):
        raise CqcSyncInProgress("Another CQC import or sync is running; try again when it has finished.")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_unlock(%s)", [SYNC_LOCK_KEY])


def cqc_import_from_api(
    *, client: CqcApiClient, local_authority: str, progress: ProgressCallback | None = None
) -> CqcImportRun:
    """Full import of every CQC location in one local authority (one detail call per location)."""
    with _one_sync_at_a_time():
        ids = [summary["locationId"] for summary in client.iter_locations(localAuthority=local_authority)]
        return cqc_records_import(
            records=_api_records(client, ids),
            source=CqcImportRun.Source.API,
            description=f"All CQC locations in {local_authority} ({len(ids)})",
            progress=progress,
            batch_size=50,
            all_or_nothing=False,
        )


def cqc_sync_changes(
    *, client: CqcApiClient, until: datetime | None = None, progress: ProgressCallback | None = None
) -> CqcImportRun:
    """Import what CQC changed since the last good sync (or the last day, the first time).

    Known locations are always refreshed; a location new to us is kept when it lies within
    ``SYNC_RADIUS_MILES`` of the council boundary. Safe to run twice: a repeat re-reads the same
    window and changes nothing; two at once are refused (:class:`CqcSyncInProgress`).
    """
    if not client.session.headers.get("Ocp-Apim-Subscription-Key"):
        raise ImproperlyConfigured("Set CQC_API_KEY to sync with CQC's API.")
    with _one_sync_at_a_time():
        return _sync_changes(client=client, until=until, progress=progress)


def _sync_changes(*, client: CqcApiClient, until: datetime | None, progress: ProgressCallback | None) -> CqcImportRun:
    end = until or timezone.now()
    last = CqcImportRun.objects.filter(succeeded=True, changes_until__isnull=False).order_by("-changes_until").first()
    start = last.changes_until if last and last.changes_until else end - FIRST_SYNC_LOOKBACK
    ids = list(dict.fromkeys(client.iter_changed_location_ids(start=start, end=end)))
    known = set(CqcLocation.objects.filter(location_id__in=ids).values_list("location_id", flat=True))
    boundary = council_boundary()

    def keep(record: LocationRecord) -> bool:
        if record.location_id in known:
            return True
        if record.latitude is None or record.longitude is None:
            return False
        return boundary.within_miles(GeoPoint(record.latitude, record.longitude), SYNC_RADIUS_MILES)

    return cqc_records_import(
        records=_api_records(client, ids, keep=keep),
        source=CqcImportRun.Source.CHANGES,
        description=f"CQC changes {start:%Y-%m-%d %H:%M} to {end:%Y-%m-%d %H:%M} ({len(ids)} changed)",
        progress=progress,
        batch_size=50,
        all_or_nothing=False,
        changes_from=start,
        changes_until=end,
    )
