"""Officer pages for the funding formula and the neighbourhood (CHWS) model."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from commissioning import forms, selectors
from commissioning.services import funding as funding_services
from commissioning.services import neighbourhood as neighbourhood_services
from contracts.views import _form_page
from homecare.accounts.audiences import Audience, audience_required, request_user


@audience_required(Audience.OFFICER)
def procurement_home(request: HttpRequest) -> HttpResponse:
    context = {
        "tenders": selectors.tender_list()[:5],
        "timetables": selectors.timetable_list()[:5],
        "markets": selectors.market_list(),
        "funding_models": selectors.funding_model_list(),
        "due": selectors.tasks_due(today=timezone.localdate())[:10],
    }
    return render(request, "procurement/home.html", context)


@audience_required(Audience.OFFICER)
def funding_list(request: HttpRequest) -> HttpResponse:
    return render(request, "procurement/funding_list.html", {"models": selectors.funding_model_list()})


@audience_required(Audience.OFFICER)
def funding_detail(request: HttpRequest, model_id: int) -> HttpResponse:
    model = selectors.funding_model_get(model_id=model_id)
    inputs = selectors.formula_inputs(model)
    try:
        sensitivity = selectors.funding_sensitivity(model=model)
        problem = ""
    except ValidationError as error:
        sensitivity, problem = [], " ".join(error.messages)
    allocations = list(selectors.funding_allocations(model=model))
    indicators = list(model.indicators.all())
    names = {indicator.key: indicator.name for indicator in indicators}
    context = {
        "model": model,
        "indicators": indicators,
        "areas": inputs.areas,
        "value_rows": [
            (area, [next((v.value for v in ind.values.all() if v.area_id == area.pk), None) for ind in indicators])
            for area in inputs.areas
        ],
        "allocations": allocations,
        "total": sum((a.amount for a in allocations), start=model.budget * 0),
        "sensitivity": [
            (
                names.get(row.indicator, row.indicator),
                row.step_percent,
                [row.changes.get(area.code) for area in inputs.areas],
            )
            for row in sensitivity
        ],
        "problem": problem,
    }
    return render(request, "procurement/funding_detail.html", context)


@audience_required(Audience.OFFICER)
@require_POST
def funding_calculate(request: HttpRequest, model_id: int) -> HttpResponse:
    model = selectors.funding_model_get(model_id=model_id)
    try:
        funding_services.funding_model_calculate(actor=request_user(request), model=model)
    except ValidationError as error:
        for message in error.messages:
            messages.error(request, message)
    else:
        messages.success(request, "Shares calculated.")
    return redirect(reverse("commissioning:procurement:funding_detail", args=[model.pk]))


@audience_required(Audience.OFFICER)
def neighbourhood_home(request: HttpRequest) -> HttpResponse:
    """The pilot areas' hours banks and outcome figures beside the time-and-task areas."""
    context = {
        "figures": selectors.neighbourhood_comparison(today=timezone.localdate()),
        "banks": selectors.hours_banks(),
    }
    return render(request, "procurement/neighbourhood_home.html", context)


@audience_required(Audience.OFFICER)
def hours_bank_detail(request: HttpRequest, bank_id: int) -> HttpResponse:
    bank = selectors.hours_bank_get(bank_id=bank_id)
    context = {
        "bank": bank,
        "weeks": bank.weeks.order_by("-week_starting")[:12],
        "referrals": selectors.referrals_for(bank=bank),
    }
    return render(request, "procurement/hours_bank_detail.html", context)


@audience_required(Audience.OFFICER)
def care_model_move(request: HttpRequest) -> HttpResponse:
    form = forms.CareModelMoveForm(request.POST or None)
    back = reverse("commissioning:procurement:neighbourhood")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            neighbourhood_services.care_model_move(
                actor=request_user(request),
                person_reference=data["person_reference"],
                to_model=data["to_model"],
                moved_on=data["moved_on"],
                reason=data["reason"],
                bank=data["bank"],
                outcomes=data["outcomes"].splitlines(),
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            return redirect(reverse("commissioning:procurement:care_model_history", args=[data["person_reference"]]))
    return _form_page(request, form=form, title="Move a person's care between models", back_url=back)


@audience_required(Audience.OFFICER)
def care_model_history(request: HttpRequest, person_reference: str) -> HttpResponse:
    context = {
        "person_reference": person_reference,
        "moves": selectors.care_model_history(person_reference=person_reference),
    }
    return render(request, "procurement/care_model_history.html", context)


@audience_required(Audience.OFFICER)
def hours_bank_week(request: HttpRequest, bank_id: int) -> HttpResponse:
    bank = selectors.hours_bank_get(bank_id=bank_id)
    form = forms.HoursBankWeekForm(request.POST or None)
    back = reverse("commissioning:procurement:hours_bank", args=[bank.pk])
    if request.method == "POST" and form.is_valid():
        try:
            neighbourhood_services.hours_bank_use_record(actor=request_user(request), bank=bank, **form.cleaned_data)
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, "Week recorded.")
            return redirect(back)
    return _form_page(
        request, form=form, title="Record a week's use of the hours bank", back_url=back, caption=bank.team_name
    )


@audience_required(Audience.OFFICER)
def outcome_review(request: HttpRequest, outcome_id: int) -> HttpResponse:
    outcome = selectors.referral_outcome_get(outcome_id=outcome_id)
    form = forms.OutcomeReviewForm(request.POST or None)
    back = reverse("commissioning:procurement:hours_bank", args=[outcome.referral.bank_id])
    if request.method == "POST" and form.is_valid():
        neighbourhood_services.outcome_review(actor=request_user(request), outcome=outcome, **form.cleaned_data)
        messages.success(request, "Review recorded.")
        return redirect(back)
    return _form_page(
        request, form=form, title="Review progress on an outcome", back_url=back, caption=outcome.description
    )
