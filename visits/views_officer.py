"""Officer pages: pay runs (compute, review, approve, export) and disputes."""

from __future__ import annotations

from datetime import date, timedelta

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from homecare.accounts.audiences import Audience, audience_required, request_user
from homecare.spreadsheets import FILE_FORMATS, spreadsheet_response
from visits import cld
from visits.forms import DisputeResolveForm, PayRunForm
from visits.selectors import (
    contract_monitoring,
    dispute_get_for_officer,
    disputes_open,
    pay_lines_of,
    pay_run_get_for_officer,
    pay_runs_for_officer,
    provider_monitoring,
)
from visits.services.cld_returns import cld_return_export
from visits.services.pay_runs import (
    PayRunError,
    pay_dispute_resolve,
    pay_run_approve,
    pay_run_compute,
    pay_run_reproduces,
)
from visits.statement_pdf import statement_pdf_response
from visits.statements import (
    CONTROCC_HEADER,
    FINANCE_HEADER,
    STATEMENT_HEADER,
    controcc_rows,
    finance_rows,
    statement_rows,
    total_with_credits,
)

officer_only = audience_required(Audience.OFFICER)
FLAG_NAMES = ("missed", "late", "short", "fewer_carers", "extra", "retainer")


@officer_only
def pay_run_list_view(request: HttpRequest) -> HttpResponse:
    form = PayRunForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            run = pay_run_compute(
                agreement=form.cleaned_data["agreement"],
                provider=form.cleaned_data["provider"],
                period_start=form.cleaned_data["period_start"],
                computed_by=request_user(request),
            )
        except (PayRunError, ValueError) as problem:
            form.add_error(None, str(problem))
        else:
            return redirect("commissioning:visits:pay_run", run.pk)
    context = {
        "form": form,
        "runs": pay_runs_for_officer(user=request.user)[:100],
        "disputes": disputes_open(user=request.user)[:100],
    }
    return render(request, "visits/officer/pay_run_list.html", context, status=400 if form.errors else 200)


@officer_only
def pay_run_view(request: HttpRequest, pay_run_id: int) -> HttpResponse:
    run = pay_run_get_for_officer(user=request.user, pay_run_id=pay_run_id)
    lines = list(pay_lines_of(run))
    flagged = {
        name: sum(1 for line in lines if name in line.flag_list)
        for name in ("missed", "late", "short", "fewer_carers", "extra", "retainer")
    }
    context = {
        "run": run,
        "lines": lines,
        "flagged": flagged,
        "reproduces": pay_run_reproduces(run),
        "total_with_credits": total_with_credits(run),
    }
    return render(request, "visits/officer/pay_run.html", context)


@officer_only
@require_POST
def pay_run_approve_view(request: HttpRequest, pay_run_id: int) -> HttpResponse:
    run = pay_run_get_for_officer(user=request.user, pay_run_id=pay_run_id)
    try:
        pay_run_approve(pay_run_id=run.pk, approved_by=request_user(request))
    except PayRunError as problem:
        messages.error(request, str(problem))
    else:
        messages.success(request, f"{run.reference} is approved; the provider can see its statement.")
    return redirect("commissioning:visits:pay_run", run.pk)


@officer_only
def pay_run_download_view(request: HttpRequest, pay_run_id: int, document: str, file_format: str) -> HttpResponse:
    run = pay_run_get_for_officer(user=request.user, pay_run_id=pay_run_id)
    if document == "statement" and file_format == "pdf":
        return statement_pdf_response(run, pay_lines_of(run))
    if file_format not in FILE_FORMATS:
        raise Http404("No such format.")
    header: tuple[str, ...]
    if document == "statement":
        header, rows = STATEMENT_HEADER, statement_rows(pay_lines_of(run))
    elif document == "finance":
        header, rows = FINANCE_HEADER, finance_rows([run])
    elif document == "controcc":
        header, rows = CONTROCC_HEADER, controcc_rows([run])
    else:
        raise Http404("No such document.")
    return spreadsheet_response(
        header=header, rows=rows, file_format=file_format, filename_stem=f"{document}-{run.reference}"
    )


@officer_only
def dispute_resolve_view(request: HttpRequest, dispute_id: int) -> HttpResponse:
    dispute = dispute_get_for_officer(user=request.user, dispute_id=dispute_id)
    form = DisputeResolveForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            pay_dispute_resolve(
                dispute_id=dispute.pk,
                officer=request_user(request),
                uphold=form.cleaned_data["decision"] == "uphold",
                resolution=form.cleaned_data["resolution"],
            )
        except PayRunError as problem:
            form.add_error(None, str(problem))
        else:
            messages.success(request, "The dispute is resolved.")
            return redirect("commissioning:visits:pay_run", dispute.line.pay_run_id)
    status = 400 if form.errors else 200
    return render(request, "visits/officer/dispute.html", {"form": form, "dispute": dispute}, status=status)


def _period(request: HttpRequest) -> tuple[date, date]:
    """The monitoring period: the four weeks to yesterday, or ``?start=YYYY-MM-DD&weeks=N`` (N from 1 to 13)."""
    try:
        weeks = min(max(int(request.GET.get("weeks", "4")), 1), 13)
    except ValueError:
        weeks = 4
    try:
        start = date.fromisoformat(request.GET["start"])
    except (KeyError, ValueError):
        start = timezone.localdate() - timedelta(days=7 * weeks)
    return start, start + timedelta(days=7 * weeks - 1)


@officer_only
def monitoring_view(request: HttpRequest) -> HttpResponse:
    start, end = _period(request)
    rows = contract_monitoring(user=request.user, start=start, end=end)
    return render(request, "visits/officer/monitoring.html", {"rows": rows, "start": start, "end": end})


@officer_only
def provider_monitoring_view(request: HttpRequest, provider_id: int) -> HttpResponse:
    start, end = _period(request)
    provider, packages, weeks = provider_monitoring(user=request.user, provider_id=provider_id, start=start, end=end)
    context = {"provider": provider, "packages": packages, "weeks": weeks, "start": start, "end": end}
    return render(request, "visits/officer/provider_monitoring.html", context)


@audience_required(Audience.CCC)
def ccc_provider_monitoring_view(request: HttpRequest, provider_id: int) -> HttpResponse:
    """The same drill-down for the CCC, from its dashboard's trends: back to the dashboard, packages in its area."""
    start, end = _period(request)
    provider, packages, weeks = provider_monitoring(user=request.user, provider_id=provider_id, start=start, end=end)
    context = {
        "provider": provider, "packages": packages, "weeks": weeks, "start": start, "end": end,
        "back_href": reverse("ccc:home"), "back_label": "Back to the dashboard", "package_url": "ccc:brokerage:package",
    }  # fmt: skip
    return render(request, "visits/officer/provider_monitoring.html", context)


@officer_only
def cld_download_view(request: HttpRequest, file_format: str) -> HttpResponse:
    """The quarter's service events in DHSC's CLD shape: ``?year=2025&quarter=1`` (April to June 2025); audited."""
    if file_format not in FILE_FORMATS:
        raise Http404("No such format.")
    today = timezone.localdate()
    try:
        year = int(request.GET.get("year", today.year if today.month >= 4 else today.year - 1))
        quarter = int(request.GET.get("quarter", ((today.month - 4) % 12) // 3 + 1))
        cld.quarter_bounds(year, quarter)
    except ValueError as error:
        raise Http404("No such quarter.") from error
    return spreadsheet_response(
        header=cld.HEADER,
        rows=cld_return_export(actor=request_user(request), year=year, quarter=quarter),
        file_format=file_format,
        filename_stem=f"cld-service-events-{year}-q{quarter}",
    )
