"""Officer pages for DPS rounds, applications, decisions, letters and the decision record."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from contracts.selectors import agreement_get
from contracts.views import _form_page
from dps import exports, forms, letters, selectors, services
from dps.criteria import PUBLISHED_CRITERIA
from dps.models import ApplicationStatus
from homecare.accounts.audiences import Audience, audience_required, request_user
from homecare.audit.selectors import audit_events_for
from homecare.spreadsheets import FILE_FORMATS


def _round_url(round_id: int) -> str:
    return reverse("commissioning:dps:round_detail", args=[round_id])


def _application_url(application_id: int) -> str:
    return reverse("commissioning:dps:application_detail", args=[application_id])


@audience_required(Audience.OFFICER)
def round_list(request: HttpRequest) -> HttpResponse:
    return render(request, "dps/round_list.html", {"rounds": selectors.round_list(), "criteria": PUBLISHED_CRITERIA})


@audience_required(Audience.OFFICER)
def applications_to_decide(request: HttpRequest) -> HttpResponse:
    page = Paginator(selectors.applications_to_decide(), 50).get_page(request.GET.get("page"))
    return render(request, "dps/applications_to_decide.html", {"page": page})


@audience_required(Audience.OFFICER)
@require_POST
def rounds_generate(request: HttpRequest, agreement_id: int) -> HttpResponse:
    agreement = agreement_get(agreement_id=agreement_id)
    created = services.rounds_generate(actor=request_user(request), agreement=agreement)
    messages.success(
        request, f"Scheduled {len(created)} new round(s)." if created else "Every round is already scheduled."
    )
    return redirect(reverse("commissioning:contracts:detail", args=[agreement.pk]))


@audience_required(Audience.OFFICER)
def round_detail(request: HttpRequest, round_id: int) -> HttpResponse:
    dps_round = selectors.round_get(round_id=round_id)
    applications = selectors.applications_in_round(dps_round=dps_round)
    context = {
        "dps_round": dps_round,
        "applications": applications,
        "audit_events": audit_events_for(target=dps_round)[:20],
    }
    return render(request, "dps/round_detail.html", context)


@audience_required(Audience.OFFICER)
def round_reschedule(request: HttpRequest, round_id: int) -> HttpResponse:
    dps_round = selectors.round_get(round_id=round_id)
    initial = {
        "opens_on": timezone.localtime(dps_round.opens_at).date(),
        "closes_on": timezone.localtime(dps_round.closes_at).date(),
    }
    form = forms.RoundRescheduleForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.round_reschedule(
                actor=request_user(request),
                dps_round=dps_round,
                opens_at=services.start_of(data["opens_on"]),
                closes_at=services.start_of(data["closes_on"]),
                reason=data["reason"],
            )
        except ValidationError as error:
            for message in error.messages:
                form.add_error(None, message)
        else:
            messages.success(request, f"Moved {dps_round}.")
            return redirect(_round_url(dps_round.pk))
    return _form_page(
        request,
        form=form,
        title=f"Change the dates of {dps_round}",
        caption=str(dps_round.agreement),
        back_url=_round_url(dps_round.pk),
    )


@audience_required(Audience.OFFICER)
def application_detail(request: HttpRequest, application_id: int) -> HttpResponse:
    application = selectors.application_get_for_officer(application_id=application_id)
    decision = getattr(application, "decision", None)
    form = None
    if application.status == ApplicationStatus.SUBMITTED:
        form = forms.DecisionForm(request.POST or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                services.application_decide(
                    officer=request_user(request),
                    application=application,
                    outcome=data["outcome"],
                    reasons=data["reasons"],
                    override_justification=data["override_justification"],
                    appointed_on=data["appointed_on"],
                )
            except ValidationError as error:
                for message in error.messages:
                    form.add_error(None, message)
            else:
                messages.success(request, "Recorded the decision. The letter is ready to send.")
                return redirect(_application_url(application.pk))
    results = list(application.criterion_results.all())
    context = {
        "application": application,
        "results": results,
        "automatic_passed": application.automatic_result_passed,
        "decision": decision,
        "form": form,
        "audit_events": audit_events_for(target=application)[:30],
    }
    return render(request, "dps/application_detail.html", context, status=400 if form and form.errors else 200)


@audience_required(Audience.OFFICER)
@require_POST
def application_reevaluate(request: HttpRequest, application_id: int) -> HttpResponse:
    """Evaluate again, e.g. after a CQC rating changed; only before the decision."""
    application = selectors.application_get_for_officer(application_id=application_id)
    try:
        services.application_evaluate(application=application, actor=request_user(request))
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, "Evaluated the application again with today's CQC records.")
    return redirect(_application_url(application.pk))


@audience_required(Audience.OFFICER)
def application_letter(request: HttpRequest, application_id: int, fmt: str = "html") -> HttpResponse:
    application = selectors.application_get_for_officer(application_id=application_id)
    return letters.letter_response(request, application=application, fmt=fmt)


@audience_required(Audience.OFFICER)
def decision_record(request: HttpRequest, round_id: int, fmt: str = "html") -> HttpResponse:
    """The decision report's appendix: every appointed provider, as a page, CSV or XLSX."""
    dps_round = selectors.round_get(round_id=round_id)
    if fmt in FILE_FORMATS:
        return exports.decision_record_response(dps_round=dps_round, file_format=fmt)
    rows = exports.decision_record(dps_round=dps_round)
    context = {"dps_round": dps_round, "columns": exports.COLUMNS, "rows": rows}
    return render(request, "dps/decision_record.html", context)
