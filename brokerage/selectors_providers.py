"""Reads about one provider's work: the packages it holds, its contract with the council, how it responds.

For provider staff, fetch-and-authorise in one function as in ``brokerage.selectors``: a package the provider
does not hold is a 404, as if it did not exist. For officers, the provider detail page's brokerage panel.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import timedelta
from statistics import median

from django.db.models import Prefetch, QuerySet
from django.http import Http404
from django.utils import timezone

from brokerage.models import CarePackage, Offer, PersonDetails, PersonDetailsAccess, Visit
from brokerage.selectors import UserLike, person_details_for_provider
from contracts.models import FeeRate, ProviderMembership
from dps.models import ApplicationStatus, ProviderApplication
from providers.models import Provider
from providers.selectors import provider_for_user

# How far back the officer's view of a provider's responses looks.
PERFORMANCE_PERIOD = timedelta(days=365)


def _held(provider: Provider) -> QuerySet[CarePackage]:
    return CarePackage.objects.filter(awarded_provider=provider, status__in=CarePackage.LIVE_STATUSES)


def packages_for_provider(*, provider_user: UserLike) -> QuerySet[CarePackage]:
    """The packages the provider holds now (awarded or care started), newest award first."""
    provider = provider_for_user(user=provider_user)
    return (
        _held(provider)
        .select_related("locality_area", "agreement")
        .prefetch_related(Prefetch("visits", queryset=Visit.objects.order_by("day_of_week", "window_start", "id")))
        .order_by("-awarded_at", "-id")
    )


def package_get_for_provider(*, provider_user: UserLike, package_id: int) -> CarePackage:
    """One package the provider holds; any other package (another provider's, or not yet awarded) is a 404."""
    package = packages_for_provider(provider_user=provider_user).filter(pk=package_id).first()
    if package is None:
        raise Http404("No such package.")
    return package


def awarded_offer(*, package: CarePackage) -> Offer:
    """The current round's awarded offer of a held package (the provider's way in to the offer's pages)."""
    return Offer.objects.select_related("package", "provider").get(
        package=package, round_number=package.round_number, status=Offer.Status.AWARDED
    )


def person_details_for_held_package(*, provider_user: UserLike, package: CarePackage) -> PersonDetails | None:
    """The person's details for the provider holding the package, logged as a "my packages" view."""
    return person_details_for_provider(
        offer=awarded_offer(package=package),
        provider_user=provider_user,
        route=PersonDetailsAccess.Route.PROVIDER_PACKAGE,
    )


def rates_in_force(*, agreement_ids: list[int]) -> list[FeeRate]:
    """The fee rate of each service type in force today on each agreement (the latest started by today)."""
    today = timezone.localdate()
    latest: dict[tuple[int, str], FeeRate] = {}
    for rate in (
        FeeRate.objects.filter(agreement_id__in=agreement_ids, effective_from__lte=today)
        .select_related("agreement")
        .order_by("effective_from")
    ):
        latest[(rate.agreement_id, rate.service_type)] = rate
    return sorted(latest.values(), key=lambda rate: (rate.agreement.name, rate.service_type))


@dataclass(frozen=True)
class ProviderContract:
    """The provider's standing with the council: memberships, the fee rates they pay, the DPS letters."""

    memberships: list[ProviderMembership]
    fee_rates: list[FeeRate]
    decided_applications: list[ProviderApplication]


def provider_contract(*, provider: Provider) -> ProviderContract:
    memberships = list(
        ProviderMembership.objects.filter(provider=provider)
        .select_related("agreement", "lot")
        .order_by("agreement__name", "lot__number")
    )
    applications = list(
        ProviderApplication.objects.filter(
            provider=provider, status__in=[ApplicationStatus.APPOINTED, ApplicationStatus.REJECTED]
        )
        .select_related("dps_round", "dps_round__agreement")
        .order_by("-submitted_at")
    )
    return ProviderContract(
        memberships=memberships,
        fee_rates=rates_in_force(agreement_ids=sorted({m.agreement_id for m in memberships})),
        decided_applications=applications,
    )


def provider_contract_for_user(*, provider_user: UserLike) -> ProviderContract:
    return provider_contract(provider=provider_for_user(user=provider_user))


@dataclass(frozen=True)
class ResponsePerformance:
    """How a provider has answered offers over ``PERFORMANCE_PERIOD`` (offers sent in that time)."""

    offers: int
    accepted: int
    declined: int
    expired: int
    awarded: int
    median_response_hours: float | None

    @property
    def acceptance_percent(self) -> int | None:
        answered = self.accepted + self.declined + self.expired
        return round(100 * self.accepted / answered) if answered else None


def provider_performance(*, provider: Provider) -> ResponsePerformance:
    """Counts of the provider's offers by outcome and its median time to answer, over the last year.

    "Accepted" counts every acceptance, whether or not it was then awarded (awards are counted apart).
    """
    since = timezone.now() - PERFORMANCE_PERIOD
    offers = Offer.objects.filter(provider=provider, sent_at__gte=since)
    rows = list(offers.values_list("status", "sent_at", "responded_at"))
    accepted_statuses = {Offer.Status.ACCEPTED, Offer.Status.AWARDED, Offer.Status.NOT_SELECTED}
    hours = [(responded - sent).total_seconds() / 3600 for _status, sent, responded in rows if responded is not None]
    return ResponsePerformance(
        offers=len(rows),
        accepted=sum(1 for status, *_ in rows if status in accepted_statuses),
        declined=sum(1 for status, *_ in rows if status == Offer.Status.DECLINED),
        expired=sum(1 for status, *_ in rows if status == Offer.Status.EXPIRED),
        awarded=sum(1 for status, *_ in rows if status == Offer.Status.AWARDED),
        median_response_hours=round(median(hours), 1) if hours else None,
    )


def provider_current_packages(*, provider: Provider, limit: int = 50) -> tuple[list[CarePackage], int]:
    """The packages the provider holds now, for officers (newest award first), and how many in all."""
    held = _held(provider).select_related("locality_area").order_by("-awarded_at", "-id")
    return list(held[:limit]), held.count()
