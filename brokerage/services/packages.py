"""Writes for care packages: entry (web, API, CSV), submission to brokering, cancellation, care start and end."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

from django.core.exceptions import ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone

from brokerage.isa import IsaData, check_isa_rules
from brokerage.models import CarePackage, Offer, PersonDetails, Visit
from brokerage.services.history import Actor, offer_transition, package_transition
from contracts.costing import NoRateInForce, RateStep, weekly_cost
from contracts.models import Agreement, AllocationPolicy, FeeRate, Lot, PlacementDeadline, ServiceType
from providers.geography import locality_area_for, locate_postcode, normalise_postcode
from providers.models import LocalityArea


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


def isa_resolve(isa: IsaData) -> ResolvedIsa:
    """Check every rule of an ISA, shape and database alike, and raise IsaInvalid listing all failures."""
    errors = check_isa_rules(isa)
    agreement = Agreement.objects.filter(reference=isa.agreement_reference).first()
    if agreement is None:
        errors.setdefault("agreement_reference", []).append(
            f"No agreement has the reference {isa.agreement_reference!r}."
        )
    lot = None
    if agreement is not None and isa.lot_number is not None:
        lot = Lot.objects.filter(agreement=agreement, number=isa.lot_number).first()
        if lot is None:
            errors.setdefault("lot_number", []).append(f"{agreement.reference} has no lot {isa.lot_number}.")
    if agreement is not None and agreement.allocation_policy == AllocationPolicy.LEAD_PROVIDER_FIRST and lot is None:
        errors.setdefault("lot_number", []).append("This agreement gives lead providers first refusal: choose the lot.")

    postcode = ""
    point = None
    area: LocalityArea | None = None
    try:
        postcode = normalise_postcode(isa.person.postcode)
    except ValidationError as error:
        errors.setdefault("person.postcode", []).extend(error.messages)
    if postcode:
        point = locate_postcode(postcode)
        if point is None:
            errors.setdefault("person.postcode", []).append(f"We cannot find the postcode {postcode}.")
    if isa.locality_area_code:
        area = LocalityArea.objects.filter(code=isa.locality_area_code).first()
        if area is None:
            errors.setdefault("locality_area_code", []).append(
                f"No locality area has the code {isa.locality_area_code!r}."
            )
    elif point is not None:
        area = locality_area_for(postcode)
        if area is None:
            errors.setdefault("locality_area_code", []).append(
                f"{postcode} is not in any of the council's locality areas: choose the area."
            )
    if errors:
        raise IsaInvalid(errors)
    assert agreement is not None and area is not None and point is not None  # noqa: S101 - narrowed by errors
    hours = isa.hours_per_week if isa.hours_per_week is not None else isa.visit_hours_per_week
    return ResolvedIsa(
        isa=isa,
        agreement=agreement,
        lot=lot,
        locality_area=area,
        postcode=postcode,
        postcode_district=postcode.split(" ")[0],
        latitude=point.lat,
        longitude=point.lon,
        hours_per_week=hours,
        weekly_cost=isa_weekly_cost(isa, agreement=agreement, week_start=isa.requested_start_on),
    )


def isa_weekly_cost(isa: IsaData, *, agreement: Agreement, week_start: date) -> Decimal | None:
    """The week's cost from ``week_start`` at the fee rates in force; None while no rate is set.

    Double-handed carer hours are costed at the double-handed rate when the agreement has one;
    Housing with Care packages at the Housing with Care rate.
    """
    rates: dict[str, list[RateStep]] = {}
    for rate in FeeRate.objects.filter(agreement=agreement):
        rates.setdefault(rate.service_type, []).append(RateStep(rate.effective_from, rate.hourly_rate))
    base_type: str = ServiceType.HOUSING_WITH_CARE if isa.housing_with_care else ServiceType.STANDARD
    if base_type not in rates:
        base_type = ServiceType.STANDARD
    hours_by_type: dict[str, dict[int, Decimal]] = {}
    for visit in isa.visits:
        service_type: str = (
            ServiceType.DOUBLE_HANDED if visit.carers > 1 and ServiceType.DOUBLE_HANDED in rates else base_type
        )
        by_day = hours_by_type.setdefault(service_type, {})
        by_day[visit.day_of_week] = by_day.get(visit.day_of_week, Decimal(0)) + visit.carer_hours
    total = Decimal(0)
    for service_type, by_day in hours_by_type.items():
        if service_type not in rates:
            return None
        try:
            total += weekly_cost(week_start=week_start, hours_by_weekday=by_day, steps=rates[service_type])
        except NoRateInForce:
            return None
    return total


def _placement_deadline(package: CarePackage, submitted_at: datetime) -> datetime | None:
    hours = (
        PlacementDeadline.objects.filter(agreement_id=package.agreement_id, urgency=package.urgency)
        .values_list("hours", flat=True)
        .first()
    )
    return None if hours is None else submitted_at + timedelta(hours=hours)


@transaction.atomic
def package_create(*, resolved: ResolvedIsa, created_by: Actor, fingerprint: str = "") -> CarePackage:
    """Save a draft package, its person and its visits from a resolved ISA."""
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
    return package


@transaction.atomic
def package_submit(*, package_id: int, submitted_by: Actor, enqueue: bool = True) -> CarePackage:
    """Send a draft package to market: round 1 of brokering starts once the transaction commits.

    ``next_action_at`` is set to now, so if the queued message is lost the beat task still starts it.
    ``enqueue=False`` leaves the start to the caller (the demo's simulation calls ``package_broker`` itself).
    """
    from brokerage.tasks import broker_package

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
    if enqueue:
        transaction.on_commit(lambda: broker_package.delay(package.pk))
    return package


def package_receive(*, isa: IsaData, received_by: Actor) -> tuple[CarePackage, bool]:
    """Create and submit a package from the case-management system, idempotent on its external reference.

    Returns (package, created). The same payload again returns the existing package; a different payload
    under the same reference raises IsaConflict; an invalid one raises IsaInvalid and saves nothing.
    """
    fingerprint = isa.fingerprint()
    existing = _existing(isa)
    if existing is not None:
        return _same_or_conflict(existing, fingerprint), False
    resolved = isa_resolve(isa)
    try:
        with transaction.atomic():
            package = package_create(resolved=resolved, created_by=received_by, fingerprint=fingerprint)
            package = package_submit(package_id=package.pk, submitted_by=received_by)
    except IntegrityError:
        # Two identical requests raced; the unique reference let exactly one in. Answer as for a repeat.
        existing = _existing(isa)
        if existing is None:
            raise
        return _same_or_conflict(existing, fingerprint), False
    return package, True


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
    package_transition(
        package=package,
        to_status=CarePackage.Status.CARE_STARTED,
        actor=recorded_by,
        summary=f"care started on {started_on:%d %B %Y}",
        update_fields=("care_started_on",),
    )
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
    return package
