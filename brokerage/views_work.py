"""Decision pages that officers and CCC staff share: the award, a by-hand award, a wider re-brokering.

Each page is drawn for the audience that asks (its own URLs, its own permission check in
``views_officer`` / ``views_ccc``); ``detail_url`` is where the page goes back to and on after success.
"""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from brokerage.forms import ManualAwardForm
from brokerage.forms_work import AwardForm, WidenedRebrokerForm
from brokerage.models import CarePackage
from brokerage.selectors import award_choices, latest_ranking, providers_for_manual_award
from brokerage.services.ccc import package_rebroker_widened
from brokerage.services.packages import PackageStateError
from brokerage.services.responses import (
    AwardReasonRequired,
    package_award,
    package_award_manually,
    package_rebroker,
)
from homecare.accounts.audiences import request_user
from providers.models import LocalityArea


def award_page(request: HttpRequest, package: CarePackage, *, detail_url: str, by_hand_url: str) -> HttpResponse:
    """The acceptors side by side, the ranking's recommendation first; awarding past it needs a reason."""
    choices = award_choices(user=request.user, package=package)
    form = AwardForm(request.POST or None, acceptors=choices.acceptors)
    if request.method == "POST" and choices.acceptors and form.is_valid():
        try:
            offer = package_award(
                package_id=package.pk,
                offer_id=form.cleaned_data["offer"],
                awarded_by=request_user(request),
                reason=form.cleaned_data["reason"],
            )
        except AwardReasonRequired as error:
            form.add_error("reason", str(error))
        except PackageStateError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{package.reference} awarded to {offer.provider.name}.")
            return redirect(detail_url)
    context = {
        "package": package,
        "choices": choices,
        "form": form,
        "detail_url": detail_url,
        "by_hand_url": by_hand_url,
        "ranked": latest_ranking(package=package) is not None,
    }
    return render(request, "brokerage/award.html", context, status=400 if form.errors else 200)


def award_by_hand_page(request: HttpRequest, package: CarePackage, *, detail_url: str) -> HttpResponse:
    """Award directly to a provider appointed to the agreement (it need not have accepted), with a reason."""
    form = ManualAwardForm(request.POST or None, providers=providers_for_manual_award(package=package))
    if request.method == "POST" and form.is_valid():
        try:
            package_award_manually(
                package_id=package.pk,
                provider_id=form.cleaned_data["provider"].pk,
                awarded_by=request_user(request),
                reason=form.cleaned_data["reason"],
                start_on=form.cleaned_data["start_on"],
            )
        except PackageStateError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{package.reference} awarded to {form.cleaned_data['provider'].name}.")
            return redirect(detail_url)
    return render(
        request,
        "brokerage/officer/decision_form.html",
        {
            "form": form,
            "package": package,
            "back_url": detail_url,
            "title": f"Award {package.reference} by hand",
            "intro": "Only providers appointed to the package's agreement are listed; they need not have accepted.",
        },
    )


def rebroker_page(request: HttpRequest, package: CarePackage, *, detail_url: str) -> HttpResponse:
    """A new round for an unplaced package, optionally counting more areas or relaxing a condition."""
    areas = LocalityArea.objects.exclude(pk__in=[package.locality_area_id]).order_by("display_order", "name")
    form = WidenedRebrokerForm(request.POST or None, areas=areas)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if data["areas"] or data["relax"]:
                package_rebroker_widened(
                    package_id=package.pk,
                    requested_by=request_user(request),
                    reason=data["reason"],
                    widen_area_ids=[area.pk for area in data["areas"]],
                    relax=data["relax"],
                )
            else:
                package_rebroker(package_id=package.pk, requested_by=request_user(request), reason=data["reason"])
        except PackageStateError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{package.reference} is being brokered again.")
            return redirect(detail_url)
    return render(
        request,
        "brokerage/officer/decision_form.html",
        {
            "form": form,
            "package": package,
            "back_url": detail_url,
            "title": f"Broker {package.reference} again",
            "intro": "Providers that declined or handed it back stay excluded. Widening the search or relaxing a "
            "condition changes who can be offered it.",
        },
    )
