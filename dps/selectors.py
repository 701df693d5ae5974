"""Reads for DPS rounds, applications and decisions. Provider reads are fetched and authorised together."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import AbstractBaseUser, AnonymousUser
from django.db.models import Count, Q, QuerySet
from django.http import Http404
from django.shortcuts import get_object_or_404
from django.utils import timezone

from contracts.models import Agreement
from dps.models import ApplicationStatus, DpsRound, ProviderApplication, RoundStatus
from providers.models import CqcLocation
from providers.selectors import provider_for_user

UserLike = AbstractBaseUser | AnonymousUser


def rounds_for_agreement(*, agreement: Agreement) -> QuerySet[DpsRound]:
    return (
        DpsRound.objects.filter(agreement=agreement)
        .annotate(
            n_applications=Count("applications", filter=~Q(applications__status=ApplicationStatus.DRAFT)),
            n_appointed=Count("applications", filter=Q(applications__status=ApplicationStatus.APPOINTED)),
        )
        .order_by("opens_at")
    )


def round_list() -> QuerySet[DpsRound]:
    return (
        DpsRound.objects.select_related("agreement")
        .annotate(
            n_applications=Count("applications", filter=~Q(applications__status=ApplicationStatus.DRAFT)),
            n_appointed=Count("applications", filter=Q(applications__status=ApplicationStatus.APPOINTED)),
        )
        .order_by("-opens_at")
    )


def round_get(*, round_id: int) -> DpsRound:
    return get_object_or_404(DpsRound.objects.select_related("agreement"), pk=round_id)


def open_rounds(*, now: datetime | None = None) -> QuerySet[DpsRound]:
    moment = now or timezone.now()
    return DpsRound.objects.filter(status=RoundStatus.OPEN, closes_at__gt=moment).select_related("agreement")


def applications_in_round(*, dps_round: DpsRound) -> QuerySet[ProviderApplication]:
    """Submitted and decided applications (drafts are the provider's own business until submitted)."""
    return (
        ProviderApplication.objects.filter(dps_round=dps_round)
        .exclude(status=ApplicationStatus.DRAFT)
        .select_related("provider", "decision")
        .prefetch_related("criterion_results")
        .order_by("provider__name")
    )


def applications_to_decide() -> QuerySet[ProviderApplication]:
    """Submitted applications still waiting for an officer's decision, oldest first (the officers' to-do)."""
    return (
        ProviderApplication.objects.filter(status=ApplicationStatus.SUBMITTED)
        .select_related("provider", "dps_round", "dps_round__agreement")
        .order_by("submitted_at", "pk")
    )


def application_get_for_officer(*, application_id: int) -> ProviderApplication:
    application = get_object_or_404(
        ProviderApplication.objects.select_related("dps_round__agreement", "provider", "submitted_by").prefetch_related(
            "criterion_results", "locations__current_rating"
        ),
        pk=application_id,
    )
    if application.status == ApplicationStatus.DRAFT:
        raise Http404("Drafts are not shown to officers.")
    return application


def applications_for_provider(*, provider_user: UserLike) -> QuerySet[ProviderApplication]:
    provider = provider_for_user(user=provider_user)
    return (
        ProviderApplication.objects.filter(provider=provider)
        .select_related("dps_round__agreement")
        .order_by("-dps_round__opens_at")
    )


def application_get_for_provider(*, application_id: int, provider_user: UserLike) -> ProviderApplication:
    """The provider's own application; another provider's is a 404, never a 403 that confirms it exists."""
    provider = provider_for_user(user=provider_user)
    return get_object_or_404(
        ProviderApplication.objects.select_related("dps_round__agreement", "provider").prefetch_related(
            "criterion_results", "locations"
        ),
        pk=application_id,
        provider=provider,
    )


def locations_for_provider(*, provider_user: UserLike) -> QuerySet[CqcLocation]:
    provider = provider_for_user(user=provider_user)
    return CqcLocation.objects.filter(provider=provider).select_related("current_rating").order_by("name")
