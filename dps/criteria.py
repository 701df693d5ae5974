"""The published DPS entry criteria and their automatic evaluation, over plain data (no ORM).

An application names the CQC locations the provider will deliver from and makes three declarations.
The criteria, in the order they are published:

1. **CQC registered for homecare**: every location named is CQC-registered with the "Homecare agencies"
   service type (and at least one is named).
2. **CQC rating**: every location named is rated Requires improvement or better with no Inadequate key
   question, or is not yet rated (:func:`providers.quality.cqc_dps_eligibility`).
3. **Near the council**: at least one CQC-registered location named is within 5 miles of the council
   boundary (inside counts as 0 miles).
4. to 6. **Declarations**: each one made.

The result for each criterion carries its evidence (the facts it looked at) so an officer, and later a
challenge, can see why it passed or failed.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from enum import StrEnum
from typing import Any, Protocol

from providers.geography import CouncilBoundary, GeoPoint
from providers.quality import CqcRatings, Rating, cqc_dps_eligibility

BOUNDARY_MILES = 5.0
REGISTERED = "Registered"


class Criterion(StrEnum):
    CQC_REGISTERED_HOMECARE = "cqc_registered_homecare"
    CQC_RATING = "cqc_rating"
    NEAR_BOUNDARY = "near_boundary"
    DECLARES_CONTRACT_COMPLIANCE = "declares_contract_compliance"
    DECLARES_STAFF_PAY_PASSED_ON = "declares_staff_pay_passed_on"
    DECLARES_FEE_RATES_ACCEPTED = "declares_fee_rates_accepted"


@dataclass(frozen=True)
class PublishedCriterion:
    criterion: Criterion
    title: str
    description: str


PUBLISHED_CRITERIA: tuple[PublishedCriterion, ...] = (
    PublishedCriterion(
        Criterion.CQC_REGISTERED_HOMECARE,
        "CQC registered for homecare",
        "Every location in the application is registered with the Care Quality Commission for the "
        '"Homecare agencies" service type.',
    ),
    PublishedCriterion(
        Criterion.CQC_RATING,
        "CQC rating",
        "Every location is rated Requires improvement or better with no Inadequate key question, "
        "or has not yet been rated.",
    ),
    PublishedCriterion(
        Criterion.NEAR_BOUNDARY,
        f"A registered location within {BOUNDARY_MILES:g} miles of the council boundary",
        f"At least one CQC-registered location in the application is inside the council area or within "
        f"{BOUNDARY_MILES:g} miles of its boundary.",
    ),
    PublishedCriterion(
        Criterion.DECLARES_CONTRACT_COMPLIANCE,
        "Declaration: comply with the contract",
        "The provider declares it will comply with the terms of the contract.",
    ),
    PublishedCriterion(
        Criterion.DECLARES_STAFF_PAY_PASSED_ON,
        "Declaration: pass on the staff-pay element",
        "The provider declares it will pass the whole staff-pay element of the fee rate to its care workers.",
    ),
    PublishedCriterion(
        Criterion.DECLARES_FEE_RATES_ACCEPTED,
        "Declaration: accept the council's fee rates",
        "The provider declares it accepts the council's fee rates.",
    ),
)
CRITERION_TITLES = {published.criterion: published.title for published in PUBLISHED_CRITERIA}
DECLARATION_CRITERIA = (
    Criterion.DECLARES_CONTRACT_COMPLIANCE,
    Criterion.DECLARES_STAFF_PAY_PASSED_ON,
    Criterion.DECLARES_FEE_RATES_ACCEPTED,
)


@dataclass(frozen=True)
class LocationFacts:
    """What the criteria need to know about one CQC location."""

    location_id: str
    name: str
    registration_status: str
    is_homecare_agency: bool
    ratings: CqcRatings
    point: GeoPoint | None
    postcode: str = ""
    local_authority: str = ""

    @property
    def is_registered(self) -> bool:
        return self.registration_status == REGISTERED


@dataclass(frozen=True)
class ApplicationFacts:
    locations: tuple[LocationFacts, ...]
    declarations: dict[Criterion, bool] = field(default_factory=dict)


@dataclass(frozen=True)
class CriterionCheck:
    criterion: Criterion
    title: str
    passed: bool
    reason: str
    evidence: dict[str, Any]


class NearnessTest(Protocol):
    """How "within 5 miles of the council boundary" is decided for one location."""

    description: str

    def check(self, location: LocationFacts) -> tuple[bool, str, dict[str, Any]]: ...


class BoundaryDistance:
    """The real test: distance from the location to the council's boundary polygon."""

    def __init__(self, boundary: CouncilBoundary, miles: float = BOUNDARY_MILES) -> None:
        self.boundary = boundary
        self.miles = miles
        self.description = f"Distance to the {boundary.name or 'council'} boundary (ONS boundary polygon)"

    def check(self, location: LocationFacts) -> tuple[bool, str, dict[str, Any]]:
        if location.point is None:
            return False, f"{location.name} has no coordinates on its CQC record.", {"distance_miles": None}
        distance = self.boundary.distance_miles(location.point)
        evidence = {"distance_miles": round(distance, 2), "limit_miles": self.miles}
        if distance == 0:
            return True, f"{location.name} is inside the council area.", evidence
        if distance <= self.miles:
            return True, f"{location.name} is {distance:.1f} miles from the boundary.", evidence
        return False, f"{location.name} is {distance:.1f} miles from the boundary (limit {self.miles:g}).", evidence


class LocalAuthorityApproximation:
    """A stand-in where no boundary polygon is available: the location's CQC local authority is the council.

    It is stricter than the real rule (a location just over the boundary fails), so say so wherever used.
    """

    def __init__(self, local_authorities: Sequence[str]) -> None:
        self.local_authorities = {name.strip().lower() for name in local_authorities}
        self.description = "Approximation: the location's CQC local authority is " + " or ".join(
            sorted(local_authorities)
        )

    def check(self, location: LocationFacts) -> tuple[bool, str, dict[str, Any]]:
        evidence = {"local_authority": location.local_authority, "approximation": True}
        if location.local_authority.strip().lower() in self.local_authorities:
            return True, f"{location.name} is in {location.local_authority} (local-authority approximation).", evidence
        where = location.local_authority or "no local authority on record"
        return False, f"{location.name} is in {where}, outside the council (local-authority approximation).", evidence


def _location_evidence(location: LocationFacts) -> dict[str, Any]:
    return {
        "location_id": location.location_id,
        "name": location.name,
        "registration_status": location.registration_status,
        "is_homecare_agency": location.is_homecare_agency,
    }


def _registration_problem(location: LocationFacts) -> str:
    if not location.is_registered:
        return (location.registration_status or "not registered").lower() + " with CQC"
    return "not registered for the Homecare agencies service type"


def _check_registered(facts: ApplicationFacts) -> CriterionCheck:
    evidence = {"locations": [_location_evidence(loc) for loc in facts.locations]}
    criterion = Criterion.CQC_REGISTERED_HOMECARE
    if not facts.locations:
        return CriterionCheck(criterion, CRITERION_TITLES[criterion], False, "No CQC location was named.", evidence)
    failing = [
        f"{loc.name} ({loc.location_id}) is {_registration_problem(loc)}"
        for loc in facts.locations
        if not (loc.is_registered and loc.is_homecare_agency)
    ]
    if failing:
        return CriterionCheck(criterion, CRITERION_TITLES[criterion], False, "; ".join(failing) + ".", evidence)
    names = ", ".join(loc.name for loc in facts.locations)
    reason = f"CQC-registered homecare agency: {names}."
    return CriterionCheck(criterion, CRITERION_TITLES[criterion], True, reason, evidence)


def _inadequate_key_questions(location: LocationFacts) -> str:
    """Name the Inadequate key questions too when the overall rating is the headline reason."""
    if location.ratings.overall is not Rating.INADEQUATE:
        return ""
    names = [kq.value for kq, rating in location.ratings.key_questions.items() if rating is Rating.INADEQUATE]
    return f" Inadequate key questions: {', '.join(names)}." if names else ""


def _check_rating(facts: ApplicationFacts) -> CriterionCheck:
    criterion = Criterion.CQC_RATING
    outcomes = [(loc, cqc_dps_eligibility(loc.ratings)) for loc in facts.locations]
    evidence = {
        "locations": [
            {
                "location_id": loc.location_id,
                "overall": loc.ratings.overall.value,
                "key_questions": {kq.value: rating.value for kq, rating in loc.ratings.key_questions.items()},
                "report_date": loc.ratings.report_date.isoformat() if loc.ratings.report_date else None,
                "passed": outcome.passed,
            }
            for loc, outcome in outcomes
        ]
    }
    if not outcomes:
        return CriterionCheck(criterion, CRITERION_TITLES[criterion], False, "No CQC location was named.", evidence)
    failing = [
        f"{loc.name}: {outcome.reason}{_inadequate_key_questions(loc)}"
        for loc, outcome in outcomes
        if not outcome.passed
    ]
    if failing:
        return CriterionCheck(criterion, CRITERION_TITLES[criterion], False, " ".join(failing), evidence)
    reason = " ".join(f"{loc.name}: {outcome.reason}" for loc, outcome in outcomes)
    return CriterionCheck(criterion, CRITERION_TITLES[criterion], True, reason, evidence)


def _check_near(facts: ApplicationFacts, nearness: NearnessTest) -> CriterionCheck:
    criterion = Criterion.NEAR_BOUNDARY
    checked: list[dict[str, Any]] = []
    reasons: list[tuple[bool, str]] = []
    passed_any = False
    for loc in facts.locations:
        if not loc.is_registered:
            checked.append({"location_id": loc.location_id, "skipped": "not CQC-registered"})
            continue
        passed, reason, evidence = nearness.check(loc)
        passed_any = passed_any or passed
        reasons.append((passed, reason))
        checked.append({"location_id": loc.location_id, "passed": passed, **evidence})
    evidence_all: dict[str, Any] = {"method": nearness.description, "locations": checked}
    if passed_any:
        reason = " ".join(text for ok, text in reasons if ok)
        return CriterionCheck(criterion, CRITERION_TITLES[criterion], True, reason, evidence_all)
    reason = "No CQC-registered location was named." if not reasons else " ".join(text for _, text in reasons)
    return CriterionCheck(criterion, CRITERION_TITLES[criterion], False, reason, evidence_all)


def _check_declaration(facts: ApplicationFacts, criterion: Criterion) -> CriterionCheck:
    made = bool(facts.declarations.get(criterion, False))
    title = CRITERION_TITLES[criterion]
    reason = "Declaration made." if made else "This declaration was not made."
    return CriterionCheck(criterion, title, made, reason, {"declared": made})


def evaluate(facts: ApplicationFacts, nearness: NearnessTest) -> list[CriterionCheck]:
    """Every published criterion, in published order, each with pass/fail, reason and evidence."""
    return [
        _check_registered(facts),
        _check_rating(facts),
        _check_near(facts, nearness),
        _check_declaration(facts, Criterion.DECLARES_CONTRACT_COMPLIANCE),
        _check_declaration(facts, Criterion.DECLARES_STAFF_PAY_PASSED_ON),
        _check_declaration(facts, Criterion.DECLARES_FEE_RATES_ACCEPTED),
    ]
