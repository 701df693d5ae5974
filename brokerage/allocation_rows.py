"""The one translation between database rows and the allocation engine's plain data, both ways.

Rows in: the ISA and every provider candidate (``engine_inputs_for``), the agreement's policy
(``policy_settings``) and the round's offers (``offer_record``). Results out: the stored form of a ranking
and of what produced it (``run_documents``); ``AllocationRun.ranking`` reads a stored run back.

Inputs take a bounded number of queries whatever the number of providers: memberships, CQC summaries,
capacity, capabilities, recent awards and earlier refusals are each read once and joined in Python.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, time, timedelta
from typing import Any

from django.db.models import Count

from brokerage.allocation import (
    OfferRecord,
    OfferStatus,
    PolicyKind,
    PolicySettings,
    Ranking,
    inputs_to_dict,
)
from brokerage.allocation.inputs import (
    AreaCapacity,
    CarerGender,
    DayCoverage,
    GeoPoint,
    Isa,
    LotRole,
    ProviderCandidate,
    QualityScore,
    Urgency,
    Visit,
    Weekday,
)
from brokerage.allocation.pool import CandidatePool
from brokerage.allocation.replay import stored_result
from brokerage.models import CarePackage, HandBack, Offer, PackageChange, ProviderCapabilities, ProviderCapacity
from brokerage.models import CarerGender as RowCarerGender
from brokerage.models import Visit as RowVisit
from brokerage.rotafit import RunVisit, rota_fit
from contracts.models import Agreement, LocalityRule, MembershipRole, MembershipStatus, ProviderMembership
from contracts.selectors import active_memberships, urgency_terms
from providers.selectors import provider_cqc_summary

# Awards in this period count as "recent" for the fairness tie-break.
RECENT_AWARDS_DAYS = 90
WEEKDAYS = tuple(Weekday)
_ROLE = {
    MembershipRole.DPS_MEMBER: LotRole.DPS_MEMBER,
    MembershipRole.LEAD_PROVIDER: LotRole.LEAD,
    MembershipRole.ADDITIONAL_PROVIDER: LotRole.ADDITIONAL,
}
_DEFAULT_VISITS_FROM = time(7, 0)
_DEFAULT_VISITS_UNTIL = time(22, 0)
_CAPABILITY_FIELDS = (
    "visits_from",
    "visits_until",
    "lead_time_days",
    "double_handed",
    "skills",
    "languages",
    "carer_genders",
)


@dataclass(frozen=True)
class EngineInputs:
    isa: Isa
    candidates: tuple[ProviderCandidate, ...]
    # Providers left out before ranking because the engine could not place them at all (no known location).
    skipped: tuple[tuple[int, str], ...]


def isa_for_engine(package: CarePackage) -> Isa:
    """The ISA as the engine reads it: needs and place, never the person's name or address."""
    if package.locality_area is None or package.latitude is None or package.longitude is None:
        raise ValueError(f"{package.reference} has no locality area or location, so it cannot be ranked.")
    return Isa(
        reference=package.reference,
        location=GeoPoint(latitude=package.latitude, longitude=package.longitude),
        postcode_district=package.postcode_district,
        area_code=package.locality_area.code,
        area_name=package.locality_area.name,
        visits=tuple(
            Visit(
                weekday=WEEKDAYS[visit.day_of_week],
                window_start=visit.window_start,
                window_end=visit.window_end,
                duration_minutes=visit.duration_minutes,
                carers=visit.carers,
            )
            for visit in package.visits.all()
        ),
        hours_per_week=float(package.hours_per_week),
        requested_start=package.requested_start_on,
        urgency=Urgency(package.urgency),
        required_skills=frozenset(package.required_skills),
        language=package.language or None,
        carer_gender=None if package.carer_gender == RowCarerGender.ANY else CarerGender(package.carer_gender),
        housing_with_care=package.housing_with_care,
        lot=str(package.lot.number) if package.lot else "",
    )


def _memberships(package: CarePackage, on: date) -> dict[int, ProviderMembership]:
    """Each provider's membership that makes it a candidate: its role in the package's lot, else agreement-wide.

    Suspended memberships are included (as inactive) so an officer sees why that provider was passed over.
    """
    found: dict[int, ProviderMembership] = {}
    relevant = ProviderMembership.objects.filter(
        agreement_id=package.agreement_id,
        status__in=[MembershipStatus.APPOINTED, MembershipStatus.SUSPENDED],
    )
    if package.lot_id is not None:
        relevant = relevant.filter(lot_id=package.lot_id) | relevant.filter(lot__isnull=True)
    else:
        relevant = relevant.filter(lot__isnull=True)
    for membership in relevant.select_related("lot"):
        current = found.get(membership.provider_id)
        if current is None or (current.lot_id is None and membership.lot_id is not None):
            found[membership.provider_id] = membership
    return found


def engine_inputs_for(package: CarePackage, *, as_of: date) -> EngineInputs:
    """Plain inputs for ranking ``package`` on ``as_of``."""
    memberships = _memberships(package, as_of)
    active_ids = set(
        active_memberships(agreement=package.agreement, on=as_of)
        .filter(pk__in=[m.pk for m in memberships.values()])
        .values_list("pk", flat=True)
    )
    provider_ids = list(memberships)
    summaries = provider_cqc_summary(provider_ids)
    capacity: dict[int, list[AreaCapacity]] = {}
    # Plain rows, not model instances: a burst of referrals reads these once a package.
    for provider_id, area_code, hours in ProviderCapacity.objects.filter(provider_id__in=provider_ids).values_list(
        "provider_id", "locality_area__code", "hours_available_per_week"
    ):
        capacity.setdefault(provider_id, []).append(AreaCapacity(area_code=area_code, hours_available=float(hours)))
    _count_widened_capacity(package, capacity)
    capabilities = {
        row["provider_id"]: row
        for row in ProviderCapabilities.objects.filter(provider_id__in=provider_ids).values(
            "provider_id", *_CAPABILITY_FIELDS
        )
    }
    since = as_of - timedelta(days=RECENT_AWARDS_DAYS)
    recent = dict(
        CarePackage.objects.filter(awarded_provider_id__in=provider_ids, awarded_at__date__gte=since)
        .values_list("awarded_provider_id")
        .annotate(n=Count("id"))
        .values_list("awarded_provider_id", "n")
    )
    refused = set(
        Offer.objects.filter(package=package, status=Offer.Status.DECLINED).values_list("provider_id", flat=True)
    ) | set(HandBack.objects.filter(package=package).values_list("provider_id", flat=True))
    # A package re-brokered after a variation or a suspension, without its provider if the council chose so.
    refused |= set(
        PackageChange.objects.filter(
            package=package, exclude_current_provider=True, provider__isnull=False
        ).values_list("provider_id", flat=True)
    )

    candidates: list[ProviderCandidate] = []
    skipped: list[tuple[int, str]] = []
    for provider_id in sorted(provider_ids):
        membership = memberships[provider_id]
        summary = summaries[provider_id]
        locations = tuple(
            GeoPoint(latitude=loc.point.lat, longitude=loc.point.lon)
            for loc in summary.homecare_locations
            if loc.point is not None
        )
        if not locations:
            skipped.append((provider_id, "No CQC-registered homecare location with a known position."))
            continue
        caps = capabilities.get(provider_id)
        visits_from = caps["visits_from"] if caps else _DEFAULT_VISITS_FROM
        visits_until = caps["visits_until"] if caps else _DEFAULT_VISITS_UNTIL
        candidates.append(
            ProviderCandidate(
                provider_id=provider_id,
                name=summary.name,
                dps_active=membership.pk in active_ids,
                cqc_eligible=summary.eligibility.passed,
                cqc_reason=summary.eligibility.reason,
                quality=QualityScore(
                    points=summary.score.points, label=summary.score.label, explanation=summary.score.explanation
                ),
                areas=tuple(capacity.get(provider_id, [])),
                coverage=tuple(DayCoverage(weekday=day, earliest=visits_from, latest=visits_until) for day in WEEKDAYS),
                lead_time_days=caps["lead_time_days"] if caps else 7,
                locations=locations,
                lot_role=_ROLE[MembershipRole(membership.role)],
                double_handed=caps["double_handed"] if caps else False,
                skills=frozenset(caps["skills"]) if caps else frozenset(),
                languages=frozenset(caps["languages"]) if caps else frozenset(),
                carer_genders=frozenset(CarerGender(g) for g in caps["carer_genders"]) if caps else frozenset(),
                recent_awards=recent.get(provider_id, 0),
                declined=provider_id in refused,
            )
        )
    isa = isa_for_engine(package)
    if package.agreement.locality_rule == LocalityRule.ROTA_FIT:
        candidates = with_rota_fit(isa, candidates)
    return EngineInputs(isa=isa, candidates=tuple(candidates), skipped=tuple(skipped))


def provider_runs(provider_ids: list[int]) -> dict[int, tuple[RunVisit, ...]]:
    """The visits each provider already makes: those of its awarded and started packages, in one query."""
    runs: dict[int, list[RunVisit]] = {}
    rows = RowVisit.objects.filter(
        package__awarded_provider_id__in=provider_ids,
        package__status__in=CarePackage.LIVE_STATUSES,
        package__latitude__isnull=False,
        package__longitude__isnull=False,
    ).values_list(
        "package__awarded_provider_id",
        "package__latitude",
        "package__longitude",
        "day_of_week",
        "window_start",
        "window_end",
    )
    for provider_id, latitude, longitude, day, start, end in rows:
        if latitude is None or longitude is None:  # excluded by the query; the check satisfies the types
            continue
        runs.setdefault(provider_id, []).append(
            RunVisit(
                location=GeoPoint(latitude=latitude, longitude=longitude),
                weekday=WEEKDAYS[day],
                window_start=start,
                window_end=end,
            )
        )
    return {provider_id: tuple(visits) for provider_id, visits in runs.items()}


def with_rota_fit(isa: Isa, candidates: list[ProviderCandidate]) -> list[ProviderCandidate]:
    """Candidates whose locality is the rota-fit extra road miles a week (the agreement's rota-fit rule)."""
    runs = provider_runs([candidate.provider_id for candidate in candidates])
    return [
        replace(
            candidate,
            locality_miles=rota_fit(
                isa,
                provider_id=candidate.provider_id,
                offices=candidate.locations,
                runs=runs.get(candidate.provider_id, ()),
            ).extra_miles,
        )
        for candidate in candidates
    ]


def _count_widened_capacity(package: CarePackage, capacity: dict[int, list[AreaCapacity]]) -> None:
    """A widened search (the CCC added areas) counts a provider's capacity there as capacity for the package.

    The engine matches one area per ISA; rather than teach it several, the best of the provider's hours in the
    package's own area and the added ones stands in for the package's area.
    """
    widened = {area.code for area in package.widened_areas.all()}
    if not widened or package.locality_area is None:
        return
    own = package.locality_area.code
    for provider_id, areas in capacity.items():
        hours = [area.hours_available for area in areas if area.area_code in widened or area.area_code == own]
        if hours:
            others = [area for area in areas if area.area_code != own]
            capacity[provider_id] = [*others, AreaCapacity(area_code=own, hours_available=max(hours))]


def run_documents(
    inputs: EngineInputs, pool: CandidatePool, ranking: Ranking, *, as_of: date
) -> tuple[dict[str, Any], dict[str, Any]]:
    """What an ``AllocationRun`` stores: the engine's inputs (with the providers skipped before ranking), as
    columns with each shared value once, and the result as its order alone (``stored_result``): entries,
    explanations and reasons are replayed from the inputs when read (``AllocationRun.ranking``)."""
    document = inputs_to_dict(inputs.isa, pool, as_of=as_of)
    document["skipped"] = [{"provider_id": pk, "reason": why} for pk, why in inputs.skipped]
    return document, stored_result(ranking)


def policy_settings(agreement: Agreement, *, urgency: str | None = None) -> PolicySettings:
    """The agreement's allocation policy as the engine reads it, for a package of ``urgency``.

    The urgency's response window (``contracts.selectors.urgency_terms``; the agreement's own window when it
    sets none) is the ranked round's deadline; a cascade's per-offer timeout and a lead's first refusal are
    never longer than it, so a hospital discharge moves as fast under every policy. Deadlines count working
    hours only when the agreement says so for that urgency.
    """
    kind = PolicyKind(agreement.allocation_policy)
    terms = urgency_terms(agreement=agreement, urgency=urgency) if urgency else None
    own = terms.response_window_hours if terms else None
    window = own or agreement.response_window_hours
    cascade, lead = agreement.cascade_offer_timeout_hours, agreement.lead_first_refusal_hours
    if own is not None:  # old agreements, with no window per urgency, keep their timings exactly
        cascade, lead = min(cascade, own), min(lead, own)
    return PolicySettings(
        kind=kind,
        response_window=timedelta(hours=cascade if kind is PolicyKind.SEQUENTIAL_CASCADE else window),
        lead_first_refusal=timedelta(hours=lead),
        deadline_after=terms.deadline_after if terms and terms.working_hours_only else None,
    )


# "Not selected" only happens once another offer is awarded, when the policy has nothing left to do.
_ENGINE_STATUS = {status.value: status for status in OfferStatus} | {Offer.Status.NOT_SELECTED: OfferStatus.WITHDRAWN}


def offer_record(offer: Offer) -> OfferRecord:
    """An offer row as the policy reads it."""
    return OfferRecord(
        provider_id=offer.provider_id,
        status=_ENGINE_STATUS[offer.status],
        sent_at=offer.sent_at,
        deadline=offer.respond_by or offer.sent_at,
        proposed_start=offer.proposed_start_on,
    )
