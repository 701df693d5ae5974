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
def funding_create(request: HttpRequest) -> HttpResponse:
    form = forms.FundingModelForm(request.POST or None, areas=selectors.locality_areas())
    back = reverse("commissioning:procurement:funding_list")
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        if selectors.funding_model_list().filter(name=data["name"].strip()).exists():
            form.add_error("name", "Another funding model has that name; choose another.")
        else:
            try:
                model = funding_services.funding_model_create(
                    actor=request_user(request),
                    name=data["name"].strip(),
                    budget=data["budget"],
                    budget_year=data["budget_year"],
                    floor_percent=data["floor_percent"],
                    indicators=[
                        funding_services.IndicatorInput(key=key, name=name, weight=weight, source=source, values=values)
                        for key, name, weight, source, values in data["indicators"]
                    ],
                    current_funding=data["current_funding"],
                )
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                # The inputs are kept even when they cannot be shared out (say the floors exceed the budget):
                # the model's page says why, and the officer changes the inputs there.
                try:
                    funding_services.funding_model_calculate(actor=request_user(request), model=model)
                except ValidationError as error:
                    messages.error(
                        request, f"Saved, but the shares could not be calculated: {' '.join(error.messages)}"
                    )
                else:
                    messages.success(request, "Funding model saved and its shares calculated.")
                return redirect(reverse("commissioning:procurement:funding_detail", args=[model.pk]))
    return _form_page(
        request,
        form=form,
        title="Set up a funding model",
        back_url=back,
        intro="Each area's share comes from the weighted indicators (weights are relative); the floor protects each "
        "area's current funding. Leave an indicator's name blank to leave it out.",
    )


@audience_required(Audience.OFFICER)
def funding_detail(request: HttpRequest, model_id: int) -> HttpResponse:
    model = selectors.funding_model_get(model_id=model_id)
    inputs = selectors.formula_inputs(model)
    allocations = list(selectors.funding_allocations(model=model))
    indicators = list(model.indicators.all())
    scenario_form = forms.FundingScenarioForm(
        request.GET or None, indicators=[(indicator.key, indicator.name) for indicator in indicators]
    )
    changes = scenario_form.weight_changes()
    try:
        scenario = selectors.funding_scenario(model=model, weight_changes=changes)
        problem = ""
    except ValidationError as error:
        scenario, problem = [], " ".join(error.messages)
    names = {area.code: area.name for area in inputs.areas}
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
        "scenario_form": scenario_form,
        "scenario_fields": [scenario_form[f"change_{indicator.key}"] for indicator in indicators],
        "changes": [
            (indicator.name, changes[indicator.key], abs(changes[indicator.key]))
            for indicator in indicators
            if indicator.key in changes
        ],
        "scenario": [(names[row.area], row) for row in scenario],
        "scenario_total": sum((row.changed.amount for row in scenario), start=model.budget * 0),
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
def referral_create(request: HttpRequest) -> HttpResponse:
    """Refer a person straight to a neighbourhood team with agreed outcomes (not a move from time and task)."""
    form = forms.ReferralForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            referral = neighbourhood_services.referral_receive(
                actor=request_user(request),
                bank=data["bank"],
                person_reference=data["person_reference"],
                referred_on=data["referred_on"],
                referred_by=data["referred_by"],
                outcomes=data["outcomes"].splitlines(),
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, f"Referred {referral.person_reference} to {referral.bank.team_name}.")
            return redirect(reverse("commissioning:procurement:hours_bank", args=[referral.bank_id]))
    return _form_page(
        request,
        form=form,
        title="Refer a person to a neighbourhood team",
        back_url=reverse("commissioning:procurement:neighbourhood"),
    )


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
