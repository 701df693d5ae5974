"""The council's locality areas as data an officer can change: wards, their areas, district overrides.

Leeds has 10 locality areas. The starting point here is Leeds's 10 community committee areas, each a
group of electoral wards. The ward polygons in ``shared/data/boundaries/leeds_wards_2013.geojson`` are
the **2013** wards (before the 2018 Leeds ward review), so the grouping below is an approximation of
today's areas: an officer can move any ward to another area, or place a whole postcode district in an
area, and every CQC location's area is recomputed at once.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from django.contrib.auth.models import User
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.text import slugify

from homecare.audit.actions import AuditAction
from homecare.audit.services import audit_record
from providers.geography import (
    GeoPoint,
    WardLocator,
    clear_ward_cache,
    locate_postcode,
    normalise_postcode,
    ward_locator,
)
from providers.models import CqcLocation, LocalityArea, Postcode, PostcodeDistrict, Ward

# Leeds community committee areas and their wards (2013 ward names). 33 wards, 10 areas.
LEEDS_COMMUNITY_COMMITTEES: dict[str, tuple[str, ...]] = {
    "Inner East": ("Burmantofts and Richmond Hill", "Gipton and Harehills", "Killingbeck and Seacroft"),
    "Outer East": ("Cross Gates and Whinmoor", "Garforth and Swillington", "Kippax and Methley", "Temple Newsam"),
    "Inner North East": ("Chapel Allerton", "Moortown", "Roundhay"),
    "Outer North East": ("Alwoodley", "Harewood", "Wetherby"),
    "Inner North West": ("Headingley", "Hyde Park and Woodhouse", "Kirkstall", "Weetwood"),
    "Outer North West": ("Adel and Wharfedale", "Guiseley and Rawdon", "Horsforth", "Otley and Yeadon"),
    "Inner South": ("Beeston and Holbeck", "City and Hunslet", "Middleton Park"),
    "Outer South": ("Ardsley and Robin Hood", "Morley North", "Morley South", "Rothwell"),
    "Inner West": ("Armley", "Bramley and Stanningley", "Farnley and Wortley"),
    "Outer West": ("Calverley and Farsley", "Pudsey"),
}


@dataclass(frozen=True)
class AreaLoadResult:
    wards_created: int
    wards_updated: int
    areas_created: int
    wards_assigned: int


def wards_load_from_geojson(*, path: Path) -> tuple[int, int]:
    """Create or update ward polygons from a GeoJSON file with ``ward_code`` and ``ward_name`` properties.

    Area assignments an officer made are kept. Returns (created, updated).
    """
    with path.open(encoding="utf-8") as handle:
        data = json.load(handle)
    features = data.get("features") or []
    if not features:
        raise ValueError(f"{path.name} has no ward features.")
    created = updated = 0
    with transaction.atomic():
        for feature in features:
            properties = feature.get("properties") or {}
            code, name = properties.get("ward_code"), properties.get("ward_name")
            if not code or not name:
                raise ValueError(f"{path.name}: every ward needs ward_code and ward_name properties.")
            _, was_created = Ward.objects.update_or_create(
                code=code,
                defaults={
                    "name": name,
                    "boundary_vintage": str(properties.get("boundary_vintage", ""))[:200],
                    "geometry_geojson": json.dumps(feature["geometry"], separators=(",", ":")),
                },
            )
            created += was_created
            updated += not was_created
    clear_ward_cache()
    return created, updated


def locality_areas_load_leeds(*, wards_path: Path) -> AreaLoadResult:
    """Load the Leeds wards and the 10 community-committee areas; assign only wards with no area yet."""
    wards_created, wards_updated = wards_load_from_geojson(path=wards_path)
    areas_created = assigned = 0
    with transaction.atomic():
        for order, (area_name, ward_names) in enumerate(LEEDS_COMMUNITY_COMMITTEES.items(), start=1):
            area, was_created = LocalityArea.objects.get_or_create(
                name=area_name,
                defaults={
                    "code": slugify(area_name),
                    "display_order": order,
                    "description": f"Leeds {area_name} community committee area (2013 wards, editable).",
                },
            )
            areas_created += was_created
            assigned += Ward.objects.filter(name__in=ward_names, area__isnull=True).update(area=area)
        cqc_locations_assign_areas()
    return AreaLoadResult(wards_created, wards_updated, areas_created, assigned)


class AreaResolver:
    """Places many points in wards and areas quickly: everything is read once, up front."""

    def __init__(self, locator: WardLocator | None = None) -> None:
        self.locator = locator or ward_locator()
        self.ward_areas = dict(Ward.objects.values_list("pk", "area_id"))
        self.district_overrides = dict(
            PostcodeDistrict.objects.filter(locality_area_override__isnull=False).values_list(
                "outward", "locality_area_override_id"
            )
        )

        # Postcode positions read ahead for a batch (``prefetch``); a postcode not read ahead is looked up.
        self._postcodes: dict[str, GeoPoint | None] = {}

    def prefetch(self, postcodes: Iterable[str]) -> None:
        """Read the positions of many postcodes at once (two queries), for locations with no coordinates."""
        wanted: dict[str, str] = {}
        for code in postcodes:
            if code and code not in self._postcodes:
                try:
                    wanted[code] = normalise_postcode(code)
                except ValidationError:
                    continue  # left to ``resolve``, which refuses it at that record as before
        if not wanted:
            return
        points = {
            postcode: GeoPoint(lat, lon, "postcode")
            for postcode, lat, lon in Postcode.objects.filter(postcode__in=set(wanted.values())).values_list(
                "postcode", "latitude", "longitude"
            )
        }
        outwards = {normal.split(" ")[0] for normal in wanted.values() if normal not in points}
        districts = {
            outward: GeoPoint(lat, lon, "district")
            for outward, lat, lon in PostcodeDistrict.objects.filter(outward__in=outwards).values_list(
                "outward", "latitude", "longitude"
            )
        }
        for code, normal in wanted.items():
            self._postcodes[code] = points.get(normal) or districts.get(normal.split(" ")[0])

    def resolve(
        self, *, postcode: str, latitude: float | None, longitude: float | None
    ) -> tuple[int | None, int | None]:
        """(ward id, locality area id) for a location; a district override wins over the ward's area."""
        point: GeoPoint | None = None
        if latitude is not None and longitude is not None:
            point = GeoPoint(latitude, longitude)
        elif postcode:
            point = self._postcodes[postcode] if postcode in self._postcodes else locate_postcode(postcode)
        ward_id = self.locator.ward_id_at(point) if point else None
        outward = postcode.strip().upper().split(" ")[0] if postcode else ""
        area_id = self.district_overrides.get(outward) or (self.ward_areas.get(ward_id) if ward_id else None)
        return ward_id, area_id


def cqc_locations_assign_areas(*, location_ids: Iterable[int] | None = None) -> int:
    """Recompute the ward and locality area of CQC locations; returns how many changed."""
    resolver = AreaResolver()
    queryset = CqcLocation.objects.only("pk", "postcode", "latitude", "longitude", "ward_id", "locality_area_id")
    if location_ids is not None:
        queryset = queryset.filter(pk__in=list(location_ids))
    changed: list[CqcLocation] = []
    for location in queryset.iterator(chunk_size=2000):
        ward_id, area_id = resolver.resolve(
            postcode=location.postcode, latitude=location.latitude, longitude=location.longitude
        )
        if (ward_id, area_id) != (location.ward_id, location.locality_area_id):
            location.ward_id, location.locality_area_id = ward_id, area_id
            changed.append(location)
    CqcLocation.objects.bulk_update(changed, ["ward", "locality_area"], batch_size=1000)
    return len(changed)


@transaction.atomic
def ward_assign_area(*, ward: Ward, area: LocalityArea | None, actor: User | None, reason: str = "") -> Ward:
    """Move a ward to another locality area (or none) and re-place the CQC locations it holds."""
    previous = ward.area.name if ward.area else "no area"
    ward.area = area
    ward.save(update_fields=["area"])
    audit_record(
        actor=actor,
        action=AuditAction.WARD_AREA_CHANGED,
        target=ward,
        summary=f"Ward {ward.name} moved from {previous} to {area.name if area else 'no area'}.",
        reason=reason,
        data={"ward": ward.code, "from": previous, "to": area.name if area else None},
    )
    cqc_locations_assign_areas()
    return ward


@transaction.atomic
def district_set_area_override(
    *, district: PostcodeDistrict, area: LocalityArea | None, actor: User | None, reason: str = ""
) -> PostcodeDistrict:
    """Place every postcode in a district in one locality area (None removes the override)."""
    district.locality_area_override = area
    district.save(update_fields=["locality_area_override"])
    audit_record(
        actor=actor,
        action=AuditAction.DISTRICT_AREA_OVERRIDE_CHANGED,
        target=district,
        summary=f"Postcode district {district.outward} placed in {area.name if area else 'the areas of its wards'}.",
        reason=reason,
        data={"district": district.outward, "area": area.name if area else None},
    )
    cqc_locations_assign_areas()
    return district
