"""Demo step: about 100 fictional homecare providers shaped like real CQC records, at real Leeds postcodes.

* Every provider is ``is_demo=True`` and named "Demo: ..."; CQC ids are "DEMO-P-nnn"/"DEMO-L-nnn", which
  can never collide with CQC's own ("1-" followed by digits).
* Overall ratings follow the real Oldham extract's 62 registered homecare agencies (Good 26, Requires
  improvement 5, Outstanding 4, none yet 27 — so 42%, 8%, 6%, 44%), plus two Inadequate providers so
  officers can see a DPS refusal; Oldham had none among its registered agencies.
* Locations sit at real postcodes from the ONS extract: most inside Leeds, some just over the boundary
  (within 5 miles), a few further away. The 33 real (2013) Leeds wards are loaded as the 10 locality areas.
* Idempotent: the records go through the normal importer, keyed on stable ids, and the random choices
  use a fixed seed, so a re-run changes nothing.
"""

from __future__ import annotations

import csv
import json
import random
from datetime import date, timedelta
from pathlib import Path

from django.conf import settings
from django.core.management.base import OutputWrapper

from providers.areas import locality_areas_load_leeds
from providers.cqc_import import cqc_records_import, rating_fingerprint
from providers.cqc_records import LocationRecord, RatingRecord
from providers.geography import CouncilBoundary, GeoPoint, council_boundary
from providers.models import CqcImportRun, CqcLocation, CqcRating, Postcode, Provider, RegistrationStatus
from providers.postcodes import postcode_districts_load, postcodes_load
from providers.quality import CqcRatings, KeyQuestion, Rating

DEMO_PROVIDER_COUNT = 100
# The fictional providers that the demo accounts work for (demo.accounts) come first.
ACCOUNT_PROVIDERS = ("Demo: Aire Valley Home Care", "Demo: Wharfedale Care at Home")
PLACES = (
    "Adel",
    "Alwoodley",
    "Armley",
    "Bardsey",
    "Beeston",
    "Belle Isle",
    "Boston Spa",
    "Bramhope",
    "Bramley",
    "Calverley",
    "Chapel Allerton",
    "Collingham",
    "Cookridge",
    "Cross Gates",
    "Farsley",
    "Garforth",
    "Gipton",
    "Guiseley",
    "Halton",
    "Harehills",
    "Headingley",
    "Holbeck",
    "Horsforth",
    "Hunslet",
    "Kippax",
    "Kirkstall",
    "Meanwood",
    "Methley",
    "Middleton",
    "Moortown",
    "Morley",
    "Oulton",
    "Otley",
    "Pudsey",
    "Rawdon",
    "Rothwell",
    "Roundhay",
    "Scholes",
    "Seacroft",
    "Swillington",
    "Temple Newsam",
    "Tinshill",
    "Weetwood",
    "Wetherby",
    "Whinmoor",
    "Woodlesford",
    "Wortley",
    "Yeadon",
)
SUFFIXES = ("Home Care", "Care at Home", "Homecare Services", "Community Care", "Support at Home")
SPECIALISMS = (
    "Caring for adults over 65 yrs", "Caring for adults under 65 yrs", "Dementia", "Learning disabilities",
    "Mental health conditions", "Physical disabilities", "Sensory impairment",
)  # fmt: skip
# Overall ratings per 100, from the Oldham registered homecare agencies (see the module docstring).
RATING_MIX = (
    (Rating.OUTSTANDING, 6),
    (Rating.GOOD, 41),
    (Rating.REQUIRES_IMPROVEMENT, 8),
    (Rating.INADEQUATE, 2),
    (Rating.NOT_YET_RATED, 43),
)
# Where the demo locations are: inside Leeds, just outside (within 5 miles), further away.
PLACEMENT_MIX = (("inside", 86), ("near", 10), ("far", 4))
SEED = 20250313


def _provider_names(rng: random.Random) -> list[str]:
    pool = [f"Demo: {place} {suffix}" for place in PLACES for suffix in SUFFIXES]
    pool = [name for name in pool if name not in ACCOUNT_PROVIDERS]
    rng.shuffle(pool)
    return [*ACCOUNT_PROVIDERS, *pool[: DEMO_PROVIDER_COUNT - len(ACCOUNT_PROVIDERS)]]


def _key_questions(overall: Rating, rng: random.Random) -> dict[KeyQuestion, Rating]:
    kqs = dict.fromkeys(KeyQuestion, Rating.GOOD)
    if overall is Rating.OUTSTANDING:
        for kq in rng.sample([KeyQuestion.CARING, KeyQuestion.RESPONSIVE, KeyQuestion.WELL_LED], 2):
            kqs[kq] = Rating.OUTSTANDING
    elif overall is Rating.GOOD:
        roll = rng.random()
        if roll < 0.15:
            kqs[rng.choice([KeyQuestion.SAFE, KeyQuestion.WELL_LED])] = Rating.REQUIRES_IMPROVEMENT
        elif roll < 0.30:
            kqs[rng.choice([KeyQuestion.CARING, KeyQuestion.RESPONSIVE])] = Rating.OUTSTANDING
    elif overall is Rating.REQUIRES_IMPROVEMENT:
        kqs[KeyQuestion.SAFE] = kqs[KeyQuestion.WELL_LED] = Rating.REQUIRES_IMPROVEMENT
    elif overall is Rating.INADEQUATE:
        kqs = dict.fromkeys(KeyQuestion, Rating.REQUIRES_IMPROVEMENT)
        kqs[KeyQuestion.SAFE] = kqs[KeyQuestion.WELL_LED] = Rating.INADEQUATE
    return kqs


def _candidate_postcodes(path: Path) -> dict[str, list[tuple[str, float, float]]]:
    """Real postcodes sorted into inside Leeds, within 5 miles outside, and 5-15 miles away."""
    boundary = council_boundary()
    found: dict[str, list[tuple[str, float, float]]] = {"inside": [], "near": [], "far": []}
    with path.open(encoding="utf-8", newline="") as handle:
        for line, row in enumerate(csv.DictReader(handle)):
            if line % 25:  # every 25th postcode is plenty to choose from, and 25 times quicker
                continue
            point = GeoPoint(float(row["lat"]), float(row["lon"]))
            miles = boundary.distance_miles(point)
            kind = "inside" if miles == 0 else "near" if miles <= 5 else "far" if miles <= 15 else None
            if kind:
                found[kind].append((row["postcode"], point.lat, point.lon))
    return found


def _local_authority(point: GeoPoint, neighbours: list[CouncilBoundary]) -> str:
    return next((b.name for b in neighbours if b.contains(point)), "")


def _neighbours(path: Path) -> list[CouncilBoundary]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return [CouncilBoundary.from_geojson(feature) for feature in data["features"]]


def demo_location_records() -> list[LocationRecord]:
    """The demo providers' CQC-shaped records, the same every time (fixed seed)."""
    data = Path(settings.HOMECARE_DATA_DIR)
    rng = random.Random(SEED)  # noqa: S311 - demo data, not security
    names = _provider_names(rng)
    overalls = [rating for rating, count in RATING_MIX for _ in range(count)]
    rng.shuffle(overalls)
    places = [kind for kind, count in PLACEMENT_MIX for _ in range(count)]
    rng.shuffle(places)
    candidates = _candidate_postcodes(data / "postcodes" / "leeds_region_postcodes.csv")
    neighbours = _neighbours(data / "boundaries" / "leeds_and_neighbours_lad_2013.geojson")
    records = []
    for number, (name, overall, place) in enumerate(zip(names, overalls, places, strict=True), start=1):
        postcode, lat, lon = rng.choice(candidates[place])
        registered = date(2012, 1, 1) + timedelta(days=rng.randrange(365 * 12))
        current = None
        if overall is not Rating.NOT_YET_RATED:
            report_date = max(registered + timedelta(days=300), date(2019, 1, 1)) + timedelta(days=rng.randrange(1500))
            report_date = min(report_date, date(2025, 3, 1))
            current = RatingRecord(CqcRatings(overall, _key_questions(overall, rng), report_date))
        else:
            registered = date(2022, 1, 1) + timedelta(days=rng.randrange(365 * 3))
        service_types = ("Homecare agencies", "Supported living") if rng.random() < 0.2 else ("Homecare agencies",)
        records.append(
            LocationRecord(
                location_id=f"DEMO-L-{number:03d}",
                provider_id=f"DEMO-P-{number:03d}",
                provider_name=name,
                name=name,
                registration_status=RegistrationStatus.REGISTERED,
                registration_date=registered,
                is_dormant=False,
                is_care_home=False,
                location_type="Social Care Org",
                inspection_directorate="Adult social care",
                service_types=service_types,
                regulated_activities=("Personal care",),
                specialisms=tuple(sorted(rng.sample(SPECIALISMS, rng.randint(2, 5)))),
                address_line1=f"Unit {rng.randint(1, 40)}, Demo House",
                town=postcode.split(" ")[0],
                postcode=postcode,
                latitude=lat,
                longitude=lon,
                local_authority=_local_authority(GeoPoint(lat, lon), neighbours),
                region="Yorkshire and The Humber",
                current_rating=current,
            )
        )
    return records


def _add_earlier_ratings(records: list[LocationRecord], rng: random.Random) -> int:
    """Give about one rated demo location in five an earlier rating, so the history table has rows."""
    added = 0
    for record in records:
        if record.current_rating is None or rng.random() > 0.2:
            continue
        now = record.current_rating.ratings
        earlier_overall = Rating.REQUIRES_IMPROVEMENT if now.overall is not Rating.REQUIRES_IMPROVEMENT else Rating.GOOD
        earlier_date = (now.report_date or date(2022, 1, 1)) - timedelta(days=2 * 365)
        earlier = CqcRatings(earlier_overall, _key_questions(earlier_overall, rng), earlier_date)
        location = CqcLocation.objects.get(location_id=record.location_id)
        kq = earlier.key_questions
        _, created = CqcRating.objects.get_or_create(
            location=location,
            fingerprint=rating_fingerprint(earlier),
            defaults={
                "overall": earlier.overall.value,
                "safe": kq[KeyQuestion.SAFE].value,
                "effective": kq[KeyQuestion.EFFECTIVE].value,
                "caring": kq[KeyQuestion.CARING].value,
                "responsive": kq[KeyQuestion.RESPONSIVE].value,
                "well_led": kq[KeyQuestion.WELL_LED].value,
                "report_date": earlier.report_date,
                "source": CqcImportRun.Source.DEMO,
            },
        )
        added += created
    return added


def load_demo_providers(*, stdout: OutputWrapper) -> None:
    """Load postcodes (if not yet), the Leeds wards and areas, and the demo providers with CQC records."""
    data = Path(settings.HOMECARE_DATA_DIR)
    if not data.is_dir():
        raise FileNotFoundError(f"The demo needs the real public data in {data} (set HOMECARE_DATA_DIR).")
    if not Postcode.objects.filter(outward__startswith="LS").exists():
        postcode_districts_load(path=data / "postcodes" / "uk_postcode_district_centroids.csv")
        count = postcodes_load(path=data / "postcodes" / "leeds_region_postcodes.csv")
        stdout.write(f"Postcodes: {count} loaded from the ONS extract.")
    areas = locality_areas_load_leeds(wards_path=data / "boundaries" / "leeds_wards_2013.geojson")
    records = demo_location_records()
    for record in records:
        Provider.objects.update_or_create(
            name=record.provider_name, defaults={"is_demo": True, "cqc_provider_id": record.provider_id}
        )
    run = cqc_records_import(records=records, source=CqcImportRun.Source.DEMO, description="Demo providers")
    earlier = _add_earlier_ratings(records, random.Random(SEED + 1))  # noqa: S311 - demo data
    stdout.write(
        f"Demo providers: {len(records)} fictional homecare providers at real Leeds-area postcodes "
        f"({run.created} new, {run.updated} updated, {run.unchanged} unchanged; {earlier} earlier ratings added); "
        f"{areas.areas_created} new locality areas from {areas.wards_created + areas.wards_updated} Leeds wards."
    )
