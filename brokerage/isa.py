"""The Individual Service Agreement as plain, validated data: what every entry route hands to the services.

The officer's web form, the case-management API, the CSV import and the demo all build an :class:`IsaData`
and hand it to the one entry service, ``brokerage.services.packages.package_enter``. Each boundary checks
shapes only (a date is a date, a choice is one of its choices); every rule, these below and those that need
the database (agreement, lot, postcode, area), is checked once, by ``isa_resolve``, and
``brokerage.entry_errors`` turns the failures into each route's field errors, so every route reports a bad
ISA alike. Errors are keyed by field path: ``person.postcode``, ``visits[2].window_end``.
"""

from __future__ import annotations

import hashlib
import json
from collections import Counter
from dataclasses import asdict, dataclass, field
from datetime import date, time, timedelta
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.utils import timezone

from brokerage.models import CarerGender, Funding, Skill
from contracts.models import Urgency
from homecare.boundary import control_character_problem

MINUTES_PER_HOUR = Decimal(60)

# Home care calls are usually up to four a day (morning, lunch, tea, bed); eight leaves room for
# night checks and split double-ups while refusing the runaway lists a broken export sends. Eight a day
# caps a week at 56 visits.
MAX_VISITS_PER_DAY = 8
MAX_VISITS = 7 * MAX_VISITS_PER_DAY
OLDEST_PERSON_YEARS = 120

# Every free-text field of an ISA and its longest value, by field path (the database columns' lengths, and
# 2,000 characters, about a page, for the brokerage team's notes to providers). Only the multi-line fields below
# may hold line breaks and tabs.
TEXT_LIMITS: dict[str, int] = {
    "source_system": 50,
    "external_reference": 100,
    "agreement_reference": 100,
    "locality_area_code": 50,
    "language": 50,
    "care_needs": 2000,
    "special_requirements": 2000,
    "postcode_override_reason": 500,
    "person.mosaic_person_id": 50,
    "person.given_name": 100,
    "person.family_name": 100,
    "person.address_line_1": 200,
    "person.address_line_2": 200,
    "person.town": 100,
    "person.postcode": 10,
    "person.phone": 30,
}
MULTILINE_FIELDS = frozenset({"care_needs", "special_requirements", "postcode_override_reason"})


@dataclass(frozen=True)
class VisitData:
    day_of_week: int
    window_start: time
    window_end: time
    duration_minutes: int
    carers: int = 1

    @property
    def carer_hours(self) -> Decimal:
        return Decimal(self.duration_minutes * self.carers) / MINUTES_PER_HOUR


@dataclass(frozen=True)
class PersonData:
    given_name: str
    family_name: str
    address_line_1: str
    postcode: str
    mosaic_person_id: str = ""
    date_of_birth: date | None = None
    address_line_2: str = ""
    town: str = ""
    phone: str = ""


@dataclass(frozen=True)
class IsaData:
    agreement_reference: str
    person: PersonData
    visits: tuple[VisitData, ...]
    requested_start_on: date
    urgency: str = Urgency.ROUTINE
    lot_number: int | None = None
    locality_area_code: str = ""
    hours_per_week: Decimal | None = None
    housing_with_care: bool = False
    required_skills: tuple[str, ...] = ()
    language: str = ""
    carer_gender: str = CarerGender.ANY
    # Care needs are shown to every provider offered the package; ``special_requirements`` holds access details
    # and private notes (a key safe code), shown only to the provider awarded it.
    care_needs: str = ""
    special_requirements: str = ""
    funding: str = Funding.COUNCIL
    source_system: str = "web"
    external_reference: str = ""
    # An officer (or an integrator, saying so) places a person whose postcode the ONS lookup does not hold
    # (a new-build street) at its district's centre; the reason is recorded on the package's audit trail.
    postcode_override_reason: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def visit_hours_per_week(self) -> Decimal:
        """Commissioned care hours: each carer on a double-handed call counts."""
        return sum((visit.carer_hours for visit in self.visits), start=Decimal(0)).quantize(Decimal("0.01"))

    def fingerprint(self) -> str:
        """A hash of the whole payload: resubmitting the same ISA matches, any changed field does not."""
        plain = asdict(self)
        plain["required_skills"] = sorted(self.required_skills)
        if not plain["care_needs"]:
            # Added later: ISAs received before it existed (and resent unchanged) keep their fingerprint.
            del plain["care_needs"]
        plain["visits"] = sorted(plain["visits"], key=lambda v: (v["day_of_week"], str(v["window_start"])))
        text = json.dumps(plain, sort_keys=True, default=str)
        return hashlib.sha256(text.encode()).hexdigest()


def visit_problems(visit: VisitData) -> dict[str, str]:
    """What is wrong with one visit's times, by field, in words for the person entering it."""
    if visit.window_end <= visit.window_start:
        return {"window_end": "The time window must end after it starts."}
    window_minutes = (visit.window_end.hour * 60 + visit.window_end.minute) - (
        visit.window_start.hour * 60 + visit.window_start.minute
    )
    if visit.duration_minutes > window_minutes:
        return {"duration_minutes": "The visit is longer than its time window."}
    return {}


def start_window(today: date) -> tuple[date, date]:
    """The earliest and latest requested start an ISA may have (settings HOMECARE_START_PAST_DAYS, a margin for
    back-dated hospital discharges, and HOMECARE_START_HORIZON_DAYS)."""
    return (
        today - timedelta(days=settings.HOMECARE_START_PAST_DAYS),
        today + timedelta(days=settings.HOMECARE_START_HORIZON_DAYS),
    )


def start_problem(start: date, *, earliest: date, latest: date) -> str | None:
    """What is wrong with a start date outside ``earliest``..``latest``, in words, or None."""
    if start < earliest:
        return f"The start date must be on or after {earliest:%d %B %Y}."
    if start > latest:
        return f"The start date must be on or before {latest:%d %B %Y}."
    return None


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February
        return day.replace(year=day.year - years, day=28)


def _text_fields(isa: IsaData) -> dict[str, str]:
    plain = asdict(isa)
    values = {name: plain[name] for name in TEXT_LIMITS if name in plain}
    values.update({f"person.{name}": value for name, value in plain["person"].items() if isinstance(value, str)})
    return values


def _visit_rules(visits: tuple[VisitData, ...], errors: dict[str, list[str]]) -> None:
    if not visits:
        errors.setdefault("visits", []).append("Add at least one visit.")
    if len(visits) > MAX_VISITS:
        errors.setdefault("visits", []).append(f"Enter at most {MAX_VISITS} visits a week ({len(visits)} sent).")
        return  # a runaway list: one message, not one per visit
    per_day = Counter(visit.day_of_week for visit in visits)
    if any(count > MAX_VISITS_PER_DAY for count in per_day.values()):
        errors.setdefault("visits", []).append(f"Enter at most {MAX_VISITS_PER_DAY} visits a day.")
    earlier_by_day: dict[int, list[int]] = {}
    for index, visit in enumerate(visits):
        for name, problem in visit_problems(visit).items():
            errors.setdefault(f"visits[{index}].{name}", []).append(problem)
        same_day = earlier_by_day.setdefault(visit.day_of_week, [])
        clash = next((other for other in same_day if _windows_overlap(visits[other], visit)), None)
        if clash is not None:
            errors.setdefault(f"visits[{index}].window_start", []).append(_clash_message(visits[clash], visit, clash))
        same_day.append(index)


DAY_NAMES = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def _windows_overlap(first: VisitData, second: VisitData) -> bool:
    # Windows that only touch (one ends at 09:00, the next starts at 09:00) are two visits one after another.
    return first.window_start < second.window_end and second.window_start < first.window_end


def _clash_message(earlier: VisitData, visit: VisitData, earlier_index: int) -> str:
    if (earlier.window_start, earlier.window_end) == (visit.window_start, visit.window_end):
        return (
            f"This visit repeats visit {earlier_index + 1} (the same day and time window): enter it once, "
            "with 2 carers if it is double-handed."
        )
    day = DAY_NAMES[visit.day_of_week] if visit.day_of_week in range(7) else "the same day"
    return (
        f"This visit's time window overlaps visit {earlier_index + 1} ({day} {earlier.window_start:%H:%M} to "
        f"{earlier.window_end:%H:%M}): visits on one day must not overlap. Change its times, or enter one visit "
        "with 2 carers if it is double-handed."
    )


def check_isa_rules(isa: IsaData, *, today: date | None = None) -> dict[str, list[str]]:
    """Rules across fields that need no database. Returns field -> messages (empty when valid)."""
    errors: dict[str, list[str]] = {}
    today = today or timezone.localdate()
    for path, value in _text_fields(isa).items():
        limit = TEXT_LIMITS[path]
        if len(value) > limit:
            errors.setdefault(path, []).append(f"Enter at most {limit:,} characters ({len(value):,} sent).")
        problem = control_character_problem(value, multiline=path in MULTILINE_FIELDS)
        if problem:
            errors.setdefault(path, []).append(problem)
    earliest, latest = start_window(today)
    problem = start_problem(isa.requested_start_on, earliest=earliest, latest=latest)
    if problem:
        errors.setdefault("requested_start_on", []).append(problem)
    born = isa.person.date_of_birth
    if born is not None and born > today:
        errors.setdefault("person.date_of_birth", []).append("The date of birth must be in the past.")
    elif born is not None and born < _years_before(today, OLDEST_PERSON_YEARS):
        errors.setdefault("person.date_of_birth", []).append(
            f"The date of birth must be within the last {OLDEST_PERSON_YEARS} years."
        )
    _visit_rules(isa.visits, errors)
    if isa.hours_per_week is not None and isa.visits and isa.hours_per_week != isa.visit_hours_per_week:
        errors.setdefault("hours_per_week", []).append(
            f"Hours per week ({isa.hours_per_week}) do not match the visits, which add up to "
            f"{isa.visit_hours_per_week} carer hours."
        )
    unknown_skills = sorted(set(isa.required_skills) - set(Skill.values))
    if unknown_skills:
        errors.setdefault("required_skills", []).append(f"Unknown needs: {', '.join(unknown_skills)}.")
    if isa.urgency not in Urgency.values:
        errors.setdefault("urgency", []).append(f"Choose one of: {', '.join(Urgency.values)}.")
    if isa.carer_gender not in CarerGender.values:
        errors.setdefault("carer_gender", []).append(f"Choose one of: {', '.join(CarerGender.values)}.")
    if isa.funding not in Funding.values:
        errors.setdefault("funding", []).append(f"Choose one of: {', '.join(Funding.values)}.")
    return errors
