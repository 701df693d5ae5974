"""Officer pages for dynamic markets: notices, requests to join, their checks with evidence, the decision."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone

from commissioning import forms, selectors
from commissioning.models import DebarmentEntry, MarketApplicationStatus
from commissioning.services import markets as services
from contracts.views import _form_page
from homecare.accounts.audiences import Audience, audience_required, request_user
from homecare.audit.selectors import audit_events_for


@audience_required(Audience.OFFICER)
def market_list(request: HttpRequest) -> HttpResponse:
    context = {"markets": selectors.market_list(), "debarments": DebarmentEntry.objects.order_by("supplier_name")}
    return render(request, "procurement/market_list.html", context)


@audience_required(Audience.OFFICER)
def market_detail(request: HttpRequest, market_id: int) -> HttpResponse:
    market = selectors.market_get(market_id=market_id)
    context = {
        "market": market,
        "applications": selectors.market_applications(market=market),
        "is_open": services.market_is_open(market),
        "today": timezone.localdate(),
        "audit_events": audit_events_for(target=market)[:20],
    }
    return render(request, "procurement/market_detail.html", context)


@audience_required(Audience.OFFICER)
def market_notice(request: HttpRequest, market_id: int) -> HttpResponse:
    market = selectors.market_get(market_id=market_id)
    form = forms.NoticeForm(request.POST or None)
    back = reverse("commissioning:procurement:market_detail", args=[market.pk])
    if request.method == "POST" and form.is_valid():
        try:
            services.market_notice_publish(actor=request_user(request), market=market, **form.cleaned_data)
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            return redirect(back)
    return _form_page(request, form=form, title="Record a notice", back_url=back, caption=str(market))


@audience_required(Audience.OFFICER)
def market_application_detail(request: HttpRequest, market_request_id: int) -> HttpResponse:
    application = selectors.market_application_get(application_id=market_request_id)
    form = None
    if application.status == MarketApplicationStatus.SUBMITTED:
        form = forms.MarketDecisionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            try:
                services.market_application_decide(
                    officer=request_user(request), application=application, **form.cleaned_data
                )
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, "Decision recorded.")
                return redirect(reverse("commissioning:procurement:market_application", args=[application.pk]))
    context = {
        "application": application,
        "results": application.checks.all(),
        "automatic_passed": application.automatic_result_passed,
        "mandatory": services.mandatory_exclusion(application),
        "form": form,
        "today": timezone.localdate(),
        "audit_events": audit_events_for(target=application)[:20],
    }
    return render(request, "procurement/market_application.html", context, status=400 if form and form.errors else 200)


@audience_required(Audience.OFFICER)
def debarment_record(request: HttpRequest) -> HttpResponse:
    form = forms.DebarmentEntryForm(request.POST or None)
    back = reverse("commissioning:procurement:market_list")
    if request.method == "POST" and form.is_valid():
        try:
            entry = services.debarment_entry_record(actor=request_user(request), **form.cleaned_data)
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, f"Recorded {entry.supplier_name} on the debarment list.")
            return redirect(back)
    return _form_page(
        request,
        form=form,
        title="Record a debarment list entry",
        back_url=back,
        intro="Requests to join a dynamic market are checked against these entries by Companies House number and name.",
    )
