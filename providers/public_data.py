"""Fetch the public data the product reads (postcodes, Leeds wards and boundaries) from its publishers.

A council's fresh clone has no ``../shared/data``. ``public_data_fetch`` downloads the same files that
folder was made from (``shared/data/SOURCES.md``), pinned to the same commits so the bytes cannot change
under us, and rebuilds the derived files in the same layout and columns:

* ``postcodes/leeds_region_postcodes.csv``: the ONS NSPL (May 2025) rows of 8 postcode areas around Leeds,
  from ``odileeds/Postcodes2LatLon``; rows without coordinates dropped.
* ``postcodes/uk_postcode_district_centroids.csv``: the plain mean of lat/lon per postcode district over all
  120 Great Britain areas in that repository (BT, GY, JE and IM left out, as in SOURCES.md).
* ``boundaries/leeds_wards_2013.geojson``: the 33 Leeds wards (WD13) from ``martinjc/UK-GeoJSON``.
* ``boundaries/leeds_lad.geojson``: those wards dissolved into one Leeds polygon.
* ``boundaries/leeds_and_neighbours_lad_2013.geojson``: Leeds and its 7 neighbours (LAD13), decoded from
  the same repository's TopoJSON.

Row and feature counts are checked against the figures in SOURCES.md, a ``SOURCES.json`` manifest records
the URL, size and SHA-256 of every download, and the folder appears only when everything has succeeded.
The CQC Oldham extract is not fetched: its source repository is not CQC, and nothing the demo runs reads it.
"""

from __future__ import annotations

import csv
import hashlib
import io
import json
import os
import shutil
import tempfile
import time
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import requests
from shapely import make_valid, transform, unary_union
from shapely.geometry import MultiPolygon, Polygon, mapping, shape
from shapely.geometry.base import BaseGeometry

RAW_GITHUB = "https://raw.githubusercontent.com"
POSTCODES_REPO = "odileeds/Postcodes2LatLon"
POSTCODES_COMMIT = "9322263c2470e322840428bd8c19aad26b9a2c55"  # 2025-07-01, "Update postcodes to May 2025"
BOUNDARIES_REPO = "martinjc/UK-GeoJSON"
BOUNDARIES_COMMIT = "88339000fc8711feb9c146d5cd7d145bf286350d"
LEEDS_WARDS_PATH = "json/electoral/eng/wards_by_lad/E08000035.json"
LAD_TOPOJSON_PATH = "json/administrative/eng/topo_lad.json"

LEEDS_LAD_CODE = "E08000035"
LEEDS_REGION_AREAS = ("LS", "BD", "WF", "HD", "HX", "HG", "YO", "DN")
# Every area file in the repository except BT (Northern Ireland), GY/JE (Channel Islands) and IM (Isle of
# Man), where other licence terms may apply (SOURCES.md).
# fmt: off
GREAT_BRITAIN_AREAS = (
    "AB", "AL", "B", "BA", "BB", "BD", "BH", "BL", "BN", "BR", "BS", "CA", "CB", "CF", "CH", "CM", "CO", "CR", "CT",
    "CV", "CW", "DA", "DD", "DE", "DG", "DH", "DL", "DN", "DT", "DY", "E", "EC", "EH", "EN", "EX", "FK", "FY", "G",
    "GL", "GU", "HA", "HD", "HG", "HP", "HR", "HS", "HU", "HX", "IG", "IP", "IV", "KA", "KT", "KW", "KY", "L", "LA",
    "LD", "LE", "LL", "LN", "LS", "LU", "M", "ME", "MK", "ML", "N", "NE", "NG", "NN", "NP", "NR", "NW", "OL", "OX",
    "PA", "PE", "PH", "PL", "PO", "PR", "RG", "RH", "RM", "S", "SA", "SE", "SG", "SK", "SL", "SM", "SN", "SO", "SP",
    "SR", "SS", "ST", "SW", "SY", "TA", "TD", "TF", "TN", "TQ", "TR", "TS", "TW", "UB", "W", "WA", "WC", "WD", "WF",
    "WN", "WR", "WS", "WV", "YO", "ZE",
)
# fmt: on
NEIGHBOUR_LADS = {
    "E08000035": "Leeds",
    "E08000032": "Bradford",
    "E08000033": "Calderdale",
    "E08000034": "Kirklees",
    "E08000036": "Wakefield",
    "E07000165": "Harrogate",
    "E07000169": "Selby",
    "E06000014": "York",
}
WARD_VINTAGE = "Wards Dec 2013 (pre-2018 Leeds ward review)"
LEEDS_LAD_VINTAGE = (
    "Dec 2013 ONS generalised clipped boundaries; dissolved from the 33 Leeds wards (WD13) in martinjc/UK-GeoJSON"
)
LAD_VINTAGE = "LAD Dec 2013"
ATTRIBUTION = (
    "Contains public sector information licensed under the Open Government Licence v3.0. Contains OS data "
    "© Crown copyright and database right. Source: Office for National Statistics; Care Quality Commission."
)

POSTCODES_FILE = Path("postcodes") / "leeds_region_postcodes.csv"
DISTRICTS_FILE = Path("postcodes") / "uk_postcode_district_centroids.csv"
WARDS_FILE = Path("boundaries") / "leeds_wards_2013.geojson"
LEEDS_LAD_FILE = Path("boundaries") / "leeds_lad.geojson"
NEIGHBOURS_FILE = Path("boundaries") / "leeds_and_neighbours_lad_2013.geojson"

TIMEOUT = (10.0, 120.0)  # connect, read (seconds); the largest postcode file is a few MB
ATTEMPTS = 4


class PublicDataError(Exception):
    """A download or a sanity check failed; nothing was written to the destination."""


@dataclass(frozen=True)
class PublicDataExpectations:
    """Counts the rebuilt files must have. The URLs are pinned to commits, so these are exact."""

    region_rows_per_area: Mapping[str, int]
    districts: int
    wards: int
    neighbour_lads: int = len(NEIGHBOUR_LADS)


# The figures in shared/data/SOURCES.md.
SOURCES_MD_COUNTS = PublicDataExpectations(
    region_rows_per_area={
        "LS": 32_728,
        "BD": 23_776,
        "WF": 18_727,
        "HD": 10_869,
        "HX": 7_533,
        "HG": 6_455,
        "YO": 35_095,
        "DN": 28_538,
    },
    districts=2_996,
    wards=33,
)


@dataclass(frozen=True)
class Download:
    url: str
    size: int
    sha256: str


@dataclass
class FetchResult:
    dest: Path
    counts: dict[str, int] = field(default_factory=dict)  # relative path -> rows or features
    downloads: list[Download] = field(default_factory=list)


def raw_url(repo: str, commit: str, path: str) -> str:
    return f"{RAW_GITHUB}/{repo}/{commit}/{path}"


def postcode_area_url(area: str) -> str:
    return raw_url(POSTCODES_REPO, POSTCODES_COMMIT, f"postcodes/{area}.csv")


def source_urls() -> list[str]:
    """Every URL ``public_data_fetch`` downloads, in order."""
    return [
        *(postcode_area_url(area) for area in GREAT_BRITAIN_AREAS),
        raw_url(BOUNDARIES_REPO, BOUNDARIES_COMMIT, LEEDS_WARDS_PATH),
        raw_url(BOUNDARIES_REPO, BOUNDARIES_COMMIT, LAD_TOPOJSON_PATH),
    ]


class _Downloader:
    """GET with a timeout; retry connection failures and 5xx answers, fail at once on anything else."""

    def __init__(self, session: requests.Session, retry_wait: float, progress: Callable[[str], None]) -> None:
        self.session, self.retry_wait, self.progress = session, retry_wait, progress
        self.downloads: list[Download] = []

    def get(self, url: str) -> bytes:
        problem = ""
        for attempt in range(ATTEMPTS):
            if attempt:
                time.sleep(self.retry_wait * 2 ** (attempt - 1))
            try:
                response = self.session.get(url, timeout=TIMEOUT)
            except (requests.ConnectionError, requests.Timeout) as error:
                problem = f"{type(error).__name__}: {error}"
                continue
            if response.status_code >= 500:
                problem = f"HTTP {response.status_code}"
                continue
            if response.status_code != 200:
                raise PublicDataError(f"{url} answered HTTP {response.status_code}.")
            body = response.content
            self.downloads.append(Download(url, len(body), hashlib.sha256(body).hexdigest()))
            self.progress(f"Downloaded {url} ({len(body):,} bytes).")
            return body
        raise PublicDataError(f"Could not download {url} after {ATTEMPTS} attempts (last: {problem}).")


# --- Postcodes -------------------------------------------------------------------------------------------


def _postcode_rows(area: str, body: bytes) -> Iterable[tuple[str, str, str, float, float]]:
    """(postcode, outward, area, lat, lon) for each row with coordinates; the source writes 7-character codes."""
    reader = csv.DictReader(io.StringIO(body.decode("utf-8-sig")))
    if not {"Postcode", "lat", "long"} <= set(reader.fieldnames or ()):
        raise PublicDataError(f"{area}.csv: expected the columns Postcode, lat, long; found {reader.fieldnames}.")
    for row in reader:
        lat, lon = (row["lat"] or "").strip(), (row["long"] or "").strip()
        if not lat or not lon:
            continue  # no coordinates in the source (empty lat, long 0.0)
        code = (row["Postcode"] or "").replace(" ", "").upper()
        if len(code) < 5 or not code.startswith(area):
            raise PublicDataError(f"{area}.csv line {reader.line_num}: {row['Postcode']!r} is not an {area} postcode.")
        try:
            point = float(lat), float(lon)
        except ValueError as error:
            raise PublicDataError(f"{area}.csv line {reader.line_num}: bad coordinates {lat!r}, {lon!r}.") from error
        yield f"{code[:-3]} {code[-3:]}", code[:-3], area, *point


def _write_postcodes(downloader: _Downloader, folder: Path, expected: PublicDataExpectations) -> dict[str, int]:
    region_counts = dict.fromkeys(LEEDS_REGION_AREAS, 0)
    region_rows: dict[str, list[tuple[str, str, str, float, float]]] = {area: [] for area in LEEDS_REGION_AREAS}
    sums: dict[str, list[float]] = {}  # outward -> [lat sum, lon sum, count]; insertion order is the source's
    district_area: dict[str, str] = {}
    for area in GREAT_BRITAIN_AREAS:
        for row in _postcode_rows(area, downloader.get(postcode_area_url(area))):
            if area in region_rows:
                region_rows[area].append(row)
                region_counts[area] += 1
            total = sums.setdefault(row[1], [0.0, 0.0, 0])
            total[0] += row[3]
            total[1] += row[4]
            total[2] += 1
            district_area[row[1]] = area
    if region_counts != dict(expected.region_rows_per_area):
        raise PublicDataError(
            f"Postcode rows per area {region_counts} differ from the expected {dict(expected.region_rows_per_area)}."
        )
    if len(sums) != expected.districts:
        raise PublicDataError(f"Found {len(sums)} postcode districts; expected {expected.districts}.")
    _write_csv(
        folder / POSTCODES_FILE,
        ("postcode", "outward", "area", "lat", "lon"),
        (
            (postcode, outward, area, f"{lat:.5f}", f"{lon:.5f}")
            for area in LEEDS_REGION_AREAS
            for postcode, outward, _, lat, lon in region_rows[area]
        ),
    )
    _write_csv(
        folder / DISTRICTS_FILE,
        ("outward", "area", "lat", "lon", "n_postcodes"),
        (
            (outward, district_area[outward], f"{lat / n:.5f}", f"{lon / n:.5f}", int(n))
            for outward, (lat, lon, n) in sums.items()
        ),
    )
    return {str(POSTCODES_FILE): sum(region_counts.values()), str(DISTRICTS_FILE): len(sums)}


def _write_csv(path: Path, header: Sequence[str], rows: Iterable[Sequence[object]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(header)
        writer.writerows(rows)


# --- Boundaries ------------------------------------------------------------------------------------------


def _polygonal(geometry: BaseGeometry, what: str) -> Polygon | MultiPolygon:
    """``make_valid`` and keep only the polygon parts (a repair can leave stray lines or points)."""
    valid = make_valid(geometry)
    if isinstance(valid, Polygon | MultiPolygon):
        return valid
    parts = [part for part in getattr(valid, "geoms", ()) if isinstance(part, Polygon | MultiPolygon)]
    merged = unary_union(parts) if parts else None
    if not isinstance(merged, Polygon | MultiPolygon) or merged.is_empty:
        raise PublicDataError(f"{what} has no polygon area.")
    return merged


def _rounded(geometry: BaseGeometry) -> dict[str, Any]:
    return dict(mapping(transform(geometry, lambda coords: np.round(coords, 6))))


def _feature(properties: dict[str, str], geometry: BaseGeometry) -> dict[str, Any]:
    return {"type": "Feature", "properties": properties, "geometry": _rounded(geometry)}


def _write_geojson(path: Path, features: list[dict[str, Any]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    collection = {"type": "FeatureCollection", "features": features}
    path.write_text(json.dumps(collection, separators=(",", ":"), ensure_ascii=False), encoding="utf-8")


def _json(body: bytes, what: str) -> dict[str, Any]:
    try:
        data = json.loads(body)
    except ValueError as error:
        raise PublicDataError(f"{what} is not valid JSON: {error}.") from error
    if not isinstance(data, dict):
        raise PublicDataError(f"{what} is not a JSON object.")
    return data


def _write_wards(downloader: _Downloader, folder: Path, expected: PublicDataExpectations) -> dict[str, int]:
    data = _json(downloader.get(raw_url(BOUNDARIES_REPO, BOUNDARIES_COMMIT, LEEDS_WARDS_PATH)), LEEDS_WARDS_PATH)
    wards: list[tuple[str, str, Polygon | MultiPolygon]] = []
    for feature in data.get("features") or []:
        properties = feature.get("properties") or {}
        code, name = properties.get("WD13CD"), properties.get("WD13NM")
        if not code or not name or not feature.get("geometry"):
            raise PublicDataError(f"{LEEDS_WARDS_PATH}: a ward has no WD13CD, WD13NM or geometry ({properties}).")
        wards.append((str(code), str(name), _polygonal(shape(feature["geometry"]), f"Ward {code}")))
    if len(wards) != expected.wards:
        raise PublicDataError(f"{LEEDS_WARDS_PATH} has {len(wards)} wards; expected {expected.wards}.")
    wards.sort(key=lambda ward: ward[1])
    vintage = {"boundary_vintage": WARD_VINTAGE}
    _write_geojson(
        folder / WARDS_FILE,
        [
            _feature({"ward_code": code, "ward_name": name, "lad_code": LEEDS_LAD_CODE, **vintage}, geometry)
            for code, name, geometry in wards
        ],
    )
    leeds = unary_union([geometry for _, _, geometry in wards])
    if not isinstance(leeds, Polygon):
        raise PublicDataError(f"The Leeds wards dissolve into a {leeds.geom_type}, not one polygon.")
    properties = {"lad_code": LEEDS_LAD_CODE, "lad_name": "Leeds", "boundary_vintage": LEEDS_LAD_VINTAGE}
    _write_geojson(folder / LEEDS_LAD_FILE, [_feature(properties, leeds)])
    return {str(WARDS_FILE): len(wards), str(LEEDS_LAD_FILE): 1}


def _topojson_geometries(topology: dict[str, Any]) -> Iterable[tuple[dict[str, Any], BaseGeometry]]:
    """Decode TopoJSON (quantised, delta-encoded arcs) into (properties, shapely geometry) pairs."""
    quantised = topology.get("transform") or {}
    scale, translate = quantised.get("scale"), quantised.get("translate")
    arcs: list[list[tuple[float, float]]] = []
    for arc in topology.get("arcs") or []:
        if scale and translate:
            x = y = 0
            points = []
            for dx, dy, *_ in arc:
                x, y = x + dx, y + dy
                points.append((x * scale[0] + translate[0], y * scale[1] + translate[1]))
            arcs.append(points)
        else:
            arcs.append([(float(p[0]), float(p[1])) for p in arc])

    def ring(indexes: list[int]) -> list[tuple[float, float]]:
        points: list[tuple[float, float]] = []
        for index in indexes:
            arc = arcs[index] if index >= 0 else arcs[~index][::-1]
            points.extend(arc[1:] if points else arc)  # consecutive arcs share their end point
        return points

    for collection in (topology.get("objects") or {}).values():
        for geometry in collection.get("geometries") or [collection]:
            kind, parts = geometry.get("type"), geometry.get("arcs") or []
            if kind == "Polygon":
                polygons = [parts]
            elif kind == "MultiPolygon":
                polygons = parts
            else:
                continue
            built = [Polygon(ring(rings[0]), [ring(hole) for hole in rings[1:]]) for rings in polygons if rings]
            # The LAD code may be a property or the geometry's TopoJSON "id"; keep both to search.
            properties = {**(geometry.get("properties") or {}), "id": geometry.get("id")}
            yield properties, MultiPolygon(built) if len(built) > 1 else built[0]


def _write_neighbours(downloader: _Downloader, folder: Path, expected: PublicDataExpectations) -> dict[str, int]:
    topology = _json(downloader.get(raw_url(BOUNDARIES_REPO, BOUNDARIES_COMMIT, LAD_TOPOJSON_PATH)), LAD_TOPOJSON_PATH)
    found: dict[str, Polygon | MultiPolygon] = {}
    for properties, geometry in _topojson_geometries(topology):
        # The LAD code is whichever property holds it (e.g. LAD13CD); the names are SOURCES.md's.
        code = next((str(value) for value in properties.values() if str(value) in NEIGHBOUR_LADS), None)
        if code:
            found[code] = _polygonal(geometry, f"LAD {code}")
    if len(found) != expected.neighbour_lads:
        missing = sorted(set(NEIGHBOUR_LADS) - set(found))
        raise PublicDataError(f"{LAD_TOPOJSON_PATH}: found {len(found)} of the LADs; missing {missing}.")
    _write_geojson(
        folder / NEIGHBOURS_FILE,
        [
            _feature({"lad_code": code, "lad_name": name, "boundary_vintage": LAD_VINTAGE}, found[code])
            for code, name in NEIGHBOUR_LADS.items()
        ],
    )
    return {str(NEIGHBOURS_FILE): len(found)}


# --- The whole fetch -------------------------------------------------------------------------------------


def public_data_fetch(
    *,
    dest: Path,
    replace: bool = False,
    session: requests.Session | None = None,
    expected: PublicDataExpectations = SOURCES_MD_COUNTS,
    retry_wait: float = 2.0,
    progress: Callable[[str], None] = lambda message: None,
) -> FetchResult:
    """Download, rebuild and check every file, then move the finished folder to ``dest`` in one rename.

    On any failure the temporary folder is removed and ``dest`` is left as it was.
    """
    dest = dest.expanduser().resolve()
    if dest.exists() and not replace:
        raise PublicDataError(f"{dest} already exists; pass replace=True (--replace) to fetch it again.")
    dest.parent.mkdir(parents=True, exist_ok=True)
    work = Path(tempfile.mkdtemp(prefix=f".{dest.name}.partial-", dir=dest.parent))
    try:
        work.chmod(0o755)  # mkdtemp makes it private; the data is public and the web server must read it
        downloader = _Downloader(session or requests.Session(), retry_wait, progress)
        result = FetchResult(dest=dest)
        result.counts.update(_write_postcodes(downloader, work, expected))
        result.counts.update(_write_wards(downloader, work, expected))
        result.counts.update(_write_neighbours(downloader, work, expected))
        result.downloads = downloader.downloads
        manifest = {
            "attribution": ATTRIBUTION,
            "description": "Rebuilt by manage.py fetch_public_data, as described in shared/data/SOURCES.md.",
            "files": result.counts,
            "downloads": [{"url": d.url, "bytes": d.size, "sha256": d.sha256} for d in result.downloads],
        }
        (work / "SOURCES.json").write_text(json.dumps(manifest, indent=2, ensure_ascii=False), encoding="utf-8")
        _move_into_place(work, dest)
    except BaseException:
        shutil.rmtree(work, ignore_errors=True)
        raise
    return result


def _move_into_place(work: Path, dest: Path) -> None:
    if not dest.exists():
        os.rename(work, dest)
        return
    # Replacing: keep the old folder until the new one is in place, so a failure never leaves neither.
    old = dest.with_name(f".{dest.name}.old-{os.getpid()}")
    os.rename(dest, old)
    try:
        os.rename(work, dest)
    except OSError:
        os.rename(old, dest)
        raise
    shutil.rmtree(old)
