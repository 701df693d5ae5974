"""Read CQC's real formats into one neutral shape, :class:`LocationRecord`, before anything is saved.

Three sources are understood:

* the public API's ``GET /locations/{id}`` response (:func:`location_record_from_api`);
* CQC's bulk CSV files: the "care directory with filters" (HSCA Active Locations) sheet saved as CSV,
  optionally with the "Latest ratings" sheet for the key-question ratings, and the flattened extract
  in ``shared/data/cqc`` (:func:`read_location_csv`).

What real data contains, and how it is read:

* no ``currentRatings`` key: the location has no rating (new, or deregistered before one);
* "Inspected but not rated", "Insufficient evidence to rate", "Requires improvement" vs
  "Requires Improvement": handled by :meth:`Rating.parse`;
* key questions in any order: matched by name with :meth:`KeyQuestion.parse`;
* Single Assessment Framework ``assessment[].ratings.asgRatings[]``: used when it is newer than
  ``currentRatings.overall`` (or that is missing), preferring a homecare service group;
* ``historicRatings`` is not turned into history rows: CQC lists there only the key questions that a
  report re-rated, so a full rating set could only be guessed. History starts at the first import
  and grows whenever CQC publishes a new rating set.
"""

from __future__ import annotations

import csv
import io
import itertools
from collections.abc import Callable, Iterable, Iterator, Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from functools import partial
from pathlib import Path
from typing import Any

from homecare.uploads import TextFileRefused, read_text_file
from providers.quality import CqcRatings, KeyQuestion, Rating

HOMECARE_SERVICE_TYPE = "Homecare agencies"
# The directory CSV names service types by their description; this one is homecare.
DIRECTORY_HOMECARE_COLUMN = "Service type - Domiciliary care service"


class CqcFormatError(ValueError):
    """The input is not in a CQC format this importer understands; the message says what is wrong."""


@dataclass(frozen=True)
class RatingRecord:
    ratings: CqcRatings
    report_link_id: str = ""


@dataclass(frozen=True)
class LocationRecord:
    """One CQC location as a source describes it.

    ``ratings_known`` is False when the source says nothing about ratings (a directory CSV read
    without its ratings sheet): the importer then leaves the stored ratings alone. When it is True,
    ``current_rating`` None means CQC publishes no rating for the location.
    """

    location_id: str
    provider_id: str
    name: str
    registration_status: str
    provider_name: str = ""
    brand_name: str = ""
    location_type: str = ""
    registration_date: date | None = None
    deregistration_date: date | None = None
    is_dormant: bool | None = None
    is_care_home: bool | None = None
    inspection_directorate: str = ""
    service_types: tuple[str, ...] = ()
    regulated_activities: tuple[str, ...] = ()
    specialisms: tuple[str, ...] = ()
    address_line1: str = ""
    address_line2: str = ""
    town: str = ""
    county: str = ""
    postcode: str = ""
    latitude: float | None = None
    longitude: float | None = None
    local_authority: str = ""
    region: str = ""
    last_inspection_date: date | None = None
    last_report_publication_date: date | None = None
    ratings_known: bool = True
    current_rating: RatingRecord | None = field(default=None)
    # Where the record came from, e.g. "file.csv, line 552", for error messages; not part of its fingerprint.
    origin: str = field(default="", compare=False)

    @property
    def is_homecare_agency(self) -> bool:
        return HOMECARE_SERVICE_TYPE in self.service_types


def parse_date(text: Any) -> date | None:
    """CQC dates are ISO ("2019-06-28"), sometimes with a time; the directory sheets may use dd/mm/yyyy."""
    if text is None:
        return None
    value = str(text).strip()
    if not value:
        return None
    try:
        return date.fromisoformat(value[:10])
    except ValueError:
        pass
    try:
        day, month, year = value[:10].split("/")
        return date(int(year), int(month), int(day))
    except ValueError:
        raise CqcFormatError(f"Unrecognised date {text!r}.") from None


def _yes_no(text: Any) -> bool | None:
    value = str(text or "").strip().upper()
    if value in {"Y", "YES", "TRUE"}:
        return True
    if value in {"N", "NO", "FALSE"}:
        return False
    return None


def _float(text: Any) -> float | None:
    if text is None or str(text).strip() == "":
        return None
    return float(text)


def _text(value: Any) -> str:
    return "" if value is None else str(value).strip()


def _names(items: Any) -> tuple[str, ...]:
    return tuple(sorted({_text(item.get("name")) for item in items or [] if _text(item.get("name"))}))


# --- the public API ---------------------------------------------------------------------------------


def _ratings_block(overall: Mapping[str, Any], report_date: date | None) -> RatingRecord:
    key_questions = {
        KeyQuestion.parse(kq["name"]): Rating.parse(kq.get("rating")) for kq in overall.get("keyQuestionRatings") or []
    }
    return RatingRecord(
        ratings=CqcRatings(
            overall=Rating.parse(overall.get("rating")), key_questions=key_questions, report_date=report_date
        ),
        report_link_id=_text(overall.get("reportLinkId")),
    )


def _assessment_rating(data: Mapping[str, Any]) -> RatingRecord | None:
    """The current Single Assessment Framework rating, preferring a homecare service group."""
    current = [
        group
        for assessment in data.get("assessment") or []
        for group in (assessment.get("ratings") or {}).get("asgRatings") or []
        if _text(group.get("status")).lower() == "current" and _text(group.get("rating"))
    ]
    if not current:
        return None
    homecare = [g for g in current if any(w in _text(g.get("name")).lower() for w in ("homecare", "domiciliary"))]
    chosen = max(homecare or current, key=lambda g: _text(g.get("assessmentDate")))
    return _ratings_block(chosen, parse_date(chosen.get("assessmentDate")))


def _api_current_rating(data: Mapping[str, Any]) -> RatingRecord | None:
    current = data.get("currentRatings") or {}
    overall = current.get("overall")
    from_report = (
        _ratings_block(overall, parse_date(overall.get("reportDate") or current.get("reportDate"))) if overall else None
    )
    from_assessment = _assessment_rating(data)
    if from_assessment is None:
        return from_report
    if from_report is None:
        return from_assessment
    report_date = from_report.ratings.report_date or date.min
    assessment_date = from_assessment.ratings.report_date or date.min
    return from_assessment if assessment_date > report_date else from_report


def location_record_from_api(data: Mapping[str, Any], *, provider_name: str = "") -> LocationRecord:
    """Read one ``GET /locations/{id}`` response."""
    try:
        location_id = _text(data["locationId"])
        provider_id = _text(data["providerId"])
    except KeyError as missing:
        raise CqcFormatError(f"A CQC location response has no {missing} field.") from None
    return LocationRecord(
        location_id=location_id,
        provider_id=provider_id,
        provider_name=provider_name,
        name=_text(data.get("name")),
        brand_name=_text(data.get("brandName")),
        location_type=_text(data.get("type")),
        registration_status=_text(data.get("registrationStatus")),
        registration_date=parse_date(data.get("registrationDate")),
        deregistration_date=parse_date(data.get("deregistrationDate")),
        is_dormant=_yes_no(data.get("dormancy")),
        is_care_home=_yes_no(data.get("careHome")),
        inspection_directorate=_text(data.get("inspectionDirectorate")),
        service_types=_names(data.get("gacServiceTypes")),
        regulated_activities=_names(data.get("regulatedActivities")),
        specialisms=_names(data.get("specialisms")),
        address_line1=_text(data.get("postalAddressLine1")),
        address_line2=_text(data.get("postalAddressLine2")),
        town=_text(data.get("postalAddressTownCity")),
        county=_text(data.get("postalAddressCounty")),
        postcode=_text(data.get("postalCode")),
        latitude=_float(data.get("onspdLatitude")),
        longitude=_float(data.get("onspdLongitude")),
        local_authority=_text(data.get("localAuthority")),
        region=_text(data.get("region")),
        last_inspection_date=parse_date((data.get("lastInspection") or {}).get("date")),
        last_report_publication_date=parse_date((data.get("lastReport") or {}).get("publicationDate")),
        current_rating=_api_current_rating(data),
    )


# --- bulk CSV files ---------------------------------------------------------------------------------

EXTRACT_COLUMNS = frozenset({"location_id", "provider_id", "registration_status", "overall_rating", "well_led"})
DIRECTORY_COLUMNS = frozenset({"Location ID", "Provider ID", "Location Name", "Location Postal Code"})
RATINGS_COLUMNS = frozenset({"Location ID", "Domain", "Latest Rating", "Publication Date"})
# Recent directory sheets start with a notice of a few lines before the header.
MAX_PREAMBLE_LINES = 30


def _split(text: str) -> tuple[str, ...]:
    return tuple(sorted({part.strip() for part in (text or "").split("|") if part.strip()}))


def _extract_row(row: Mapping[str, str]) -> LocationRecord:
    """A row of the flattened extract (columns as in ``oldham_cqc_locations_2025-03.csv``)."""
    key_questions = {
        KeyQuestion.SAFE: row["safe"],
        KeyQuestion.EFFECTIVE: row["effective"],
        KeyQuestion.CARING: row["caring"],
        KeyQuestion.RESPONSIVE: row["responsive"],
        KeyQuestion.WELL_LED: row["well_led"],
    }
    has_rating = bool(_text(row["overall_rating"]))
    current = (
        RatingRecord(
            CqcRatings(
                overall=Rating.parse(row["overall_rating"]),
                key_questions={kq: Rating.parse(value) for kq, value in key_questions.items()},
                report_date=parse_date(row["rating_report_date"]),
            )
        )
        if has_rating
        else None
    )
    return LocationRecord(
        location_id=_text(row["location_id"]),
        provider_id=_text(row["provider_id"]),
        provider_name=_text(row.get("provider_name")),
        name=_text(row["name"]),
        brand_name=_text(row.get("brand_name")),
        location_type=_text(row.get("type")),
        registration_status=_text(row["registration_status"]),
        registration_date=parse_date(row.get("registration_date")),
        deregistration_date=parse_date(row.get("deregistration_date")),
        is_dormant=_yes_no(row.get("dormancy")),
        is_care_home=_yes_no(row.get("care_home")),
        inspection_directorate=_text(row.get("inspection_directorate")),
        service_types=_split(row.get("service_types", "")),
        specialisms=_split(row.get("specialisms", "")),
        address_line1=_text(row.get("address_line1")),
        town=_text(row.get("town")),
        postcode=_text(row.get("postcode")),
        latitude=_float(row.get("lat")),
        longitude=_float(row.get("lon")),
        local_authority=_text(row.get("local_authority")),
        region=_text(row.get("region")),
        last_inspection_date=parse_date(row.get("last_inspection_date")),
        last_report_publication_date=parse_date(row.get("last_report_publication_date")),
        current_rating=current,
    )


def _prefixed_flags(row: Mapping[str, str], prefix: str) -> tuple[str, ...]:
    return tuple(
        sorted(col[len(prefix) :].strip() for col, value in row.items() if col.startswith(prefix) and _yes_no(value))
    )


def _directory_row(row: Mapping[str, str], ratings: Mapping[str, RatingRecord | None] | None) -> LocationRecord:
    """A row of CQC's "care directory with filters" (HSCA Active Locations) sheet."""
    service_types = set(_prefixed_flags(row, "Service type - "))
    if _yes_no(row.get(DIRECTORY_HOMECARE_COLUMN)):
        # The directory names the service by its description; the API's name is what we store.
        service_types.discard("Domiciliary care service")
        service_types.add(HOMECARE_SERVICE_TYPE)
    location_id = _text(row["Location ID"])
    # Active-locations sheets list only registered locations; the deactivated sheet has a status and end date.
    end_date = parse_date(row.get("Location HSCA End Date"))
    status = _text(row.get("Location Status")) or ("Deregistered" if end_date else "Registered")
    if status.lower() in {"inactive", "deactivated", "deregistered"}:
        status = "Deregistered"
    elif status.lower() == "active":
        status = "Registered"
    return LocationRecord(
        location_id=location_id,
        provider_id=_text(row["Provider ID"]),
        provider_name=_text(row.get("Provider Name")),
        name=_text(row["Location Name"]),
        brand_name=_text(row.get("Brand Name")),
        location_type=_text(row.get("Location Type/Sector")),
        registration_status=status,
        registration_date=parse_date(row.get("Location HSCA start date")),
        deregistration_date=end_date,
        is_dormant=_yes_no(row.get("Dormant (Y/N)")),
        is_care_home=_yes_no(row.get("Care home?")),
        inspection_directorate=_text(row.get("Location Inspection Directorate")),
        service_types=tuple(sorted(service_types)),
        regulated_activities=_prefixed_flags(row, "Regulated activity - "),
        specialisms=_prefixed_flags(row, "Service user band - "),
        address_line1=_text(row.get("Location Street Address")),
        address_line2=_text(row.get("Location Address Line 2")),
        town=_text(row.get("Location City")),
        county=_text(row.get("Location County")),
        postcode=_text(row.get("Location Postal Code")),
        latitude=_float(row.get("Location Latitude")),
        longitude=_float(row.get("Location Longitude")),
        local_authority=_text(row.get("Location Local Authority")),
        region=_text(row.get("Location Region")),
        ratings_known=ratings is not None,
        current_rating=None if ratings is None else ratings.get(location_id),
    )


def read_latest_ratings_csv(rows: Iterable[Mapping[str, str]]) -> dict[str, RatingRecord | None]:
    """Read CQC's "Latest ratings" sheet (one row per location, service group and domain).

    Only location-level rows ("Service / Population Group" = "Overall") are used.
    """
    overall: dict[str, tuple[str, date | None]] = {}
    key_questions: dict[str, dict[KeyQuestion, Rating]] = {}
    for row in rows:
        if _text(row.get("Service / Population Group", "Overall")).lower() != "overall":
            continue
        location_id = _text(row["Location ID"])
        domain = _text(row["Domain"])
        if domain.lower() == "overall":
            overall[location_id] = (row["Latest Rating"], parse_date(row.get("Publication Date")))
        else:
            key_questions.setdefault(location_id, {})[KeyQuestion.parse(domain)] = Rating.parse(row["Latest Rating"])
    result: dict[str, RatingRecord | None] = {}
    for location_id in overall.keys() | key_questions.keys():
        rating_text, published = overall.get(location_id, ("", None))
        ratings = CqcRatings(Rating.parse(rating_text), key_questions.get(location_id, {}), published)
        result[location_id] = RatingRecord(ratings) if ratings.overall is not Rating.NOT_YET_RATED else None
    return result


def _from_header(lines: Iterator[str], path: Path) -> tuple[Iterator[str], int]:
    """Skip any notice CQC puts above the header (recent directory sheets have one); returns the lines
    from the header on, and how many lines were skipped."""
    for skipped, line in enumerate(lines):
        if "Location ID" in line or "location_id" in line:
            return itertools.chain([line], lines), skipped
        if skipped >= MAX_PREAMBLE_LINES:
            break
    raise CqcFormatError(f"{path.name}: no header row with a 'Location ID' column in its first lines.")


def _lines(path: Path) -> Iterator[str]:
    """The file's lines, in whichever encoding Excel saved it (``homecare.uploads``), within the size limit."""
    try:
        text = read_text_file(path)
    except TextFileRefused as problem:
        raise CqcFormatError(str(problem)) from problem
    return iter(io.StringIO(text, newline=""))


def read_location_csv(path: Path, *, ratings_path: Path | None = None) -> Iterator[LocationRecord]:
    """Records from a CQC bulk CSV, whichever supported shape it has (decided from its header).

    Each record carries its line in the file (``source_line``), so an import can say where it stopped.
    """
    ratings = None
    if ratings_path is not None:
        reader = csv.DictReader(_from_header(_lines(ratings_path), ratings_path)[0])
        missing = RATINGS_COLUMNS - set(reader.fieldnames or [])
        if missing:
            raise CqcFormatError(f"{ratings_path.name} is not CQC's latest ratings sheet: no {sorted(missing)}.")
        ratings = read_latest_ratings_csv(reader)
    lines, skipped = _from_header(_lines(path), path)
    reader = csv.DictReader(lines)
    columns = set(reader.fieldnames or [])
    if columns >= EXTRACT_COLUMNS:
        read_row: Callable[[Mapping[str, str]], LocationRecord] = _extract_row
    elif columns >= DIRECTORY_COLUMNS:
        read_row = partial(_directory_row, ratings=ratings)
    else:
        raise CqcFormatError(
            f"{path.name} is not a CQC locations CSV this importer knows: expected the care directory "
            f"columns {sorted(DIRECTORY_COLUMNS)} or the extract columns {sorted(EXTRACT_COLUMNS)}."
        )
    for line, row in enumerate(reader, start=2 + skipped):
        try:
            yield replace(read_row(row), origin=f"{path.name}, line {line}")
        except (ValueError, KeyError) as problem:
            raise CqcFormatError(f"{path.name}, line {line}: {problem}") from problem
