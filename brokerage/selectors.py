"""Reads for brokerage. Fetch-and-authorise in one function: a provider user only ever loads its own offers.

Personal details (``PersonDetails``) are read only through :func:`person_details_for_officer`,
:func:`person_details_for_provider` and :func:`person_details_for_subject_access`; nothing else in this module
touches them, and each of the three writes one ``PersonDetailsAccess`` row per package it returns (who, when,
which route), so no page, API response or export can show a person without it being logged.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser, User
from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from brokerage.allocation.explanations import ProviderNotInRanking, explain_for_provider
from brokerage.allocation.results import Ranking
from brokerage.models import (
    AllocationRun,
    CarePackage,
    HandBack,
    Offer,
    PackageChange,
    PackageImportJob,
    PackageNote,
    PackageStatusChange,
    PersonDetails,
    PersonDetailsAccess,
    ProviderCapabilities,
    ProviderCapacity,
)
from brokerage.person_lookup import person_lookup_digests
from brokerage.worklists import packages_in_worklist
from contracts.models import MembershipStatus, ProviderMembership
from homecare.accounts.audiences import Audience, is_member
from providers.models import Provider
from providers.selectors import provider_for_user

UserLike = AbstractBaseUser | AnonymousUser


def _require_officer(user: UserLike) -> None:
    if not (is_member(user, Audience.OFFICER) or is_member(user, Audience.CCC)):
        raise PermissionDenied("Only commissioning officers and CCC staff can see this.")


# --- Packages, for officers and CCC staff -------------------------------------------------------------


def package_list(
    *,
    user: UserLike,
    status: str = "",
    area_id: int | None = None,
    urgency: str = "",
    search: str = "",
    worklist: str = "",
) -> QuerySet[CarePackage]:
    """Packages for the officer list, newest first, filtered as asked (``worklist``: one of the to-do lists)."""
    _require_officer(user)
    packages = packages_in_worklist(
        CarePackage.objects.select_related("locality_area", "agreement", "awarded_provider"), worklist
    )
    if status:
        packages = packages.filter(status=status)
    if area_id:
        packages = packages.filter(locality_area_id=area_id)
    if urgency:
        packages = packages.filter(urgency=urgency)
    if search:
        reference = search.upper().removeprefix("ISA-").lstrip("0")
        if reference.isascii() and reference.isdigit() and len(reference) < 10:  # a row id, never an overflow
            packages = packages.filter(pk=int(reference))
        else:
            packages = packages.filter(external_reference__iexact=search)
    return packages.order_by("-created_at", "-id")


def providers_for_manual_award(*, package: CarePackage) -> QuerySet[Provider]:
    """Who an officer may award ``package`` to directly: the providers appointed to its agreement."""
    appointed = ProviderMembership.objects.filter(
        agreement_id=package.agreement_id, status=MembershipStatus.APPOINTED
    ).values("provider_id")
    return Provider.objects.filter(pk__in=appointed).order_by("name")


@dataclass(frozen=True)
class Acceptor:
    """A provider that accepted the package in its current round, with what the ranking said about it."""

    offer: Offer
    provider_name: str
    rank: int | None
    proposed_start_on: date | None
    distance_miles: float | None
    quality_label: str
    quality_points: float | None


@dataclass(frozen=True)
class AwardChoices:
    """What the award page shows: the acceptors best-ranked first; the first is the ranking's recommendation."""

    acceptors: list[Acceptor]

    @property
    def recommended(self) -> Acceptor | None:
        return self.acceptors[0] if self.acceptors else None


def award_choices(*, user: UserLike, package: CarePackage) -> AwardChoices:
    """The current round's acceptors beside their rank, proposed start, distance and quality (from the ranking)."""
    _require_officer(user)
    accepted = Offer.objects.select_related("provider").filter(
        package=package, round_number=package.round_number, status=Offer.Status.ACCEPTED
    )
    run = package.allocation_runs.defer("inputs").filter(round_number=package.round_number).first()
    ranking = run.ranking if run is not None else None
    acceptors: list[Acceptor] = []
    for offer in accepted:
        entry = ranking.entry_for(offer.provider_id) if ranking is not None else None
        acceptors.append(
            Acceptor(
                offer=offer,
                provider_name=offer.provider.name,
                rank=offer.rank,
                proposed_start_on=offer.proposed_start_on,
                distance_miles=entry.distance_miles if entry is not None else None,
                quality_label=entry.quality.label if entry is not None else "Not in the ranking",
                quality_points=entry.quality.points if entry is not None else None,
            )
        )
    acceptors.sort(key=lambda a: (a.rank is None, a.rank or 0, a.provider_name))
    return AwardChoices(acceptors=acceptors)


def package_notes(*, user: UserLike, package: CarePackage) -> QuerySet[PackageNote]:
    """The package's working record (calls, referrals, alerts handled), newest first."""
    _require_officer(user)
    return PackageNote.objects.filter(package=package).select_related("owner").order_by("-written_at", "-id")


def staff_who_can_own_work() -> QuerySet[User]:
    """Active CCC staff and officers: who may own an alert or receive a referral."""
    return (
        User.objects.filter(is_active=True, groups__name__in=[Audience.CCC.group_name, Audience.OFFICER.group_name])
        .distinct()
        .order_by("username")
    )


def officers() -> QuerySet[User]:
    return User.objects.filter(is_active=True, groups__name=Audience.OFFICER.group_name).order_by("username")


def package_get_for_officer(*, user: UserLike, package_id: int) -> CarePackage:
    """One package with everything its detail page shows, in a fixed number of queries."""
    _require_officer(user)
    package = (
        # Not "person": the details are loaded (and logged) only by person_details_for_officer.
        CarePackage.objects.select_related("locality_area", "agreement", "lot", "awarded_provider")
        .prefetch_related(
            "visits",
            Prefetch("status_changes", queryset=PackageStatusChange.objects.order_by("changed_at", "id")),
            Prefetch(
                "offers", queryset=Offer.objects.select_related("provider").order_by("round_number", "rank", "id")
            ),
            Prefetch("hand_backs", queryset=HandBack.objects.select_related("provider")),
        )
        .filter(pk=package_id)
        .first()
    )
    if package is None:
        raise Http404("No such package.")
    return package


# --- Personal details: every read is logged -----------------------------------------------------------


def _access_log(
    person: PersonDetails | None, *, user: UserLike, route: PersonDetailsAccess.Route, provider: Provider | None = None
) -> PersonDetails | None:
    """Log that ``user`` is being shown ``person``; anonymised details show no one, so they are not logged."""
    if person is not None and person.anonymised_at is None:
        PersonDetailsAccess.objects.create(
            package_id=person.package_id,
            accessed_at=timezone.now(),
            user=user if isinstance(user, User) else None,
            user_label=user.get_username(),
            provider=provider,
            route=route,
        )
    return person


def person_details_for_officer(
    *, user: UserLike, package: CarePackage, route: PersonDetailsAccess.Route
) -> PersonDetails | None:
    """The person's details for an officer or CCC staff member, logged as a view through ``route``."""
    _require_officer(user)
    return _access_log(PersonDetails.objects.filter(package=package).first(), user=user, route=route)


def person_details_for_subject_access(
    *, user: UserLike, mosaic_person_id: str = "", family_name: str = "", date_of_birth: date | None = None
) -> list[PersonDetails]:
    """Every package's details for one person (a subject access request), each logged as an export.

    Found by Mosaic person id, or by family name and date of birth (matched through the keyed look-up
    digest, since both are encrypted). Anonymised rows are included (the person is told what is still
    held about them), but not logged.
    """
    _require_officer(user)
    people = PersonDetails.objects.select_related("package")
    if mosaic_person_id.strip():
        people = people.filter(mosaic_person_id=mosaic_person_id.strip())
    elif family_name.strip() and date_of_birth is not None:
        people = people.filter(
            lookup_digest__in=person_lookup_digests(family_name=family_name, date_of_birth=date_of_birth)
        )
    else:
        return []
    found = list(people.order_by("package__created_at", "package_id"))
    for person in found:
        _access_log(person, user=user, route=PersonDetailsAccess.Route.EXPORT)
    return found


def person_accesses_for_officer(*, user: UserLike, package: CarePackage) -> QuerySet[PersonDetailsAccess]:
    """Who has viewed the package's person details, newest first (the log itself holds no personal data)."""
    _require_officer(user)
    return (
        PersonDetailsAccess.objects.filter(package=package).select_related("provider").order_by("-accessed_at", "-id")
    )


def runs_for_package(*, user: UserLike, package: CarePackage) -> list[tuple[AllocationRun, Ranking]]:
    """Every stored ranking of the package, newest round first, decoded for display."""
    _require_officer(user)
    runs = package.allocation_runs.order_by("-round_number")
    return [(run, run.ranking) for run in runs]


def latest_ranking(*, package: CarePackage) -> tuple[AllocationRun, Ranking] | None:
    """The current round's stored ranking (no authorisation: callers have already loaded the package)."""
    run = package.allocation_runs.order_by("-round_number").first()
    return None if run is None else (run, run.ranking)


# --- Offers, for provider staff ---------------------------------------------------------------------


def offers_for_provider(*, provider_user: UserLike, status: str = "") -> QuerySet[Offer]:
    """The provider's own offers, newest first. Never another provider's."""
    provider = provider_for_user(user=provider_user)
    offers = Offer.objects.filter(provider=provider).select_related("package", "package__locality_area")
    if status == "open":
        offers = offers.filter(status__in=Offer.OPEN_STATUSES, package__status=CarePackage.Status.BROKERING)
    elif status:
        offers = offers.filter(status=status)
    return offers.order_by("-sent_at", "-id")


def offer_get_for_provider(*, offer_id: int, provider_user: UserLike) -> Offer:
    """One of the provider's own offers; another provider's offer is a 404, as if it did not exist."""
    provider = provider_for_user(user=provider_user)
    offer = (
        Offer.objects.select_related("package", "package__locality_area", "package__agreement")
        .prefetch_related("package__visits")
        .filter(pk=offer_id, provider=provider)
        .first()
    )
    if offer is None:
        raise Http404("No such offer.")
    return offer


def offer_is_awarded_to_provider(offer: Offer) -> bool:
    """True while the provider holds this package: only then may it see who the person is."""
    package = offer.package
    if offer.status != Offer.Status.AWARDED:
        return False
    if package.awarded_provider_id == offer.provider_id and package.status in CarePackage.LIVE_STATUSES:
        return True
    # Re-brokered for a variation it declined: it keeps delivering (and seeing) the care until the new one starts.
    return PackageChange.objects.filter(
        package_id=package.pk,
        kind=PackageChange.Kind.VARIATION,
        status=PackageChange.Status.REBROKERING,
        provider_id=offer.provider_id,
        round_number=offer.round_number,
    ).exists()


def person_details_for_provider(
    *, offer: Offer, provider_user: UserLike, route: PersonDetailsAccess.Route
) -> PersonDetails | None:
    """The person's details, only for the provider the package is awarded to; None (and no log) for anyone else."""
    own = offer_get_for_provider(offer_id=offer.pk, provider_user=provider_user)
    if not offer_is_awarded_to_provider(own):
        return None
    person = PersonDetails.objects.filter(package_id=own.package_id).first()
    return _access_log(person, user=provider_user, route=route, provider=own.provider)


@dataclass(frozen=True)
class ProviderPosition:
    """What a provider may know about its place in a ranking: its own figures, never other providers' names."""

    explanation: str
    position: int | None
    of: int


def provider_position(*, offer: Offer) -> ProviderPosition | None:
    """The offer's provider's own position in the stored ranking of that round."""
    if offer.run_id is None:
        return None
    run = AllocationRun.objects.get(pk=offer.run_id)
    ranking = run.ranking
    entry = ranking.entry_for(offer.provider_id)
    try:
        explanation = explain_for_provider(ranking, offer.provider_id)
    except ProviderNotInRanking:
        # Offered by an officer's manual award, outside the ranking.
        explanation = "This offer was made directly by the council, not from the ranking."
    return ProviderPosition(
        explanation=explanation,
        position=None if entry is None else entry.position,
        of=len(ranking.ranked),
    )


# --- Capacity ---------------------------------------------------------------------------------------


def capacity_for_provider(
    *, provider_user: UserLike
) -> tuple[Provider, list[ProviderCapacity], ProviderCapabilities | None]:
    provider = provider_for_user(user=provider_user)
    capacities = list(provider.capacities.select_related("locality_area").order_by("locality_area__display_order"))
    capabilities = ProviderCapabilities.objects.filter(provider=provider).first()
    return provider, capacities, capabilities


def ranking_document(*, run: AllocationRun, ranking: Ranking) -> dict[str, object]:
    """The stored ranking as plain data with every provider's explanation (officer and CCC view)."""
    return {
        "package": run.package_id,
        "round_number": run.round_number,
        "policy": run.policy,
        "engine_version": run.engine_version,
        "ranked_at": run.ranked_at,
        "ranked": [
            {
                "position": entry.position,
                "provider_id": entry.provider_id,
                "provider_name": entry.provider_name,
                "lot_role": entry.lot_role.value,
                "quality_points": entry.quality.points,
                "quality_label": entry.quality.label,
                "earliest_start": entry.earliest_start,
                "distance_miles": entry.distance_miles,
                "recent_awards": entry.recent_awards,
                "tie_break": entry.tie_break.value,
                "explanation": entry.explanation,
            }
            for entry in ranking.ranked
        ],
        "excluded": [
            {
                "provider_id": entry.provider_id,
                "provider_name": entry.provider_name,
                "reasons": [reason.message for reason in entry.reasons],
            }
            for entry in ranking.excluded
        ],
    }


# --- Package CSV imports in the background, for officers ---------------------------------------------


def _require_importing_officer(user: UserLike) -> None:
    if not is_member(user, Audience.OFFICER):
        raise PermissionDenied("Only commissioning officers can see package imports.")


def package_import_jobs_recent(*, user: UserLike, limit: int = 10) -> list[PackageImportJob]:
    """The latest imports by every officer (the council imports together), newest first, without their text."""
    _require_importing_officer(user)
    return list(PackageImportJob.objects.select_related("uploaded_by").defer("text", "report")[:limit])


def package_import_job_get(*, user: UserLike, job_id: int) -> PackageImportJob:
    _require_importing_officer(user)
    job = PackageImportJob.objects.select_related("uploaded_by").defer("text").filter(pk=job_id).first()
    if job is None:
        raise Http404("No such import.")
    return job
