"""Officer pages and the officer-only API for providers and CQC locations."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from providers.cqc_import import cqc_records_import
from providers.cqc_records import RatingRecord
from providers.models import CqcLocation, Provider
from providers.quality import Rating
from providers.selectors import provider_cqc_summary
from tests.conftest import client_for
from tests.providers.factories import LocalityAreaFactory, WardFactory, location_record, ratings, square_geojson

pytestmark = pytest.mark.django_db

LIST_URL = "/commissioning/providers/"


@pytest.fixture(autouse=True)
def small_council(settings, tmp_path):
    """A small square council around Leeds city centre, so these tests need no real boundary file."""
    path = tmp_path / "council.geojson"
    path.write_text(square_geojson(-1.60, 53.78, -1.50, 53.82), encoding="utf-8")
    settings.HOMECARE_BOUNDARY_FILE = path


@pytest.fixture
def three_providers():
    """Outstanding in Leeds, Requires improvement in Leeds, and an unrated supported-living service."""
    WardFactory(
        geometry_geojson=square_geojson(-1.60, 53.78, -1.50, 53.82), area=LocalityAreaFactory(name="Inner South")
    )
    cqc_records_import(
        records=[
            location_record(
                location_id="1-1",
                provider_id="1-10",
                provider_name="Aire Outstanding Care",
                current_rating=RatingRecord(ratings("Outstanding", caring=Rating.OUTSTANDING)),
            ),
            location_record(
                location_id="1-2",
                provider_id="1-20",
                provider_name="Calder Homecare",
                current_rating=RatingRecord(
                    ratings("Requires improvement", report_date=date(2023, 6, 6), safe=Rating.REQUIRES_IMPROVEMENT)
                ),
            ),
            location_record(
                location_id="1-3",
                provider_id="1-30",
                provider_name="Wharfe Supported Living",
                service_types=("Supported living",),
                current_rating=None,
                latitude=53.95,
                longitude=-1.20,
            ),
        ],
        source="csv",
    )
    # A second, newer rating for Calder, so it has history.
    cqc_records_import(
        records=[
            location_record(
                location_id="1-2",
                provider_id="1-20",
                provider_name="Calder Homecare",
                current_rating=RatingRecord(ratings("Good", report_date=date(2025, 1, 10))),
            )
        ],
        source="csv",
    )
    return {p.name: p for p in Provider.objects.all()}


def names_listed(response) -> list[str]:
    return [provider.name for provider, _ in response.context["rows"]]


def test_officers_see_every_provider_with_its_best_rating(officer_client, three_providers):
    response = officer_client.get(LIST_URL)
    assert response.status_code == 200
    assert names_listed(response) == ["Aire Outstanding Care", "Calder Homecare", "Wharfe Supported Living"]
    assert response.content.decode().count("<h1") == 1


@pytest.mark.parametrize(
    ("query", "expected"),
    [
        ({"rating": "Outstanding"}, ["Aire Outstanding Care"]),
        ({"rating": "Good"}, ["Calder Homecare"]),
        ({"rating": "not-yet-rated"}, ["Wharfe Supported Living"]),
        ({"service_type": "Supported living"}, ["Wharfe Supported Living"]),
        ({"service_type": "Homecare agencies", "rating": "Outstanding"}, ["Aire Outstanding Care"]),
        ({"q": "calder"}, ["Calder Homecare"]),
        ({"q": "1-1"}, ["Aire Outstanding Care"]),
        ({"registration_status": "Deregistered"}, []),
    ],
)
def test_the_list_filters_and_searches(officer_client, three_providers, query, expected):
    assert names_listed(officer_client.get(LIST_URL, query)) == expected


def test_the_list_filters_by_locality_area(officer_client, three_providers):
    area = CqcLocation.objects.get(location_id="1-1").locality_area
    assert area is not None and area.name == "Inner South"
    response = officer_client.get(LIST_URL, {"area": area.pk})
    assert names_listed(response) == ["Aire Outstanding Care", "Calder Homecare"]


def test_a_bad_filter_value_is_shown_in_an_error_summary(officer_client, three_providers):
    response = officer_client.get(LIST_URL, {"rating": "Brilliant"})
    assert "There is a problem" in response.content.decode()
    assert names_listed(response) == ["Aire Outstanding Care", "Calder Homecare", "Wharfe Supported Living"]


def test_the_list_is_paginated_and_keeps_the_filters(officer_client):
    cqc_records_import(
        records=[
            location_record(location_id=f"1-{n}", provider_id=f"1-9{n}", provider_name=f"Care {n:02d}")
            for n in range(30)
        ],
        source="csv",
    )
    first = officer_client.get(LIST_URL, {"service_type": "Homecare agencies"})
    assert len(first.context["rows"]) == 25
    assert "service_type=Homecare+agencies&amp;page=2" in first.content.decode()
    second = officer_client.get(LIST_URL, {"service_type": "Homecare agencies", "page": 2})
    assert len(second.context["rows"]) == 5


def test_the_detail_page_shows_locations_current_ratings_and_history(officer_client, three_providers):
    provider = three_providers["Calder Homecare"]
    response = officer_client.get(reverse("commissioning:providers:detail", args=[provider.pk]))
    html = response.content.decode()
    assert response.status_code == 200
    assert "Aire Valley Homecare - Leeds" in html  # the location's name
    assert "Inside the council boundary" in html
    assert "10 Jan 2025" in html and "6 Jun 2023" in html  # both rating sets, newest first
    assert html.index("10 Jan 2025") < html.index("6 Jun 2023")
    assert "Requires improvement" in html
    assert "Met" in html


@pytest.mark.parametrize("persona", ["provider_user", "ccc_user"])
def test_other_audiences_cannot_see_the_provider_pages_or_api(request, three_providers, persona):
    client = client_for(request.getfixturevalue(persona))
    assert client.get(LIST_URL).status_code == 403
    assert client.get("/api/providers/").status_code == 403
    assert client.get("/api/cqc-locations/").status_code == 403


def test_anonymous_people_are_sent_to_sign_in(client):
    assert client.get(LIST_URL).status_code == 302
    assert client.get("/api/providers/").status_code in (401, 403)


def test_the_provider_api_filters_and_explains_the_score(officer_client, three_providers):
    body = officer_client.get("/api/providers/", {"rating": "Outstanding"}).json()
    assert body["count"] == 1
    [provider] = body["results"]
    assert provider["name"] == "Aire Outstanding Care"
    assert provider["quality_score"]["points"] == 401
    assert provider["quality_score"]["rated"] is True
    assert provider["cqc_dps_eligibility"]["passed"] is True
    assert provider["registered_homecare_locations"] == ["1-1"]


def test_the_location_api_filters_and_gives_the_rating_history(officer_client, three_providers):
    body = officer_client.get("/api/cqc-locations/", {"is_homecare_agency": "true", "rating": "Good"}).json()
    assert [row["location_id"] for row in body["results"]] == ["1-2"]
    detail = officer_client.get("/api/cqc-locations/1-2/").json()
    assert [r["overall"] for r in detail["rating_history"]] == ["Good", "Requires improvement"]
    assert detail["current_rating"]["report_date"] == "2025-01-10"


def test_the_cqc_summary_for_many_providers_takes_a_fixed_number_of_queries(django_assert_num_queries):
    cqc_records_import(
        records=[location_record(location_id=f"1-{n}", provider_id=f"1-9{n}") for n in range(20)], source="csv"
    )
    ids = list(Provider.objects.values_list("pk", flat=True))
    with django_assert_num_queries(2):
        summaries = provider_cqc_summary(ids)
    assert len(summaries) == 20
    assert all(summary.homecare_locations[0].point is not None for summary in summaries.values())
