"""Provider-portal pages: open rounds, the provider's own applications, and its decision letters."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.views.decorators.http import require_POST

from dps import forms, letters, selectors, services
from dps.criteria import PUBLISHED_CRITERIA
from dps.models import ApplicationStatus, DpsRound
from homecare.accounts.audiences import Audience, audience_required, request_user


def _application_url(application_id: int) -> str:
    return reverse("portal:dps:application", args=[application_id])


@audience_required(Audience.PROVIDER)
def home(request: HttpRequest) -> HttpResponse:
    applications = selectors.applications_for_provider(provider_user=request.user)
    applied_rounds = {application.dps_round_id: application for application in applications}
    rounds = [(dps_round, applied_rounds.get(dps_round.pk)) for dps_round in selectors.open_rounds()]
    context = {"rounds": rounds, "applications": applications, "criteria": PUBLISHED_CRITERIA}
    return render(request, "dps/portal_home.html", context)


@audience_required(Audience.PROVIDER)
@require_POST
def application_start(request: HttpRequest, round_id: int) -> HttpResponse:
    dps_round = get_object_or_404(DpsRound, pk=round_id)
    try:
        application = services.application_start(provider_user=request_user(request), dps_round=dps_round)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
        return redirect(reverse("portal:dps:home"))
    return redirect(_application_url(application.pk))


@audience_required(Audience.PROVIDER)
def application(request: HttpRequest, application_id: int) -> HttpResponse:
    """The provider's own application: editable while a draft, read-only once submitted."""
    own = selectors.application_get_for_provider(application_id=application_id, provider_user=request.user)
    form = None
    if own.status == ApplicationStatus.DRAFT:
        initial = {
            "locations": list(own.locations.all()),
            "declares_contract_compliance": own.declares_contract_compliance,
            "declares_staff_pay_passed_on": own.declares_staff_pay_passed_on,
            "declares_fee_rates_accepted": own.declares_fee_rates_accepted,
        }
        form = forms.ApplicationForm(
            request.POST or None,
            initial=initial,
            locations=selectors.locations_for_provider(provider_user=request.user),
        )
        if request.method == "POST" and form.is_valid():
            user = request_user(request)
            try:
                services.application_save_draft(
                    provider_user=user,
                    application=own,
                    location_ids=[location.pk for location in form.cleaned_data["locations"]],
                    declarations=form.declarations(),
                )
                if request.POST.get("action") == forms.ApplicationForm.SUBMIT:
                    services.application_submit(provider_user=user, application=own)
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                submitted = request.POST.get("action") == forms.ApplicationForm.SUBMIT
                messages.success(request, "Application submitted." if submitted else "Draft saved.")
                return redirect(_application_url(own.pk))
    context = {
        "application": own,
        "form": form,
        "criteria": PUBLISHED_CRITERIA,
        "decision": getattr(own, "decision", None),
    }
    return render(request, "dps/portal_application.html", context, status=400 if form and form.errors else 200)


@audience_required(Audience.PROVIDER)
def application_letter(request: HttpRequest, application_id: int, fmt: str = "html") -> HttpResponse:
    own = selectors.application_get_for_provider(application_id=application_id, provider_user=request.user)
    return letters.letter_response(request, application=own, fmt=fmt)
