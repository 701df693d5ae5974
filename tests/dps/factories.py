"""Small hand-made fixtures for DPS tests: CQC locations with ratings, rounds, and a test boundary."""

from __future__ import annotations

import json
from datetime import timedelta
from pathlib import Path
from typing import Any

from django.utils import timezone

from contracts.models import Agreement
from dps.models import DpsRound, RoundStatus
from providers.models import CqcLocation, CqcRating, Provider, RegistrationStatus

# A made-up square council, about 6.6 km east-west and 11 km north-south, near Leeds.
SQUARE_COUNCIL = {
    "type": "Feature",
    "properties": {"lad_name": "Square Council (test fixture)"},
    "geometry": {
        "type": "Polygon",
        "coordinates": [[[-1.60, 53.75], [-1.50, 53.75], [-1.50, 53.85], [-1.60, 53.85], [-1.60, 53.75]]],
    },
}
INSIDE = (53.80, -1.55)
NEAR = (53.80, -1.45)  # about 2 miles east of the square's edge
FAR = (53.80, -1.20)  # about 12 miles east


def write_boundary(folder: Path, feature: dict[str, Any] = SQUARE_COUNCIL) -> Path:
    path = folder / "boundary.geojson"
    path.write_text(json.dumps(feature), encoding="utf-8")
    return path


_counter = iter(range(10_000, 99_999))


def make_location(
    provider: Provider,
    *,
    name: str = "",
    at: tuple[float, float] = INSIDE,
    registered: bool = True,
    homecare: bool = True,
    overall: str | None = "Good",
    key_questions: dict[str, str] | None = None,
) -> CqcLocation:
    n = next(_counter)
    location = CqcLocation.objects.create(
        location_id=f"1-8{n:09d}",
        provider=provider,
        name=name or f"{provider.name} branch {n}",
        registration_status=RegistrationStatus.REGISTERED if registered else RegistrationStatus.DEREGISTERED,
        service_types=["Homecare agencies"] if homecare else ["Care home service without nursing"],
        is_homecare_agency=homecare,
        postcode="LS1 1AA",
        latitude=at[0],
        longitude=at[1],
    )
    if overall is not None:
        kq = {"safe": overall, "effective": overall, "caring": overall, "responsive": overall, "well_led": overall}
        kq.update(key_questions or {})
        rating = CqcRating.objects.create(
            location=location, overall=overall, fingerprint=f"test-{n}", source="demo", **kq
        )
        location.current_rating = rating
        location.save(update_fields=["current_rating"])
    return location


def make_open_round(agreement: Agreement, *, number: int = 1) -> DpsRound:
    now = timezone.now()
    return DpsRound.objects.create(
        agreement=agreement,
        number=number,
        label="1 month after start",
        opens_at=now - timedelta(days=1),
        closes_at=now + timedelta(days=27),
        status=RoundStatus.OPEN,
        opened_at=now - timedelta(days=1),
    )
