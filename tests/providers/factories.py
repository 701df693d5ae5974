"""Small, hand-written CQC records and database rows for the providers tests."""

from __future__ import annotations

from datetime import date
from typing import Any

import factory

from providers.cqc_records import LocationRecord, RatingRecord
from providers.models import CqcLocation, LocalityArea, Ward
from providers.quality import CqcRatings, KeyQuestion, Rating
from tests.factories import ProviderFactory

ALL_GOOD = dict.fromkeys(KeyQuestion, Rating.GOOD)


def ratings(
    overall: Rating | str, *, report_date: date | None = date(2024, 5, 1), **key_questions: Rating
) -> CqcRatings:
    """Ratings with every key question Good unless named, e.g. ``ratings("Good", safe=Rating.INADEQUATE)``."""
    by_name = {kq.name.lower(): kq for kq in KeyQuestion}
    chosen = dict(ALL_GOOD) | {by_name[name]: value for name, value in key_questions.items()}
    return CqcRatings(Rating.parse(overall) if isinstance(overall, str) else overall, chosen, report_date)


def location_record(**overrides: Any) -> LocationRecord:
    """A registered Leeds homecare agency rated Good, unless told otherwise."""
    values: dict[str, Any] = {
        "location_id": "1-100000001",
        "provider_id": "1-200000001",
        "provider_name": "Aire Valley Homecare Ltd",
        "name": "Aire Valley Homecare - Leeds",
        "registration_status": "Registered",
        "registration_date": date(2019, 4, 1),
        "service_types": ("Homecare agencies",),
        "regulated_activities": ("Personal care",),
        "specialisms": ("Dementia",),
        "address_line1": "1 Park Row",
        "town": "Leeds",
        "postcode": "LS1 5AB",
        "latitude": 53.7975,
        "longitude": -1.5466,
        "local_authority": "Leeds",
        "current_rating": RatingRecord(ratings(Rating.GOOD)),
    }
    values.update(overrides)
    return LocationRecord(**values)


class LocalityAreaFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = LocalityArea

    name = factory.Sequence(lambda n: f"Area {n}")
    code = factory.Sequence(lambda n: f"area-{n}")


def square_geojson(west: float, south: float, east: float, north: float) -> str:
    ring = [[west, south], [east, south], [east, north], [west, north], [west, south]]
    return '{"type": "Polygon", "coordinates": [' + str(ring) + "]}"


class WardFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Ward

    code = factory.Sequence(lambda n: f"E0500{n:04d}")
    name = factory.Sequence(lambda n: f"Ward {n}")
    geometry_geojson = square_geojson(-1.60, 53.78, -1.50, 53.82)
    area = factory.SubFactory(LocalityAreaFactory)


class CqcLocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = CqcLocation

    location_id = factory.Sequence(lambda n: f"1-3{n:08d}")
    provider = factory.SubFactory(ProviderFactory)
    name = factory.Sequence(lambda n: f"Test Location {n}")
    registration_status = "Registered"
    is_homecare_agency = True
    service_types = factory.LazyFunction(lambda: ["Homecare agencies"])
    postcode = "LS1 5AB"
    latitude = 53.7975
    longitude = -1.5466
