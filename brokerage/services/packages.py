"""Writes for care packages: entry (web, API, CSV), submission to brokering, cancellation, care start and end."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from brokerage.events import package_event
from brokerage.isa import IsaData, check_isa_rules
from brokerage.models import CarePackage, Offer, PersonDetails, Visit
from brokerage.services.brokering import BROKER_PACKAGE_TASK, award_locked
from brokerage.services.history import Actor, offer_transition, package_transition
from contracts.costing import NoRateInForce, hours_by_service_type, week_cost_by_type
from contracts.models import Agreement, AllocationPolicy, Lot
from contracts.selectors import fee_rate_steps, urgency_terms
from homecare.audit.actions import AuditAction
from homecare.audit.services import audit_record
from homecare.queue import enqueue_on_commit
from homecare.webhooks.kinds import EventKind
from providers.geography import GeoPoint, district_point, locality_area_for, normalise_postcode, postcode_point
from providers.models import LocalityArea, Provider


class IsaInvalid(Exception):
    """The ISA breaks rules; ``errors`` maps each field to every message about it."""

    def __init__(self, errors: dict[str, list[str]]) -> None:
        super().__init__("; ".join(f"{name}: {' '.join(messages)}" for name, messages in errors.items()))
        self.errors = errors


class IsaConflict(Exception):
    """The external reference is already used by a package with different details."""

    def __init__(self, package: CarePackage) -> None:
        super().__init__(
            f"{package.source_system} reference {package.external_reference!r} is already {package.reference} "
            "with different details. Send a new reference, or ask the brokerage team to amend the package."
        )
        self.package = package


class PackageStateError(Exception):
    """The package is not in a state that allows this action; the message says why, for the user."""


@dataclass(frozen=True)
class ResolvedIsa:
    """An ISA with its database references looked up and its derived facts worked out."""

    isa: IsaData
    agreement: Agreement
    lot: Lot | None
    locality_area: LocalityArea
    postcode: str
    postcode_district: str
    latitude: float
    longitude: float
    hours_per_week: Decimal
    weekly_cost: Decimal | None
    # True when the postcode is not in the ONS lookup and the person is placed at its district's centre.
    placed_by_district: bool = False


@dataclass
class _References:
    """The database rows an ISA names, found or not; ``errors`` says what was not, by field path."""

    errors: dict[str, list[str]]
    agreement: Agreement | None = None
    lot: Lot | None = None
    postcode: str = ""
    point: GeoPoint | None = None
    area: LocalityArea | None = None


def _references(
    *,
    agreement_reference: str,
    lot_number: int | None,
    postcode: str | None,
    locality_area_code: str,
    postcode_override_reason: str = "",
) -> _References:
    """Look up what an ISA refers to. Each check runs on its own, so a partly malformed ISA still gets them."""
    found = _References(errors={})
    errors = found.errors
    found.agreement = Agreement.objects.filter(reference=agreement_reference).first()
    if found.agreement is None:
        errors.setdefault("agreement_reference", []).append(f"No agreement has the reference {agreement_reference!r}.")
    elif lot_number is not None:
        found.lot = Lot.objects.filter(agreement=found.agreement, number=lot_number).first()
        if found.lot is None:
            errors.setdefault("lot_number", []).append(f"{found.agreement.reference} has no lot {lot_number}.")
    if (
        found.agreement is not None
        and found.agreement.allocation_policy == AllocationPolicy.LEAD_PROVIDER_FIRST
        and found.lot is None
    ):
        errors.setdefault("lot_number", []).append("This agreement gives lead providers first refusal: choose the lot.")
    if postcode is not None:
        try:
            found.postcode = normalise_postcode(postcode)
        except ValidationError as error:
            errors.setdefault("person.postcode", []).extend(error.messages)
        if found.postcode:
            found.point = _locate(found.postcode, override_reason=postcode_override_reason, errors=errors)
    if locality_area_code:
        found.area = LocalityArea.objects.filter(code=locality_area_code).first()
        if found.area is None:
            errors.setdefault("locality_area_code", []).append(f"No locality area has the code {locality_area_code!r}.")
    elif found.point is not None:
        found.area = locality_area_for(found.postcode)
        if found.area is None:
            errors.setdefault("locality_area_code", []).append(
                f"{found.postcode} is not in any of the council's locality areas: choose the area."
            )
    return found


def _locate(postcode: str, *, override_reason: str, errors: dict[str, list[str]]) -> GeoPoint | None:
    """The person's place: their postcode in the ONS lookup, or (only with a reason) its district's centre."""
    point = postcode_point(postcode)
    if point is not None:
        return point
    district = postcode.split(" ")[0]
    if not override_reason.strip():
        errors.setdefault("person.postcode", []).append(
            f"We cannot find the postcode {postcode} in the ONS postcode lookup. Check it; if it is right but new, "
            f"give a reason to place the person by its district ({district}) instead."
        )
        return None
    point = district_point(postcode)
    if point is None:
        errors.setdefault("person.postcode", []).append(f"We cannot find the postcode district {district} either.")
    return point


def isa_reference_errors(
    *,
    agreement_reference: str | None,
    lot_number: int | None,
    postcode: str | None,
    locality_area_code: str,
    postcode_override_reason: str = "",
) -> dict[str, list[str]]:
    """The database checks of ``isa_resolve`` alone, for an ISA whose other fields are malformed, so a route
    can report every error at once. ``None`` skips a field that is itself malformed."""
    if agreement_reference is None:
        # Without an agreement there is no lot to look up; the postcode and area are still checked.
        found = _references(
            agreement_reference="",
            lot_number=None,
            postcode=postcode,
            locality_area_code="",
            postcode_override_reason=postcode_override_reason,
        )
        found.errors.pop("agreement_reference", None)
        return found.errors
    return _references(
        agreement_reference=agreement_reference,
        lot_number=lot_number,
        postcode=postcode,
        locality_area_code=locality_area_code,
        postcode_override_reason=postcode_override_reason,
    ).errors


def isa_resolve(isa: IsaData) -> ResolvedIsa:
    """Check every rule of an ISA, shape and database alike, and raise IsaInvalid listing all failures."""
    errors = check_isa_rules(isa)
    found = _references(
        agreement_reference=isa.agreement_reference,
        lot_number=isa.lot_number,
        postcode=isa.person.postcode,
        locality_area_code=isa.locality_area_code,
        postcode_override_reason=isa.postcode_override_reason,
    )
    for name, messages in found.errors.items():
        errors.setdefault(name, []).extend(messages)
    if errors:
        raise IsaInvalid(errors)
    agreement, area, point = found.agreement, found.area, found.point
    assert agreement is not None and area is not None and point is not None  # noqa: S101 - narrowed by errors
    hours = isa.hours_per_week if isa.hours_per_week is not None else isa.visit_hours_per_week
    return ResolvedIsa(
        isa=isa,
        agreement=agreement,
        lot=found.lot,
        locality_area=area,
        postcode=found.postcode,
        postcode_district=found.postcode.split(" ")[0],
        latitude=point.lat,
        longitude=point.lon,
        hours_per_week=hours,
        # The start is within the rules' window, so costing never sees a date near the calendar's end.
        weekly_cost=isa_weekly_cost(isa, agreement=agreement, week_start=isa.requested_start_on),
        placed_by_district=point.precision == "district",
    )


def isa_weekly_cost(isa: IsaData, *, agreement: Agreement, week_start: date) -> Decimal | None:
    """The week's cost from ``week_start`` at the fee rates in force (the one costing rule in
    ``contracts.costing``); None while a rate it needs is not set."""
    rates = fee_rate_steps(agreement=agreement)
    hours = hours_by_service_type(isa.visits, housing_with_care=isa.housing_with_care, rated_types=rates)
    try:
        return week_cost_by_type(week_start=week_start, hours=hours, rates=rates)
    except NoRateInForce:
        return None


def _placement_deadline(package: CarePackage, submitted_at: datetime) -> datetime | None:
    # In clock or working hours, as the agreement sets for the urgency.
    return urgency_terms(agreement=package.agreement, urgency=package.urgency).placement_deadline(submitted_at)


def _package_create(*, resolved: ResolvedIsa, created_by: Actor, fingerprint: str) -> CarePackage:
    """Save a draft package, its person and its visits from a resolved ISA (inside ``package_enter``)."""
    isa = resolved.isa
    user = created_by if created_by is not None and created_by.is_authenticated else None
    package = CarePackage.objects.create(
        source_system=isa.source_system,
        external_reference=isa.external_reference,
        idempotency_key=fingerprint,
        agreement=resolved.agreement,
        lot=resolved.lot,
        locality_area=resolved.locality_area,
        postcode_district=resolved.postcode_district,
        latitude=resolved.latitude,
        longitude=resolved.longitude,
        hours_per_week=resolved.hours_per_week,
        requested_start_on=isa.requested_start_on,
        urgency=isa.urgency,
        housing_with_care=isa.housing_with_care,
        required_skills=sorted(isa.required_skills),
        language=isa.language,
        carer_gender=isa.carer_gender,
        care_needs=isa.care_needs,
        special_requirements=isa.special_requirements,
        funding=isa.funding,
        weekly_cost=resolved.weekly_cost,
        created_at=timezone.now(),
        created_by=user,
    )
    person = isa.person
    PersonDetails.objects.create(
        package=package,
        mosaic_person_id=person.mosaic_person_id,
        given_name=person.given_name,
        family_name=person.family_name,
        date_of_birth=person.date_of_birth,
        address_line_1=person.address_line_1,
        address_line_2=person.address_line_2,
        town=person.town,
        postcode=resolved.postcode,
        phone=person.phone,
    )
    Visit.objects.bulk_create(
        Visit(
            package=package,
            day_of_week=visit.day_of_week,
            window_start=visit.window_start,
            window_end=visit.window_end,
            duration_minutes=visit.duration_minutes,
            carers=visit.carers,
        )
        for visit in isa.visits
    )
    package_transition(
        package=package,
        to_status=CarePackage.Status.DRAFT,
        actor=created_by,
        summary=f"ISA entered ({isa.source_system}{' ' + isa.external_reference if isa.external_reference else ''})",
    )
    if resolved.placed_by_district:
        audit_record(
            actor=created_by,
            action=AuditAction.PACKAGE_LOCATED_BY_DISTRICT,
            target=package,
            summary=f"{package.reference}: {resolved.postcode} is not in the ONS postcode lookup; "
            f"placed at the centre of {resolved.postcode_district}",
            reason=isa.postcode_override_reason,
            data={"postcode_district": resolved.postcode_district},
        )
    return package


@transaction.atomic
def package_submit(*, package_id: int, submitted_by: Actor) -> CarePackage:
    """Send a draft package to market: round 1 of brokering starts once the transaction commits.

    ``next_action_at`` is set to now, so if the queued message is lost (or the broker is down) the beat
    sweep still starts it.
    """
    package = CarePackage.objects.select_for_update().get(pk=package_id)
    if package.status != CarePackage.Status.DRAFT:
        raise PackageStateError(f"{package.reference} has already been submitted.")
    now = timezone.now()
    package.submitted_at = now
    package.round_number = 1
    package.deadline_at = _placement_deadline(package, now)
    package.next_action_at = now
    package_transition(
        package=package,
        to_status=CarePackage.Status.BROKERING,
        actor=submitted_by,
        summary="submitted for brokering (round 1)",
        update_fields=("submitted_at", "round_number", "deadline_at", "next_action_at"),
    )
    enqueue_on_commit(BROKER_PACKAGE_TASK, package.pk)
    return package


@dataclass(frozen=True)
class ExistingPlacement:
    """Care already running with a provider before the council moved onto this system (CSV import)."""

    provider: Provider
    care_started_on: date


@dataclass(frozen=True)
class PackageEntry:
    """One ISA to enter: saved as a draft, or submitted for brokering, or recorded as an existing placement."""

    isa: IsaData
    submit: bool = True
    placement: ExistingPlacement | None = None


@dataclass(frozen=True)
class Entered:
    package: CarePackage
    # False when the same ISA (same source system, reference and details) had been received before.
    created: bool


class IsasInvalid(Exception):
    """Some ISAs of a batch break rules; ``errors`` maps each entry's index to its field errors."""

    def __init__(self, errors: dict[int, dict[str, list[str]]]) -> None:
        super().__init__(f"{len(errors)} of the ISAs break rules")
        self.errors = errors


@transaction.atomic(durable=True)
def package_enter(*, isa: IsaData, entered_by: Actor, submit: bool = True) -> Entered:
    """The one way in for a care package: the officer's form, the case-management API and the demo.

    1. An ISA whose external reference was received before returns that package when every detail is the
       same (``created=False``: a retry is harmless) and raises ``IsaConflict`` when any differs.
    2. Every rule, shape and database alike, is checked once (``isa_resolve``); ``IsaInvalid`` lists each
       failure by field and nothing is saved.
    3. The draft is saved with its person and visits; with ``submit`` it goes to market at once and round 1
       of brokering starts after commit.
    The outermost transaction (durable): nothing can wrap an entry by accident. A batch is ``packages_enter``.
    """
    return _enter(PackageEntry(isa=isa, submit=submit), entered_by=entered_by, resolved=None)


@transaction.atomic(durable=True)
def packages_enter(
    *, entries: Sequence[PackageEntry], entered_by: Actor, on_entered: Callable[[int], None] | None = None
) -> list[Entered]:
    """Enter many ISAs together, all or none (the CSV import): the same steps as ``package_enter`` for each.

    Every entry is checked before anything is saved; ``IsasInvalid`` reports every failing entry by index.
    ``on_entered(how many so far)`` follows a long batch (a background import shows it, through its own
    connection: nothing here is committed until the end).
    """
    resolved: list[ResolvedIsa] = []
    errors: dict[int, dict[str, list[str]]] = {}
    for index, entry in enumerate(entries):
        try:
            resolved.append(isa_resolve(entry.isa))
        except IsaInvalid as invalid:
            errors[index] = invalid.errors
    if errors:
        raise IsasInvalid(errors)
    entered: list[Entered] = []
    for entry, found in zip(entries, resolved, strict=True):
        entered.append(_enter(entry, entered_by=entered_by, resolved=found))
        if on_entered is not None:
            on_entered(len(entered))
    return entered


def _enter(entry: PackageEntry, *, entered_by: Actor, resolved: ResolvedIsa | None) -> Entered:
    isa = entry.isa
    fingerprint = isa.fingerprint()
    existing = _existing(isa)
    if existing is not None:
        return Entered(_same_or_conflict(existing, fingerprint), created=False)
    resolved = resolved or isa_resolve(isa)
    try:
        with transaction.atomic():
            package = _package_create(resolved=resolved, created_by=entered_by, fingerprint=fingerprint)
            if entry.placement is not None:
                _record_existing_placement(package, entry.placement, entered_by)
            elif entry.submit:
                package = package_submit(package_id=package.pk, submitted_by=entered_by)
    except IntegrityError:
        # Two identical requests raced; the unique reference let exactly one in. Answer as for a repeat.
        existing = _existing(isa)
        if existing is None:
            raise
        return Entered(_same_or_conflict(existing, fingerprint), created=False)
    return Entered(package, created=True)


def _record_existing_placement(package: CarePackage, placement: ExistingPlacement, user: Actor) -> None:
    """Care already running before the move: a round-1 award to its provider, then care started."""
    locked = CarePackage.objects.select_for_update().get(pk=package.pk)
    started_on = placement.care_started_on
    started_at = timezone.make_aware(datetime.combine(started_on, time(9, 0)))
    locked.round_number = 1
    locked.submitted_at = started_at
    package_transition(
        package=locked,
        to_status=CarePackage.Status.BROKERING,
        actor=user,
        summary="imported: care already placed before the move to this system",
        update_fields=("round_number", "submitted_at"),
    )
    offer = Offer.objects.create(
        package=locked,
        provider=placement.provider,
        round_number=1,
        status=Offer.Status.ACCEPTED,
        sent_at=started_at,
        responded_at=started_at,
        proposed_start_on=started_on,
    )
    award_locked(
        locked,
        offer,
        now=timezone.now(),
        actor=user,
        reason="Imported existing placement",
        manual=True,
        use_capacity=False,
    )
    locked.care_started_on = started_on
    Offer.objects.filter(pk=offer.pk).update(care_started_on=started_on)
    package_transition(
        package=locked,
        to_status=CarePackage.Status.CARE_STARTED,
        actor=user,
        summary=f"imported: care started on {started_on:%d %B %Y}",
        update_fields=("care_started_on",),
    )


def _existing(isa: IsaData) -> CarePackage | None:
    if not isa.external_reference:
        return None
    return CarePackage.objects.filter(
        source_system=isa.source_system, external_reference=isa.external_reference
    ).first()


def _same_or_conflict(package: CarePackage, fingerprint: str) -> CarePackage:
    if package.idempotency_key != fingerprint:
        raise IsaConflict(package)
    return package


@transaction.atomic
def package_cancel(*, package_id: int, cancelled_by: Actor, reason: str) -> CarePackage:
    """Cancel a package that has not ended; open offers are withdrawn."""
    if not reason.strip():
        raise PackageStateError("Give a reason for cancelling.")
    package = CarePackage.objects.select_for_update().get(pk=package_id)
    if package.status in (CarePackage.Status.ENDED, CarePackage.Status.CANCELLED):
        raise PackageStateError(f"{package.reference} is already {package.get_status_display().lower()}.")
    now = timezone.now()
    for offer in package.offers.filter(status__in=Offer.OPEN_STATUSES):
        offer.closed_at = now
        offer_transition(
            offer=offer,
            to_status=Offer.Status.WITHDRAWN,
            actor=cancelled_by,
            summary=f"Offer of {package.reference} withdrawn: package cancelled",
            reason=reason,
            update_fields=("closed_at",),
        )
    package.next_action_at = None
    package_transition(
        package=package,
        to_status=CarePackage.Status.CANCELLED,
        actor=cancelled_by,
        summary="cancelled",
        reason=reason,
        update_fields=("next_action_at",),
    )
    return package


@transaction.atomic
def package_record_care_started(*, package_id: int, started_on: date, recorded_by: Actor) -> CarePackage:
    """The awarded provider (or an officer) records the day care actually started."""
    package = CarePackage.objects.select_for_update().get(pk=package_id)
    if package.status != CarePackage.Status.AWARDED:
        raise PackageStateError(f"{package.reference} is not awaiting the start of care.")
    if package.awarded_at is not None and started_on < timezone.localdate(package.awarded_at):
        raise PackageStateError("Care cannot start before the package was awarded.")
    package.care_started_on = started_on
    Offer.objects.filter(package=package, round_number=package.round_number, status=Offer.Status.AWARDED).update(
        care_started_on=started_on
    )
    package_transition(
        package=package,
        to_status=CarePackage.Status.CARE_STARTED,
        actor=recorded_by,
        summary=f"care started on {started_on:%d %B %Y}",
        update_fields=("care_started_on",),
    )
    package_event(EventKind.PACKAGE_CARE_STARTED, package)
    return package


@transaction.atomic
def package_end(*, package_id: int, ended_on: date, ended_by: Actor, reason: str) -> CarePackage:
    """Care has ended (the person no longer needs it, moved, or died)."""
    package = CarePackage.objects.select_for_update().get(pk=package_id)
    if package.status != CarePackage.Status.CARE_STARTED:
        raise PackageStateError(f"{package.reference} has no care in progress to end.")
    package.ended_on = ended_on
    package_transition(
        package=package,
        to_status=CarePackage.Status.ENDED,
        actor=ended_by,
        summary=f"care ended on {ended_on:%d %B %Y}",
        reason=reason,
        update_fields=("ended_on",),
    )
    package_event(EventKind.PACKAGE_ENDED, package)
    return package
