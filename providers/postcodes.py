"""Load the ONS postcode lookup and postcode-district centroids into the database.

The full national file (NSPL or ONSPD, about 2.7 million rows) is read as a stream and written in
batches with an upsert, so it fits in modest memory and can be re-run to refresh coordinates.
Two shapes are understood: ONS's own columns (``pcds``, ``lat``, ``long``) and the trimmed
``postcode, lat, lon`` file in ``shared/data/postcodes``. ONS marks postcodes without a grid
reference with latitude 99.999999; those rows are skipped.
"""

from __future__ import annotations

import csv
from collections.abc import Callable, Iterator, Sequence
from pathlib import Path

from django.core.exceptions import ValidationError
from django.db import transaction

from providers.geography import normalise_postcode
from providers.models import Postcode, PostcodeDistrict

ProgressCallback = Callable[[int], object]
_NO_COORDINATES = 99.0


class PostcodeFileError(ValueError):
    """The postcode file is not in a shape we know; the message says what was expected."""


def _columns(fieldnames: Sequence[str] | None, path: Path) -> tuple[str, str, str]:
    names = set(fieldnames or [])
    for postcode, lat, lon in (("pcds", "lat", "long"), ("postcode", "lat", "lon"), ("pcd", "lat", "long")):
        if {postcode, lat, lon} <= names:
            return postcode, lat, lon
    raise PostcodeFileError(
        f"{path.name}: expected ONS columns pcds, lat, long (NSPL/ONSPD) or postcode, lat, lon; got {sorted(names)}."
    )


def _postcode_rows(path: Path) -> Iterator[Postcode]:
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        postcode_col, lat_col, lon_col = _columns(reader.fieldnames, path)
        for line, row in enumerate(reader, start=2):
            lat_text, lon_text = row[lat_col].strip(), row[lon_col].strip()
            if not lat_text or not lon_text:
                continue
            try:
                latitude, longitude = float(lat_text), float(lon_text)
                postcode = normalise_postcode(row[postcode_col])
            except (ValueError, ValidationError) as problem:
                raise PostcodeFileError(f"{path.name}, line {line}: {problem}") from problem
            if latitude > _NO_COORDINATES or (latitude == 0 and longitude == 0):
                continue
            yield Postcode(postcode=postcode, outward=postcode.split(" ")[0], latitude=latitude, longitude=longitude)


def postcodes_load(*, path: Path, batch_size: int = 5000, progress: ProgressCallback | None = None) -> int:
    """Upsert every postcode in the file; returns how many rows were written."""
    written = 0
    batch: list[Postcode] = []

    def flush() -> None:
        nonlocal written
        with transaction.atomic():
            Postcode.objects.bulk_create(
                batch,
                update_conflicts=True,
                unique_fields=["postcode"],
                update_fields=["outward", "latitude", "longitude"],
            )
        written += len(batch)
        if progress:
            progress(len(batch))
        batch.clear()

    for postcode in _postcode_rows(path):
        batch.append(postcode)
        if len(batch) >= batch_size:
            flush()
    if batch:
        flush()
    return written


def postcode_districts_load(*, path: Path) -> int:
    """Upsert district centroids from ``outward, area, lat, lon, n_postcodes``; officer overrides are kept."""
    rows: list[PostcodeDistrict] = []
    with path.open(encoding="utf-8-sig", newline="") as handle:
        reader = csv.DictReader(handle)
        required = {"outward", "lat", "lon"}
        if not required <= set(reader.fieldnames or []):
            raise PostcodeFileError(f"{path.name}: expected columns outward, area, lat, lon, n_postcodes.")
        for line, row in enumerate(reader, start=2):
            try:
                rows.append(
                    PostcodeDistrict(
                        outward=row["outward"].strip().upper(),
                        area=(row.get("area") or "").strip().upper(),
                        latitude=float(row["lat"]),
                        longitude=float(row["lon"]),
                        n_postcodes=int(row.get("n_postcodes") or 0),
                    )
                )
            except ValueError as problem:
                raise PostcodeFileError(f"{path.name}, line {line}: {problem}") from problem
    with transaction.atomic():
        PostcodeDistrict.objects.bulk_create(
            rows,
            update_conflicts=True,
            unique_fields=["outward"],
            update_fields=["area", "latitude", "longitude", "n_postcodes"],
            batch_size=1000,
        )
    return len(rows)
