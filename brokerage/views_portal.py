"""Provider portal pages: the provider's own offers, responses, hand-backs and capacity.

Before award a provider sees only what it needs to decide (postcode district, area, visit pattern, needs,
hours); the person's name and address appear only once the package is awarded to it.
"""

from __future__ import annotations

from decimal import Decimal

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from brokerage.capacity_tracker import reporting_window, tracker_return, window_open
from brokerage.forms import AcceptForm, CapabilitiesForm, CapacityFormSet, CareStartedForm, DeclineForm, HandBackForm
from brokerage.models import Offer, PersonDetailsAccess
from brokerage.selectors import (
    capacity_for_provider,
    offer_get_for_provider,
    offer_is_awarded_to_provider,
    offers_for_provider,
    person_details_for_provider,
    provider_position,
)
from brokerage.services.capacity import Capabilities, CapacityInvalid, capacity_update
from brokerage.services.packages import PackageStateError
from brokerage.services.responses import (
    OfferClosed,
    ResponseInvalid,
    offer_accept,
    offer_decline,
    offer_record_care_started,
    package_hand_back,
)
from homecare.accounts.audiences import Audience, audience_required, request_user
from homecare.spreadsheets import spreadsheet_response
from providers.models import LocalityArea

provider_only = audience_required(Audience.PROVIDER)


@provider_only
def offer_list_view(request: HttpRequest) -> HttpResponse:
    offers = offers_for_provider(provider_user=request.user).prefetch_related("package__visits")[:200]
    now = timezone.now()
    open_offers = [offer for offer in offers if offer.can_be_answered(at=now)]
    other_offers = [o for o in offers if o not in open_offers]
    return render(
        request, "brokerage/portal/offer_list.html", {"open_offers": open_offers, "other_offers": other_offers}
    )


def _detail(
    request: HttpRequest,
    offer: Offer,
    *,
    accept_form: AcceptForm | None = None,
    decline_form: DeclineForm | None = None,
    status: int = 200,
) -> HttpResponse:
    can_respond = offer.can_be_answered(at=timezone.now())
    context = {
        "offer": offer,
        "package": offer.package,
        "position": provider_position(offer=offer),
        "person": person_details_for_provider(
            offer=offer, provider_user=request.user, route=PersonDetailsAccess.Route.PROVIDER_PORTAL
        ),
        "awarded": offer_is_awarded_to_provider(offer),
        "can_respond": can_respond,
        "accept_form": accept_form or AcceptForm(prefix="accept"),
        "decline_form": decline_form or DeclineForm(prefix="decline"),
        "care_started_form": CareStartedForm(prefix="started"),
    }
    return render(request, "brokerage/portal/offer_detail.html", context, status=status)


@provider_only
def offer_detail_view(request: HttpRequest, offer_id: int) -> HttpResponse:
    return _detail(request, offer_get_for_provider(offer_id=offer_id, provider_user=request.user))


@provider_only
@require_POST
def offer_accept_view(request: HttpRequest, offer_id: int) -> HttpResponse:
    offer = offer_get_for_provider(offer_id=offer_id, provider_user=request.user)
    form = AcceptForm(request.POST, prefix="accept")
    if not form.is_valid():
        return _detail(request, offer, accept_form=form, status=400)
    try:
        offer = offer_accept(
            offer_id=offer.pk, provider_user=request_user(request), start_on=form.cleaned_data["start_on"]
        )
    except ResponseInvalid as invalid:
        for name, problems in invalid.errors.items():
            for problem in problems:
                form.add_error(name if name in form.fields else None, problem)
        return _detail(request, offer, accept_form=form, status=400)
    except OfferClosed as error:
        messages.error(request, str(error))
        return redirect("portal:brokerage:detail", offer.pk)
    if offer.status == Offer.Status.AWARDED:
        messages.success(request, f"{offer.package.reference} is awarded to you. The person's details are below.")
    else:
        messages.success(request, "Thank you: your acceptance is recorded. The council awards when responses are in.")
    return redirect("portal:brokerage:detail", offer.pk)


@provider_only
@require_POST
def offer_decline_view(request: HttpRequest, offer_id: int) -> HttpResponse:
    offer = offer_get_for_provider(offer_id=offer_id, provider_user=request.user)
    form = DeclineForm(request.POST, prefix="decline")
    if not form.is_valid():
        return _detail(request, offer, decline_form=form, status=400)
    try:
        offer_decline(
            offer_id=offer.pk,
            provider_user=request_user(request),
            reason=form.cleaned_data["reason"],
            note=form.cleaned_data["note"],
        )
    except ResponseInvalid as invalid:
        for name, problems in invalid.errors.items():
            for problem in problems:
                form.add_error(name if name in form.fields else None, problem)
        return _detail(request, offer, decline_form=form, status=400)
    except OfferClosed as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "You have declined this package.")
    return redirect("portal:brokerage:detail", offer.pk)


@provider_only
@require_POST
def care_started_view(request: HttpRequest, offer_id: int) -> HttpResponse:
    offer = offer_get_for_provider(offer_id=offer_id, provider_user=request.user)
    form = CareStartedForm(request.POST, prefix="started")
    if not form.is_valid():
        messages.error(request, "Enter the day care started, for example 14 6 2025.")
        return redirect("portal:brokerage:detail", offer.pk)
    try:
        offer_record_care_started(
            offer_id=offer.pk, provider_user=request_user(request), started_on=form.cleaned_data["started_on"]
        )
    except PackageStateError as error:
        messages.error(request, str(error))
    else:
        messages.success(request, "The start of care is recorded.")
    return redirect("portal:brokerage:detail", offer.pk)


@provider_only
@require_http_methods(["GET", "POST"])
def hand_back_view(request: HttpRequest, offer_id: int) -> HttpResponse:
    offer = offer_get_for_provider(offer_id=offer_id, provider_user=request.user)
    form = HandBackForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            package_hand_back(
                offer_id=offer.pk,
                provider_user=request_user(request),
                effective_on=form.cleaned_data["effective_on"],
                reason=form.cleaned_data["reason"],
                note=form.cleaned_data["note"],
            )
        except PackageStateError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{offer.package.reference} handed back. The council is finding a new provider.")
            return redirect("portal:brokerage:list")
    return render(request, "brokerage/portal/hand_back.html", {"form": form, "offer": offer})


@provider_only
@require_http_methods(["GET", "POST"])
def capacity_view(request: HttpRequest) -> HttpResponse:
    provider, capacities, capabilities = capacity_for_provider(provider_user=request.user)
    areas = list(LocalityArea.objects.all())
    hours = {c.locality_area_id: c.hours_available_per_week for c in capacities}
    initial_rows = [{"area_id": area.pk, "hours": hours.get(area.pk, Decimal(0))} for area in areas]
    initial_caps = {
        "double_handed": capabilities.double_handed if capabilities else False,
        "lead_time_days": capabilities.lead_time_days if capabilities else 2,
        "skills": capabilities.skills if capabilities else [],
        "languages": ", ".join(capabilities.languages) if capabilities else "English",
        "carer_genders": capabilities.carer_genders if capabilities else ["female", "male"],
        "visits_from": capabilities.visits_from if capabilities else "07:00",
        "visits_until": capabilities.visits_until if capabilities else "22:00",
        "urgent_offer_sms_number": capabilities.urgent_offer_sms_number if capabilities else "",
    }
    formset = CapacityFormSet(request.POST or None, initial=initial_rows, prefix="areas")
    form = CapabilitiesForm(request.POST or None, initial=initial_caps)
    if request.method == "POST" and formset.is_valid() and form.is_valid():
        data = form.cleaned_data
        try:
            capacity_update(
                provider_user=request_user(request),
                hours_by_area={row["area_id"]: row["hours"] for row in formset.cleaned_data if row},
                capabilities=Capabilities(
                    double_handed=data["double_handed"],
                    lead_time_days=data["lead_time_days"],
                    skills=tuple(data["skills"]),
                    languages=tuple(part for part in data["languages"].split(",") if part.strip()),
                    carer_genders=tuple(data["carer_genders"]),
                    visits_from=data["visits_from"],
                    visits_until=data["visits_until"],
                    urgent_offer_sms_number=data["urgent_offer_sms_number"] or "",
                ),
            )
        except CapacityInvalid as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Your capacity is up to date. New packages are matched against it.")
            return redirect("portal:brokerage:capacity")
    rows = list(zip(areas, formset.forms, strict=True))
    return render(
        request,
        "brokerage/portal/capacity.html",
        {
            "provider": provider,
            "rows": rows,
            "formset": formset,
            "form": form,
            "capabilities": capabilities,
            # The monthly Capacity Tracker window: the page reminds the provider, and offers the figures.
            "tracker_window_open": window_open(timezone.localdate()),
            "tracker_window_ends": reporting_window(timezone.localdate())[1],
        },
    )


@provider_only
def capacity_tracker_view(request: HttpRequest) -> HttpResponse:
    """The home-care Capacity Tracker figures from the provider's own declaration, to copy into the return."""
    provider, _capacities, _capabilities = capacity_for_provider(provider_user=request.user)
    figures = tracker_return(provider=provider)
    return spreadsheet_response(
        header=["Capacity Tracker question", "Answer", "Where it comes from"],
        rows=figures.rows(),
        file_format="csv",
        filename_stem=f"capacity-tracker-{timezone.localdate():%Y-%m}",
    )
