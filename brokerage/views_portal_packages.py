"""The provider portal's home and "My packages": what is waiting, and each package the provider holds.

A held package's care details (the person's address and contacts) are shown only to the provider holding the
award, and each view of them is logged (``PersonDetailsAccess``, route "my packages").
"""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.utils import timezone

from brokerage.models import Offer
from brokerage.selectors import offers_for_provider
from brokerage.selectors_providers import (
    awarded_offer,
    package_get_for_provider,
    packages_for_provider,
    person_details_for_held_package,
    provider_contract_for_user,
    rates_in_force,
)
from brokerage.worklists import provider_todo
from homecare.accounts.audiences import Audience, audience_required
from providers.selectors import provider_for_user

provider_only = audience_required(Audience.PROVIDER)
HOME_LIST_LIMIT = 10


@provider_only
def portal_home_view(request: HttpRequest) -> HttpResponse:
    now = timezone.now()
    # The nearest deadline first: what to answer before it is too late.
    pending = offers_for_provider(provider_user=request.user, status=Offer.Status.PENDING).order_by("respond_by", "id")
    waiting = [offer for offer in pending[: HOME_LIST_LIMIT * 2] if offer.can_be_answered(at=now)][:HOME_LIST_LIMIT]
    return render(
        request,
        "portal/home.html",
        {
            "provider": provider_for_user(user=request.user),
            "todo": provider_todo(request.user),
            "waiting": waiting,
            "held": list(packages_for_provider(provider_user=request.user)[:HOME_LIST_LIMIT]),
        },
    )


@provider_only
def my_packages_view(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "brokerage/portal/my_packages.html",
        {
            "provider": provider_for_user(user=request.user),
            "packages": list(packages_for_provider(provider_user=request.user)[:500]),
            "contract": provider_contract_for_user(provider_user=request.user),
        },
    )


@provider_only
def my_package_detail_view(request: HttpRequest, package_id: int) -> HttpResponse:
    package = package_get_for_provider(provider_user=request.user, package_id=package_id)
    return render(
        request,
        "brokerage/portal/my_package_detail.html",
        {
            "package": package,
            "offer": awarded_offer(package=package),
            "person": person_details_for_held_package(provider_user=request.user, package=package),
            "rates": rates_in_force(agreement_ids=[package.agreement_id]),
        },
    )
