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
from dataclasses import asdict, dataclass, field
from datetime import date, time
from decimal import Decimal
from typing import Any

from brokerage.models import CarerGender, Funding, Skill
from contracts.models import Urgency

MINUTES_PER_HOUR = Decimal(60)


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
    special_requirements: str = ""
    funding: str = Funding.COUNCIL
    source_system: str = "web"
    external_reference: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def visit_hours_per_week(self) -> Decimal:
        """Commissioned care hours: each carer on a double-handed call counts."""
        return sum((visit.carer_hours for visit in self.visits), start=Decimal(0)).quantize(Decimal("0.01"))

    def fingerprint(self) -> str:
        """A hash of the whole payload: resubmitting the same ISA matches, any changed field does not."""
        plain = asdict(self)
        plain["required_skills"] = sorted(self.required_skills)
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


def check_isa_rules(isa: IsaData) -> dict[str, list[str]]:
    """Rules across fields that need no database. Returns field -> messages (empty when valid)."""
    errors: dict[str, list[str]] = {}
    if not isa.visits:
        errors.setdefault("visits", []).append("Add at least one visit.")
    for index, visit in enumerate(isa.visits):
        for name, problem in visit_problems(visit).items():
            errors.setdefault(f"visits[{index}].{name}", []).append(problem)
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
