"""Amending a package before it is awarded: a draft, or a package still being brokered.

Every rule is checked as for a new ISA (``isa_resolve``, the one set of rules), and the package, its person and
its visits are replaced in one transaction, audited. A package being brokered is ranked again with its new
details; when that changes who is eligible to take it, the offers of the round are withdrawn and a new round
starts (ranked and offered by the worker, through ``homecare.queue``). When it does not, the offers stand and
providers see the new details on them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from brokerage.allocation import rank_providers
from brokerage.allocation_rows import engine_inputs_for
from brokerage.isa import IsaData
from brokerage.models import CarePackage, Offer, PersonDetails, Visit
from brokerage.services.brokering import round_start_locked
from brokerage.services.history import Actor, offer_transition
from brokerage.services.packages import PackageStateError, isa_resolve
from homecare.audit.actions import AuditAction
from homecare.audit.services import audit_record

AMENDABLE_STATUSES = (CarePackage.Status.DRAFT, CarePackage.Status.BROKERING)


@dataclass(frozen=True)
class Amended:
    package: CarePackage
    reranked: bool
    # What happened, for the officer.
    outcome: str


def _eligible(package: CarePackage) -> frozenset[int]:
    today = timezone.localdate()
    inputs = engine_inputs_for(package, as_of=today)
    ranking = rank_providers(inputs.isa, inputs.candidates, as_of=today)
    return frozenset(entry.provider_id for entry in ranking.ranked)


@transaction.atomic(durable=True)
def package_amend(*, package_id: int, isa: IsaData, amended_by: Actor) -> Amended:
    """Replace a draft's or a brokering package's details with ``isa``.

    1. Lock the package; only a draft or a package being brokered may be amended (after the award, a change is
       a variation).
    2. Check every rule of the new ISA; ``IsaInvalid`` lists each failure and nothing changes.
    3. Save the new details, person and visits, with the weekly cost worked out again; audit what changed.
    4. Brokering: rank before and after; if the eligible providers differ, withdraw the round's open offers and
       start the next round (after commit).
    """
    package = CarePackage.objects.select_for_update(of=("self",)).select_related("agreement").get(pk=package_id)
    if package.status not in AMENDABLE_STATUSES:
        raise PackageStateError(
            f"{package.reference} is {package.get_status_display().lower()}: only a draft or a package still being "
            "brokered can be edited."
        )
    isa = IsaData(**{**isa.__dict__, "source_system": package.source_system})
    resolved = isa_resolve(isa)
    if resolved.agreement.pk != package.agreement_id and package.status != CarePackage.Status.DRAFT:
        raise PackageStateError("The agreement of a package being brokered cannot change: cancel it and enter it anew.")
    brokering = package.status == CarePackage.Status.BROKERING
    eligible_before = _eligible(package) if brokering else frozenset()
    changed = _apply(package, isa=isa, resolved=resolved)
    audit_record(
        actor=amended_by,
        action=AuditAction.PACKAGE_AMENDED,
        target=package,
        summary=f"{package.reference}: amended ({', '.join(changed) or 'no change'})",
        data={"fields": changed},
    )
    if not brokering:
        return Amended(package, reranked=False, outcome="The draft is up to date.")
    package.refresh_from_db()
    if _eligible(package) == eligible_before:
        return Amended(package, reranked=False, outcome="The same providers can take it: its offers stand.")
    _withdraw_open_offers(package, actor=amended_by)
    round_start_locked(package, actor=amended_by, why="amended: the providers who can take it changed")
    return Amended(
        package, reranked=True, outcome="The providers who can take it changed: it is being ranked and offered again."
    )


# The package's own fields an ISA sets; the person and the visits are compared separately.
_PACKAGE_FIELDS = (
    "external_reference",
    "requested_start_on",
    "urgency",
    "housing_with_care",
    "language",
    "carer_gender",
    "care_needs",
    "special_requirements",
    "funding",
)


def _apply(package: CarePackage, *, isa: IsaData, resolved: Any) -> list[str]:
    """Save the resolved ISA over the package; the names of what changed (never the values: personal data)."""
    changed = [name for name in _PACKAGE_FIELDS if getattr(package, name) != getattr(isa, name)]
    for name in _PACKAGE_FIELDS:
        setattr(package, name, getattr(isa, name))
    derived = {
        "agreement": resolved.agreement,
        "lot": resolved.lot,
        "locality_area": resolved.locality_area,
        "postcode_district": resolved.postcode_district,
        "latitude": resolved.latitude,
        "longitude": resolved.longitude,
        "hours_per_week": resolved.hours_per_week,
        "weekly_cost": resolved.weekly_cost,
    }
    for name, value in derived.items():
        if getattr(package, name) != value:
            changed.append(name)
            setattr(package, name, value)
    if sorted(package.required_skills) != sorted(isa.required_skills):
        changed.append("required_skills")
    package.required_skills = sorted(isa.required_skills)
    package.idempotency_key = isa.fingerprint()
    package.save()
    person = PersonDetails.objects.get(package=package)
    new_person = {**isa.person.__dict__, "postcode": resolved.postcode}
    if any(getattr(person, name) != value for name, value in new_person.items()):
        changed.append("person")
        for name, value in new_person.items():
            setattr(person, name, value)
        person.save()
    old_visits = sorted(
        (v.day_of_week, v.window_start, v.window_end, v.duration_minutes, v.carers) for v in package.visits.all()
    )
    new_visits = sorted((v.day_of_week, v.window_start, v.window_end, v.duration_minutes, v.carers) for v in isa.visits)
    if old_visits != new_visits:
        changed.append("visits")
        package.visits.all().delete()
        Visit.objects.bulk_create(
            Visit(
                package=package,
                day_of_week=v.day_of_week,
                window_start=v.window_start,
                window_end=v.window_end,
                duration_minutes=v.duration_minutes,
                carers=v.carers,
            )
            for v in isa.visits
        )
    return changed


def _withdraw_open_offers(package: CarePackage, *, actor: Actor) -> None:
    now = timezone.now()
    for offer in package.offers.filter(round_number=package.round_number, status__in=Offer.OPEN_STATUSES):
        offer.closed_at = now
        offer_transition(
            offer=offer,
            to_status=Offer.Status.WITHDRAWN,
            actor=actor,
            summary=f"Offer of {package.reference} withdrawn: the package was amended",
            update_fields=("closed_at",),
        )
