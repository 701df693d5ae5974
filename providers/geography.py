"""Where things are: UK postcodes, coordinates, distances, the council boundary and locality areas.

Distances along the ground use the WGS84 ellipsoid (pyproj.Geod). Boundary questions ("inside the
council?", "within 5 miles of it?") are answered in British National Grid (EPSG:27700), a metric
projection made for Great Britain, with shapely: no hand-rolled approximations.

Locality areas are data an officer can change: each :class:`~providers.models.Ward` polygon is
assigned to a :class:`~providers.models.LocalityArea`, and a whole postcode district may be placed in
an area by ``PostcodeDistrict.locality_area_override`` (useful for districts just over the boundary).
"""

from __future__ import annotations

import json
import re
import threading
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any, Literal

import shapely
from django.conf import settings
from django.core.exceptions import ValidationError
from django.db.models import Count, Max
from pyproj import Geod, Transformer
from shapely.geometry import Point, shape
from shapely.geometry.base import BaseGeometry

from providers.models import LocalityArea, Postcode, PostcodeDistrict, Ward

METRES_PER_MILE = 1609.344
_POSTCODE = re.compile(r"^(?P<outward>[A-Z]{1,2}[0-9][A-Z0-9]?)(?P<inward>[0-9][A-Z]{2})$")
_GEOD = Geod(ellps="WGS84")
_TO_BNG = Transformer.from_crs("EPSG:4326", "EPSG:27700", always_xy=True)

Precision = Literal["postcode", "district"]


def normalise_postcode(text: str) -> str:
    """Return a UK postcode in its standard form ("ls11ab" -> "LS1 1AB"), or raise ValidationError."""
    squashed = re.sub(r"\s+", "", text or "").upper()
    match = _POSTCODE.match(squashed)
    if match is None:
        raise ValidationError(
            "Enter a full UK postcode, like LS1 1AB. %(value)s is not one.",
            code="invalid_postcode",
            params={"value": repr(text)},
        )
    return f"{match['outward']} {match['inward']}"


def postcode_district(postcode: str) -> str:
    """The outward code (postcode district) of a postcode: "LS1 1AB" -> "LS1"."""
    return normalise_postcode(postcode).split(" ")[0]


@dataclass(frozen=True)
class GeoPoint:
    """A WGS84 point and how precisely it is known (a full postcode, or only its district)."""

    lat: float
    lon: float
    precision: Precision = "postcode"


def postcode_point(postcode: str) -> GeoPoint | None:
    """Coordinates for a postcode the ONS postcode lookup holds; None for any other (no district fallback)."""
    row = Postcode.objects.filter(postcode=normalise_postcode(postcode)).values_list("latitude", "longitude").first()
    return None if row is None else GeoPoint(row[0], row[1], "postcode")


def district_point(postcode: str) -> GeoPoint | None:
    """The centre of a postcode's district, for a postcode the lookup does not (yet) hold."""
    outward = postcode_district(postcode)
    row = PostcodeDistrict.objects.filter(outward=outward).values_list("latitude", "longitude").first()
    return None if row is None else GeoPoint(row[0], row[1], "district")


def locate_postcode(postcode: str) -> GeoPoint | None:
    """Coordinates for a postcode: the ONS postcode lookup first, else its district's centroid."""
    return postcode_point(postcode) or district_point(postcode)


def distance_miles(a: GeoPoint, b: GeoPoint) -> float:
    """Straight-line distance over the WGS84 ellipsoid, in statute miles."""
    _, _, metres = _GEOD.inv(a.lon, a.lat, b.lon, b.lat)
    return float(metres) / METRES_PER_MILE


def _to_bng(point: GeoPoint) -> Point:
    x, y = _TO_BNG.transform(point.lon, point.lat)
    return Point(x, y)


class CouncilBoundary:
    """A council's area, held in British National Grid so distances are in true metres."""

    def __init__(self, geometry_wgs84: BaseGeometry, *, name: str = "") -> None:
        self.name = name
        self.geometry_bng: BaseGeometry = shapely.transform(geometry_wgs84, _TO_BNG.transform, interleaved=False)
        shapely.prepare(self.geometry_bng)

    @classmethod
    def from_geojson(cls, data: dict[str, Any], *, name: str = "") -> CouncilBoundary:
        """From a GeoJSON FeatureCollection, Feature or geometry (WGS84); several features are unioned."""
        if data.get("type") == "FeatureCollection":
            geometries = [shape(feature["geometry"]) for feature in data["features"]]
            if not geometries:
                raise ValueError("The boundary file has no features.")
            if not name:
                name = str(data["features"][0].get("properties", {}).get("lad_name", ""))
            return cls(shapely.union_all(geometries), name=name)
        if data.get("type") == "Feature":
            return cls(shape(data["geometry"]), name=name or str(data.get("properties", {}).get("lad_name", "")))
        return cls(shape(data), name=name)

    @classmethod
    def from_file(cls, path: Path) -> CouncilBoundary:
        with path.open(encoding="utf-8") as handle:
            return cls.from_geojson(json.load(handle))

    def contains(self, point: GeoPoint) -> bool:
        """Inside the boundary (a point on the line counts as inside)."""
        return bool(self.geometry_bng.covers(_to_bng(point)))

    def distance_miles(self, point: GeoPoint) -> float:
        """Miles from the point to the nearest part of the area; 0 inside it."""
        return float(self.geometry_bng.distance(_to_bng(point))) / METRES_PER_MILE

    def within_miles(self, point: GeoPoint, miles: float) -> bool:
        return self.distance_miles(point) <= miles


@cache
def _boundary_from(path: str) -> CouncilBoundary:
    return CouncilBoundary.from_file(Path(path))


def council_boundary() -> CouncilBoundary:
    """The configured council's boundary (setting HOMECARE_BOUNDARY_FILE), loaded once per process."""
    path = Path(settings.HOMECARE_BOUNDARY_FILE)
    if not path.is_file():
        raise FileNotFoundError(f"HOMECARE_BOUNDARY_FILE points at {path}, which does not exist.")
    return _boundary_from(str(path))


class WardLocator:
    """Finds which ward polygon a point is in, with prepared shapely geometries (WGS84)."""

    def __init__(self, wards: list[tuple[int, BaseGeometry]]) -> None:
        self._wards = wards
        for _, geometry in wards:
            shapely.prepare(geometry)
        # Every ward lies inside these bounds: a point outside them (most of a national extract) is in no
        # ward, found without building a shapely point or testing each ward.
        west, south, east, north = (
            shapely.total_bounds([geometry for _, geometry in wards]) if wards else (0, 0, -1, -1)
        )
        self._bounds = (float(west), float(south), float(east), float(north))

    @classmethod
    def from_database(cls) -> WardLocator:
        rows = Ward.objects.values_list("pk", "geometry_geojson")
        return cls([(pk, shape(json.loads(text))) for pk, text in rows])

    def ward_id_at(self, point: GeoPoint) -> int | None:
        west, south, east, north = self._bounds
        if not (west <= point.lon <= east and south <= point.lat <= north):
            return None
        candidate = Point(point.lon, point.lat)
        for ward_id, geometry in self._wards:
            if geometry.covers(candidate):
                return ward_id
        return None


_locator_lock = threading.Lock()
_locator_cache: dict[tuple[int, int | None], WardLocator] = {}


def ward_locator() -> WardLocator:
    """A cached :class:`WardLocator`, rebuilt when wards are added or removed."""
    stats = Ward.objects.aggregate(n=Count("pk"), last=Max("pk"))
    key = (int(stats["n"]), stats["last"])
    with _locator_lock:
        locator = _locator_cache.get(key)
        if locator is None:
            _locator_cache.clear()
            locator = _locator_cache[key] = WardLocator.from_database()
        return locator


def clear_ward_cache() -> None:
    """Forget cached ward geometries (call after ward polygons are reloaded)."""
    with _locator_lock:
        _locator_cache.clear()


def ward_for(point: GeoPoint) -> Ward | None:
    ward_id = ward_locator().ward_id_at(point)
    return None if ward_id is None else Ward.objects.select_related("area").get(pk=ward_id)


def locality_area_for(point_or_postcode: GeoPoint | str) -> LocalityArea | None:
    """The council locality area for a point or a postcode.

    For a postcode, an officer's district override wins; otherwise the postcode is located and the
    area of the ward polygon containing it is used. None when outside every ward and not overridden.
    """
    if isinstance(point_or_postcode, str):
        outward = postcode_district(point_or_postcode)
        district = PostcodeDistrict.objects.select_related("locality_area_override").filter(outward=outward).first()
        if district is not None and district.locality_area_override is not None:
            return district.locality_area_override
        point = locate_postcode(point_or_postcode)
        if point is None:
            return None
    else:
        point = point_or_postcode
    ward = ward_for(point)
    return None if ward is None else ward.area
