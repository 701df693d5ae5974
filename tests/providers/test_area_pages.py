"""Officer pages for locality areas: moving a ward, placing a postcode district in an area."""

from __future__ import annotations

import pytest
from django.urls import reverse

from homecare.audit.actions import AuditAction
from homecare.audit.models import AuditEvent
from providers.models import PostcodeDistrict
from tests.conftest import client_for
from tests.providers.factories import CqcLocationFactory, LocalityAreaFactory, WardFactory, square_geojson

pytestmark = pytest.mark.django_db
AREAS_URL = "/commissioning/providers/areas/"


@pytest.fixture
def ward():
    return WardFactory(name="City and Hunslet", geometry_geojson=square_geojson(-1.60, 53.78, -1.50, 53.82))


def test_officers_see_each_area_with_its_wards(officer_client, ward):
    html = officer_client.get(AREAS_URL).content.decode()
    assert ward.area.name in html and "City and Hunslet" in html
    assert html.count("<h1") == 1


def test_an_officer_moves_a_ward_and_its_locations_follow(officer_client, officer, ward):
    location = CqcLocationFactory(latitude=53.7975, longitude=-1.5466)
    new_area = LocalityAreaFactory(name="Inner South")
    url = reverse("commissioning:providers:ward-edit", args=[ward.pk])
    response = officer_client.post(url, {"area": new_area.pk, "reason": "Matches the 2018 ward review"})
    assert response.status_code == 302
    location.refresh_from_db()
    assert location.locality_area == new_area
    event = AuditEvent.objects.get(action=AuditAction.WARD_AREA_CHANGED)
    assert (event.actor, event.reason) == (officer, "Matches the 2018 ward review")


def test_moving_a_ward_needs_a_reason(officer_client, ward):
    url = reverse("commissioning:providers:ward-edit", args=[ward.pk])
    response = officer_client.post(url, {"area": ward.area.pk, "reason": ""})
    html = response.content.decode()
    assert response.status_code == 200
    assert "There is a problem" in html and "Enter why you are moving this ward" in html
    assert not AuditEvent.objects.filter(action="providers.ward_area_changed").exists()


def test_an_officer_places_a_district_just_over_the_boundary_in_an_area(officer_client):
    area = LocalityAreaFactory(name="Outer North West")
    PostcodeDistrict.objects.create(outward="LS29", area="LS", latitude=53.92, longitude=-1.82)
    url = reverse("commissioning:providers:district-override")
    response = officer_client.post(url, {"district": "ls29", "area": area.pk, "reason": "Served from Otley"})
    assert response.status_code == 302
    assert PostcodeDistrict.objects.get(outward="LS29").locality_area_override == area
    assert "LS29" in officer_client.get(AREAS_URL).content.decode()


def test_an_unknown_district_is_refused_with_a_clear_error(officer_client):
    url = reverse("commissioning:providers:district-override")
    response = officer_client.post(url, {"district": "ZZ99", "area": "", "reason": "x"})
    assert "Enter a postcode district we know" in response.content.decode()


def test_provider_staff_cannot_change_areas(provider_user, ward):
    client = client_for(provider_user)
    url = reverse("commissioning:providers:ward-edit", args=[ward.pk])
    assert client.post(url, {"area": "", "reason": "x"}).status_code == 403
    ward.refresh_from_db()
    assert ward.area is not None
