"""Reads about providers. Fetch-and-authorise lives here so a view cannot forget it."""

from __future__ import annotations

import json
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any, cast

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.core.exceptions import PermissionDenied
from django.db.models import Model, OneToOneField, Prefetch, Q, QuerySet, TextField
from django.db.models.functions import Cast
from django.shortcuts import get_object_or_404

from providers.geography import GeoPoint
from providers.models import CqcLocation, Provider, ProviderStaff, RegistrationStatus
from providers.quality import (
    CqcRatings,
    CriterionOutcome,
    QualityScore,
    Rating,
    cqc_dps_eligibility,
    quality_score,
)

PUBLISHED_RATINGS = (Rating.OUTSTANDING, Rating.GOOD, Rating.REQUIRES_IMPROVEMENT, Rating.INADEQUATE)


# The user's side of the link (``user.provider_staff``): joined when the user was loaded with its audiences.
_USER_LINK = cast(OneToOneField[Any, Any], ProviderStaff._meta.get_field("user")).remote_field


def _staff_link(user: AbstractBaseUser | AnonymousUser) -> ProviderStaff | None:
    """The user's link to its provider organisation, read once per user object (a request's user): the audience
    check and the provider lookup that follows it share one query, or none when the link was joined into the
    query that loaded the user (``homecare.accounts.audiences.with_audiences``). Only a link found by a query of
    its own is kept, so a user linked after an earlier refusal is seen at once."""
    cached: ProviderStaff | None = getattr(user, "_homecare_provider_staff", None)
    if cached is None and isinstance(user, Model) and _USER_LINK.is_cached(user):
        return cast(ProviderStaff | None, _USER_LINK.get_cached_value(user))
    if cached is None and user.pk is not None:
        cached = ProviderStaff.objects.select_related("provider").filter(user_id=user.pk).first()
        if cached is not None:
            setattr(user, "_homecare_provider_staff", cached)  # noqa: B010 - a per-request cache on the user object
    return cached


def is_linked_to_provider(user: AbstractBaseUser | AnonymousUser) -> bool:
    """Whether a user works for a provider organisation: without one, a provider-portal user would see nothing."""
    return _staff_link(user) is not None


def provider_for_user(*, user: AbstractBaseUser | AnonymousUser) -> Provider:
    """The one provider organisation a portal user works for; refuse anyone not linked to one."""
    if user.pk is None:
        raise PermissionDenied("Sign in as provider staff.")
    staff = _staff_link(user)
    if staff is None:
        raise PermissionDenied("Your account is not linked to a provider organisation.")
    return staff.provider


@dataclass(frozen=True)
class LocationCqcSummary:
    """Plain facts about one CQC location, for other apps (no model instances leak out)."""

    location_pk: int
    location_id: str
    name: str
    postcode: str
    point: GeoPoint | None
    registration_status: str
    is_homecare_agency: bool
    locality_area: str | None
    ratings: CqcRatings
    score: QualityScore
    eligibility: CriterionOutcome


@dataclass(frozen=True)
class ProviderCqcSummary:
    """A provider's CQC standing: its registered homecare locations and the best of them.

    ``best_location`` is the registered homecare location with the highest :class:`QualityScore`;
    ``score`` and ``eligibility`` are that location's. A provider with no registered homecare
    location scores as not yet rated but is *not* eligible: DPS entry needs a CQC-registered location.
    """

    provider_id: int
    name: str
    cqc_provider_id: str | None
    is_demo: bool
    homecare_locations: tuple[LocationCqcSummary, ...]
    best_location: LocationCqcSummary | None
    score: QualityScore
    eligibility: CriterionOutcome


def location_summary(location: CqcLocation) -> LocationCqcSummary:
    ratings = location.current_rating.as_ratings() if location.current_rating else CqcRatings.not_yet_rated()
    point = (
        GeoPoint(location.latitude, location.longitude, "postcode")
        if location.latitude is not None and location.longitude is not None
        else None
    )
    return LocationCqcSummary(
        location_pk=location.pk,
        location_id=location.location_id,
        name=location.name,
        postcode=location.postcode,
        point=point,
        registration_status=location.registration_status,
        is_homecare_agency=location.is_homecare_agency,
        locality_area=location.locality_area.name if location.locality_area else None,
        ratings=ratings,
        score=quality_score(ratings),
        eligibility=cqc_dps_eligibility(ratings),
    )


def provider_cqc_summary(provider_ids: Iterable[int]) -> dict[int, ProviderCqcSummary]:
    """CQC summaries keyed by provider id, in two queries however many providers are asked for."""
    ids = list(provider_ids)
    providers = Provider.objects.filter(pk__in=ids).values_list("pk", "name", "cqc_provider_id", "is_demo")
    locations = (
        CqcLocation.objects.filter(
            provider_id__in=ids, is_homecare_agency=True, registration_status=RegistrationStatus.REGISTERED
        )
        .select_related("current_rating", "locality_area")
        .order_by("location_id")
    )
    by_provider: dict[int, list[LocationCqcSummary]] = {}
    for location in locations:
        by_provider.setdefault(location.provider_id, []).append(location_summary(location))
    result: dict[int, ProviderCqcSummary] = {}
    for pk, name, cqc_provider_id, is_demo in providers:
        summaries = tuple(by_provider.get(pk, []))
        best = max(summaries, key=lambda summary: summary.score, default=None)
        if best is None:
            score = quality_score(CqcRatings.not_yet_rated())
            eligibility = CriterionOutcome(False, "No CQC-registered homecare agency location is on record.")
        else:
            score, eligibility = best.score, best.eligibility
        result[pk] = ProviderCqcSummary(
            provider_id=pk,
            name=name,
            cqc_provider_id=cqc_provider_id,
            is_demo=is_demo,
            homecare_locations=summaries,
            best_location=best,
            score=score,
            eligibility=eligibility,
        )
    return result


NOT_YET_RATED_FILTER = "not-yet-rated"


@dataclass(frozen=True)
class ProviderFilters:
    """What an officer (or an integrator) filters the provider list by; empty means no filter."""

    q: str = ""
    rating: str = ""
    area_id: int | None = None
    registration_status: str = ""
    service_type: str = ""


def cqc_locations_matching(filters: ProviderFilters) -> QuerySet[CqcLocation]:
    """Locations meeting every location-level filter (rating, area, status, service type)."""
    locations = CqcLocation.objects.all()
    if filters.rating == NOT_YET_RATED_FILTER:
        locations = locations.filter(
            Q(current_rating__isnull=True) | ~Q(current_rating__overall__in=[r.value for r in PUBLISHED_RATINGS])
        )
    elif filters.rating:
        locations = locations.filter(current_rating__overall=filters.rating)
    if filters.area_id is not None:
        locations = locations.filter(locality_area_id=filters.area_id)
    if filters.registration_status:
        locations = locations.filter(registration_status=filters.registration_status)
    if filters.service_type:
        # JSON text match, so it works on SQLite as well as PostgreSQL: the quotes pin the whole name.
        locations = locations.annotate(service_types_text=Cast("service_types", TextField())).filter(
            service_types_text__contains=json.dumps(filters.service_type)
        )
    return locations


def provider_search(filters: ProviderFilters) -> QuerySet[Provider]:
    """Providers with at least one location meeting the filters, and matching the search text."""
    providers = Provider.objects.all()
    if filters.rating or filters.area_id is not None or filters.registration_status or filters.service_type:
        providers = providers.filter(pk__in=cqc_locations_matching(filters).values("provider_id"))
    q = filters.q.strip()
    if q:
        by_location = CqcLocation.objects.filter(
            Q(name__icontains=q) | Q(location_id__iexact=q) | Q(postcode__istartswith=q)
        ).values("provider_id")
        providers = providers.filter(Q(name__icontains=q) | Q(cqc_provider_id__iexact=q) | Q(pk__in=by_location))
    return providers.order_by("name", "pk")


def service_type_names() -> list[str]:
    """Every CQC service type seen on a location, for filter choices."""
    names: set[str] = set()
    for combination in CqcLocation.objects.values_list("service_types", flat=True).distinct():
        names.update(combination or [])
    return sorted(names)


def provider_detail(*, provider_id: int) -> Provider:
    """A provider with its locations, current ratings and rating history loaded (officer view)."""
    return get_object_or_404(
        Provider.objects.prefetch_related(
            Prefetch(
                "locations",
                queryset=CqcLocation.objects.select_related("current_rating", "locality_area", "ward")
                .prefetch_related("ratings")
                .order_by("registration_status", "-is_homecare_agency", "name"),
            )
        ),
        pk=provider_id,
    )
