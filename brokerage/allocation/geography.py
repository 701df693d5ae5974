"""Distance between a person and a provider's registered locations."""

from __future__ import annotations

import math
from collections.abc import Iterable

from brokerage.allocation.inputs import GeoPoint

# Mean Earth radius (IUGG), in statute miles: councils talk about how local a provider is in miles.
EARTH_RADIUS_MILES = 3958.7613


def haversine_miles(a: GeoPoint, b: GeoPoint) -> float:
    """Great-circle distance in miles; accurate to well under 1% at the scale of a county."""
    lat1, lon1, lat2, lon2 = map(math.radians, (a.latitude, a.longitude, b.latitude, b.longitude))
    h = math.sin((lat2 - lat1) / 2) ** 2 + math.cos(lat1) * math.cos(lat2) * math.sin((lon2 - lon1) / 2) ** 2
    return 2 * EARTH_RADIUS_MILES * math.asin(min(1.0, math.sqrt(h)))


def nearest_miles(person: GeoPoint, locations: Iterable[GeoPoint]) -> float:
    """Distance to the nearest of the provider's locations, rounded to 0.1 mile.

    Rounding is deliberate: ranking on it means a few hundred yards never decides an award; such near-ties
    fall through to the fair tie-break instead.
    """
    return round(min(haversine_miles(person, location) for location in locations), 1)
