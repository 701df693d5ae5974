"""Postcodes, distances, the council boundary and locality areas."""

from __future__ import annotations

import json
import math

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command

from homecare.audit.actions import AuditAction
from homecare.audit.models import AuditEvent
from providers.areas import district_set_area_override, ward_assign_area
from providers.geography import (
    CouncilBoundary,
    GeoPoint,
    distance_miles,
    locality_area_for,
    locate_postcode,
    normalise_postcode,
    postcode_district,
)
from providers.models import CqcLocation, LocalityArea, Postcode, PostcodeDistrict, Ward
from tests.providers.factories import CqcLocationFactory, LocalityAreaFactory, WardFactory, square_geojson
from tests.realdata import shared_data_file

LEEDS_CENTRE = GeoPoint(53.79737, -1.55312)
YORK_MINSTER = GeoPoint(53.96226, -1.08193)


@pytest.mark.parametrize(
    ("typed", "expected"),
    [
        ("ls11ab", "LS1 1AB"),
        (" LS1 1AB ", "LS1 1AB"),
        ("ls6  3hn", "LS6 3HN"),
        ("BD108AA", "BD10 8AA"),
        ("sw1a1aa", "SW1A 1AA"),
    ],
)
def test_postcodes_are_normalised_to_the_standard_form(typed, expected):
    assert normalise_postcode(typed) == expected


@pytest.mark.parametrize("typed", ["", "LS1", "LS1 1A", "12345", "LS1 1ABC", "L$1 1AB"])
def test_an_invalid_postcode_gets_a_clear_error(typed):
    with pytest.raises(ValidationError) as raised:
        normalise_postcode(typed)
    assert "Enter a full UK postcode, like LS1 1AB" in raised.value.messages[0]


def test_the_district_is_the_outward_code():
    assert postcode_district("ls11ab") == "LS1"
    assert postcode_district("LS10 1AB") == "LS10"


def test_distance_agrees_with_the_haversine_formula_leeds_to_york():
    lat1, lon1, lat2, lon2 = map(math.radians, (LEEDS_CENTRE.lat, LEEDS_CENTRE.lon, YORK_MINSTER.lat, YORK_MINSTER.lon))
    a = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    haversine_miles = 2 * 3958.8 * math.asin(math.sqrt(a))
    # The ellipsoid and the sphere differ by well under 0.5% at this distance.
    assert distance_miles(LEEDS_CENTRE, YORK_MINSTER) == pytest.approx(haversine_miles, rel=0.005)
    assert distance_miles(LEEDS_CENTRE, YORK_MINSTER) == pytest.approx(22.4, abs=0.1)


@pytest.mark.django_db
def test_a_postcode_is_located_from_the_ons_lookup_first_then_its_district_centroid():
    Postcode.objects.create(postcode="LS1 1AB", outward="LS1", latitude=53.79609, longitude=-1.55364)
    PostcodeDistrict.objects.create(outward="LS2", area="LS", latitude=53.80, longitude=-1.54)
    assert locate_postcode("ls11ab") == GeoPoint(53.79609, -1.55364, "postcode")
    assert locate_postcode("LS2 9ZZ") == GeoPoint(53.80, -1.54, "district")
    assert locate_postcode("ZZ9 9ZZ") is None


def test_a_boundary_knows_inside_distance_and_within_miles():
    # About 6.6 km east-west by 4.4 km north-south around Leeds city centre.
    boundary = CouncilBoundary.from_geojson(json.loads(square_geojson(-1.60, 53.78, -1.50, 53.82)))
    assert boundary.contains(LEEDS_CENTRE)
    assert boundary.distance_miles(LEEDS_CENTRE) == 0
    three_miles_north = GeoPoint(53.82 + 3 * 1609.344 / 111_250, -1.55)
    assert boundary.distance_miles(three_miles_north) == pytest.approx(3.0, abs=0.05)
    assert boundary.within_miles(three_miles_north, 5)
    assert not boundary.within_miles(YORK_MINSTER, 5)


@pytest.mark.django_db
def test_a_point_takes_the_area_of_the_ward_it_falls_in():
    ward = WardFactory(geometry_geojson=square_geojson(-1.60, 53.78, -1.50, 53.82))
    WardFactory(geometry_geojson=square_geojson(-1.50, 53.78, -1.40, 53.82))
    assert locality_area_for(LEEDS_CENTRE) == ward.area
    assert locality_area_for(YORK_MINSTER) is None


@pytest.mark.django_db
def test_an_officers_district_override_wins_for_postcodes():
    WardFactory(geometry_geojson=square_geojson(-1.60, 53.78, -1.50, 53.82))
    other_area = LocalityAreaFactory(name="Outer West")
    district = PostcodeDistrict.objects.create(outward="LS1", area="LS", latitude=53.797, longitude=-1.553)
    Postcode.objects.create(postcode="LS1 1AB", outward="LS1", latitude=53.79609, longitude=-1.55364)
    district_set_area_override(district=district, area=other_area, actor=None, reason="Served from the west")
    assert locality_area_for("LS1 1AB") == other_area
    assert AuditEvent.objects.filter(
        action=AuditAction.DISTRICT_AREA_OVERRIDE_CHANGED, reason="Served from the west"
    ).exists()


@pytest.mark.django_db
def test_moving_a_ward_to_another_area_moves_its_cqc_locations_and_is_audited(officer):
    ward = WardFactory(geometry_geojson=square_geojson(-1.60, 53.78, -1.50, 53.82))
    location = CqcLocationFactory(latitude=53.7975, longitude=-1.5466)
    new_area = LocalityAreaFactory(name="Inner South")
    ward_assign_area(ward=ward, area=new_area, actor=officer, reason="2018 ward review")
    location.refresh_from_db()
    assert location.locality_area == new_area
    assert location.ward == ward
    event = AuditEvent.objects.get(action=AuditAction.WARD_AREA_CHANGED)
    assert event.actor == officer
    assert "to Inner South" in event.summary


@pytest.mark.realdata
@pytest.mark.django_db
def test_postcodes_inside_just_outside_and_beyond_five_miles_of_leeds_are_classified_with_the_real_files():
    """Loads the real ONS postcode extract and district centroids through the loader command."""
    postcodes = shared_data_file("postcodes", "leeds_region_postcodes.csv")
    districts = shared_data_file("postcodes", "uk_postcode_district_centroids.csv")
    call_command("load_postcodes", postcodes=postcodes, districts=districts)
    assert Postcode.objects.count() == 163_721
    assert PostcodeDistrict.objects.count() == 2_996

    boundary = CouncilBoundary.from_file(shared_data_file("boundaries", "leeds_lad.geojson"))
    buffer_5mi = CouncilBoundary.from_file(shared_data_file("boundaries", "leeds_lad_buffer_5mi.geojson"))
    inside, near, far = (locate_postcode(pc) for pc in ("LS1 1AB", "BD10 8AA", "HX1 1AA"))
    assert inside and near and far

    assert boundary.contains(inside)
    assert boundary.distance_miles(inside) == 0

    assert not boundary.contains(near)  # Bradford, just over the line
    assert 0 < boundary.distance_miles(near) < 1.5
    assert boundary.within_miles(near, 5)

    assert not boundary.within_miles(far, 5)  # Halifax
    assert boundary.distance_miles(far) == pytest.approx(7.2, abs=0.2)
    # The independently buffered 5-mile polygon agrees.
    assert buffer_5mi.contains(near) and not buffer_5mi.contains(far)
    # An unknown full postcode in a known district falls back to the district centroid.
    fallback = locate_postcode("LS1 9XX")
    assert fallback is not None and fallback.precision == "district"


@pytest.mark.realdata
@pytest.mark.django_db
def test_the_real_leeds_wards_form_ten_locality_areas():
    call_command("load_boundaries", wards=shared_data_file("boundaries", "leeds_wards_2013.geojson"))

    def area_name(point: GeoPoint) -> str | None:
        area = locality_area_for(point)
        return area.name if area else None

    assert area_name(LEEDS_CENTRE) == "Inner South"  # City and Hunslet ward
    assert area_name(GeoPoint(53.9285, -1.3860)) == "Outer North East"  # Wetherby
    assert area_name(GeoPoint(53.7448, -1.5989)) == "Outer South"  # Morley
    assert locality_area_for(YORK_MINSTER) is None
    assert LocalityArea.objects.count() == 10
    assert Ward.objects.filter(area__isnull=True).count() == 0
    assert CqcLocation.objects.count() == 0
