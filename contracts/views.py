"""Officer pages for agreements: each view validates a form, calls a service, then renders or redirects."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.forms import Form
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from contracts import forms, panels, selectors, services
from contracts.models import AgreementExtension, AllocationPolicy, Lot, MembershipRole, MembershipStatus, Urgency
from homecare.accounts.audiences import Audience, audience_required, request_user
from homecare.audit.selectors import audit_events_for

MEMBERS_PER_PAGE = 25


def _detail_url(agreement_id: int) -> str:
    return reverse("commissioning:contracts:detail", args=[agreement_id])


def _form_page(
    request: HttpRequest,
    *,
    form: Form,
    title: str,
    back_url: str,
    caption: str = "",
    intro: str = "",
) -> HttpResponse:
    context = {"form": form, "title": title, "back_url": back_url, "caption": caption, "intro": intro}
    return render(request, "contracts/form_page.html", context, status=400 if form.errors else 200)


def _attempt(form: Form, write: Callable[[], Any]) -> Any | None:
    """Run a service; a ValidationError it raises is shown on the form instead of a crash."""
    try:
        return write()
    except ValidationError as error:
        for message in error.messages:
            form.add_error(None, message)
        return None


@audience_required(Audience.OFFICER)
def agreement_list(request: HttpRequest) -> HttpResponse:
    return render(request, "contracts/agreement_list.html", {"agreements": selectors.agreement_list()})


@audience_required(Audience.OFFICER)
def agreement_detail(request: HttpRequest, agreement_id: int) -> HttpResponse:
    agreement = selectors.agreement_get(agreement_id=agreement_id)
    search = request.GET.get("q", "").strip()[:100]
    memberships = selectors.memberships_for_agreement(agreement=agreement, provider_name=search)
    # A DPS can have hundreds of members: paged, and searchable by name. Lots have a few providers each.
    dps_page = Paginator(
        memberships.filter(lot__isnull=True).order_by("role", "provider__name", "pk"), MEMBERS_PER_PAGE
    ).get_page(request.GET.get("page"))
    context = {
        "agreement": agreement,
        "extensions": agreement.extensions.all(),
        "lots": agreement.lots.select_related("locality_area"),
        "deadlines": agreement.placement_deadlines.all(),
        "lot_memberships": list(
            memberships.filter(lot__isnull=False).order_by("lot__number", "role", "provider__name")
        ),
        "dps_memberships": dps_page.object_list,
        "page": dps_page,
        "search": search,
        "query_string": urlencode({"q": search}) if search else "",
        "fee_rates": selectors.fee_rates_for(agreement=agreement).select_related("created_by"),
        "audit_events": audit_events_for(target=agreement)[:20],
        "MembershipStatus": MembershipStatus,
        "panels": panels.agreement_panels_render(request=request, agreement=agreement),
    }
    return render(request, "contracts/agreement_detail.html", context)


@audience_required(Audience.OFFICER)
def agreement_create(request: HttpRequest) -> HttpResponse:
    form = forms.AgreementCreateForm(request.POST or None, initial={"allocation_policy": AllocationPolicy.RANKED_DPS})
    if request.method == "POST" and form.is_valid():
        extensions = [services.ExtensionOption(months) for months in form.cleaned_data["extension_months"]]
        agreement = _attempt(
            form,
            lambda: services.agreement_create(
                actor=request_user(request),
                extensions=extensions,
                placement_deadlines=form.placement_deadlines(),
                **form.agreement_fields(),
            ),
        )
        if agreement is not None:
            messages.success(request, f"Created {agreement}.")
            return redirect(_detail_url(agreement.pk))
    return _form_page(request, form=form, title="Add an agreement", back_url=reverse("commissioning:contracts:list"))


@audience_required(Audience.OFFICER)
def agreement_update(request: HttpRequest, agreement_id: int) -> HttpResponse:
    agreement = selectors.agreement_get(agreement_id=agreement_id)
    initial: dict[str, object] = {field: getattr(agreement, field) for field in services.AGREEMENT_FIELDS}
    for deadline in agreement.placement_deadlines.all():
        initial[forms.AgreementForm.DEADLINE_FIELDS[Urgency(deadline.urgency)]] = deadline.hours
        initial[f"{deadline.urgency}_response_hours"] = deadline.response_window_hours
        initial[f"{deadline.urgency}_working_hours"] = deadline.working_hours_only
    form = forms.AgreementUpdateForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        reason = form.cleaned_data["reason"]
        updated = _attempt(
            form,
            lambda: services.agreement_update_with_deadlines(
                actor=request_user(request),
                agreement=agreement,
                reason=reason,
                placement_deadlines=form.placement_deadlines(),
                **form.agreement_fields(),
            ),
        )
        if updated is not None:
            messages.success(request, "Saved the agreement's terms.")
            return redirect(_detail_url(agreement.pk))
    return _form_page(
        request, form=form, title="Change the agreement", caption=str(agreement), back_url=_detail_url(agreement.pk)
    )


@audience_required(Audience.OFFICER)
def extension_take(request: HttpRequest, agreement_id: int, extension_id: int) -> HttpResponse:
    extension = get_object_or_404(AgreementExtension, pk=extension_id, agreement_id=agreement_id)
    form = forms.ExtensionTakeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        taken = _attempt(
            form,
            lambda: services.extension_take(
                actor=request_user(request), extension=extension, taken_on=data["taken_on"], reason=data["reason"]
            ),
        )
        if taken is not None:
            messages.success(
                request, f"Took extension {extension.sequence}; the agreement now ends {taken.effective_end:%d %B %Y}."
            )
            return redirect(_detail_url(agreement_id))
    return _form_page(
        request,
        form=form,
        title=f"Take extension {extension.sequence} ({extension.length_months} months)",
        caption=str(extension.agreement),
        back_url=_detail_url(agreement_id),
    )


@audience_required(Audience.OFFICER)
def lot_create(request: HttpRequest, agreement_id: int) -> HttpResponse:
    agreement = selectors.agreement_get(agreement_id=agreement_id)
    form = forms.LotForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        lot = _attempt(
            form,
            lambda: services.lot_create(
                actor=request_user(request),
                agreement=agreement,
                number=data["number"],
                name=data["name"],
                locality_area=data["locality_area"],
            ),
        )
        if lot is not None:
            messages.success(request, f"Added {lot}.")
            return redirect(_detail_url(agreement.pk))
    return _form_page(
        request, form=form, title="Add a lot or area", caption=str(agreement), back_url=_detail_url(agreement.pk)
    )


@audience_required(Audience.OFFICER)
def membership_appoint(request: HttpRequest, agreement_id: int) -> HttpResponse:
    agreement = selectors.agreement_get(agreement_id=agreement_id)
    form = forms.MembershipAppointForm(
        request.POST or None, agreement=agreement, initial={"role": MembershipRole.DPS_MEMBER}
    )
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        membership = _attempt(
            form,
            lambda: services.membership_appoint(
                actor=request_user(request),
                agreement=agreement,
                provider=data["provider"],
                role=data["role"],
                lot=data["lot"],
                appointed_on=data["appointed_on"],
                reason=data["reason"],
            ),
        )
        if membership is not None:
            messages.success(request, f"Appointed {membership.provider}.")
            return redirect(_detail_url(agreement.pk))
    return _form_page(
        request, form=form, title="Appoint a provider", caption=str(agreement), back_url=_detail_url(agreement.pk)
    )


@audience_required(Audience.OFFICER)
def lot_lead_appoint(request: HttpRequest, agreement_id: int, lot_id: int) -> HttpResponse:
    lot = get_object_or_404(Lot.objects.select_related("agreement"), pk=lot_id, agreement_id=agreement_id)
    form = forms.LeadAppointForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        lead = _attempt(
            form,
            lambda: services.lot_lead_appoint(
                actor=request_user(request),
                lot=lot,
                provider=data["provider"],
                appointed_on=data["appointed_on"],
                reason=data["reason"],
            ),
        )
        if lead is not None:
            messages.success(request, f"{lead.provider} is now the lead provider for {lot}.")
            return redirect(_detail_url(agreement_id))
    return _form_page(
        request,
        form=form,
        title=f"Appoint the lead provider for {lot}",
        caption=str(lot.agreement),
        intro="Record the result of the lot's tender. The current lead, if any, leaves the lead role that day.",
        back_url=_detail_url(agreement_id),
    )


@audience_required(Audience.OFFICER)
def membership_change(request: HttpRequest, membership_id: int, action: str) -> HttpResponse:
    """Suspend, reinstate or end a membership: three small forms, one page."""
    membership = selectors.membership_get(membership_id=membership_id)
    actor = request_user(request)
    form: Form
    if action == "reinstate":
        form = forms.ReinstateForm(request.POST or None)
        title = f"Lift the suspension of {membership.provider}"
    else:
        form = forms.SuspendForm(request.POST or None) if action == "suspend" else forms.ExitForm(request.POST or None)
        title = f"{'Suspend' if action == 'suspend' else 'End the membership of'} {membership.provider}"
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        writes: dict[str, Callable[[], Any]] = {
            "suspend": lambda: services.membership_suspend(
                actor=actor, membership=membership, reason=data["reason"], on=data["on"]
            ),
            "exit": lambda: services.membership_exit(
                actor=actor, membership=membership, reason=data["reason"], on=data["on"]
            ),
            "reinstate": lambda: services.membership_reinstate(
                actor=actor, membership=membership, reason=data["reason"]
            ),
        }
        if _attempt(form, writes[action]) is not None:
            messages.success(request, f"Updated the membership of {membership.provider}.")
            return redirect(_detail_url(membership.agreement_id))
    return _form_page(
        request,
        form=form,
        title=title,
        caption=str(membership.agreement),
        back_url=_detail_url(membership.agreement_id),
    )


@audience_required(Audience.OFFICER)
def fee_rate_add(request: HttpRequest, agreement_id: int) -> HttpResponse:
    agreement = selectors.agreement_get(agreement_id=agreement_id)
    form = forms.FeeRateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        rate = _attempt(form, lambda: services.fee_rate_add(actor=request_user(request), agreement=agreement, **data))
        if rate is not None:
            messages.success(request, f"Added {rate}.")
            return redirect(_detail_url(agreement.pk))
    return _form_page(
        request,
        form=form,
        title="Add a fee rate",
        caption=str(agreement),
        intro="The new rate takes over from the date you give; earlier rates stay in the history.",
        back_url=_detail_url(agreement.pk),
    )
