"""Provider portal pages: upload actual visits, read statements, dispute a line."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render

from homecare.accounts.audiences import Audience, audience_required, request_user
from homecare.spreadsheets import FILE_FORMATS, spreadsheet_response
from homecare.uploads import TextFileRefused, read_text_file
from providers.selectors import provider_for_user
from visits.ecm_format import ADAPTERS, COLUMNS, csv_row_count
from visits.forms import DisputeForm, EcmUploadForm
from visits.models import ActualVisitImport
from visits.selectors import (
    pay_line_get_for_provider,
    pay_lines_of,
    pay_run_get_for_provider,
    pay_runs_for_provider,
    visit_import_job_get,
    visit_import_jobs_recent,
)
from visits.services.actuals import ActualVisitsRefused, ecm_file_import
from visits.services.import_jobs import ecm_import_queue
from visits.services.pay_runs import PayRunError, pay_dispute_raise
from visits.statement_pdf import statement_pdf_response
from visits.statements import STATEMENT_HEADER, statement_rows, total_with_credits

provider_only = audience_required(Audience.PROVIDER)
REFRESH_SECONDS = 2  # how often a running import's page asks for its progress


@provider_only
def actuals_upload_view(request: HttpRequest) -> HttpResponse:
    """Upload an ECM export; the whole file is saved or none of it, with errors listed by row."""
    form = EcmUploadForm(request.POST or None, request.FILES or None)
    refused: ActualVisitsRefused | None = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            text = read_text_file(upload)
        except TextFileRefused as problem:
            form.add_error("file", str(problem))
        else:
            file_name = upload.name or "visits.csv"
            if csv_row_count(text) > settings.HOMECARE_ECM_IN_REQUEST_MAX_ROWS:
                job = ecm_import_queue(text=text, file_name=file_name, provider_user=request_user(request))
                return redirect("portal:visits:import-job", job.pk)
            try:
                received = ecm_file_import(text=text, file_name=file_name, provider_user=request_user(request))
            except ActualVisitsRefused as problem:
                refused = problem
            else:
                messages.success(
                    request,
                    f"{received.rows} visits checked: {received.created} new, {received.updated} corrected, "
                    f"{received.unchanged} already received.",
                )
                return redirect("portal:visits:upload")
    provider = provider_for_user(user=request.user)
    context = {
        "form": form,
        "refused": refused,
        "columns": COLUMNS,
        "adapters": ADAPTERS.values(),
        "imports": ActualVisitImport.objects.filter(provider=provider)[:10],
        "jobs": visit_import_jobs_recent(provider_user=request.user),
        "max_mb": settings.HOMECARE_IMPORT_MAX_BYTES // (1024 * 1024),
        "in_request_max_rows": settings.HOMECARE_ECM_IN_REQUEST_MAX_ROWS,
    }
    status = 400 if refused is not None or form.errors else 200
    return render(request, "visits/portal/upload.html", context, status=status)


@provider_only
def import_job_view(request: HttpRequest, visit_job_id: int) -> HttpResponse:
    """One background ECM import: a progress bar while it runs (polled by htmx), then its outcome."""
    job = visit_import_job_get(provider_user=request.user, job_id=visit_job_id)
    return render(request, "visits/portal/import_job.html", {"job": job, "refresh_seconds": REFRESH_SECONDS})


@provider_only
def import_job_progress_view(request: HttpRequest, visit_job_id: int) -> HttpResponse:
    """The progress part of the job page, for htmx; once the job ends, the whole page is loaded again."""
    job = visit_import_job_get(provider_user=request.user, job_id=visit_job_id)
    response = render(
        request, "visits/portal/import_job_progress.html", {"job": job, "refresh_seconds": REFRESH_SECONDS}
    )
    if job.is_finished:
        response["HX-Refresh"] = "true"  # the outcome has its own error summary: a full page
    return response


@provider_only
def statement_list_view(request: HttpRequest) -> HttpResponse:
    runs = pay_runs_for_provider(provider_user=request.user)[:100]
    return render(request, "visits/portal/statement_list.html", {"runs": runs})


@provider_only
def statement_view(request: HttpRequest, pay_run_id: int) -> HttpResponse:
    run = pay_run_get_for_provider(provider_user=request.user, pay_run_id=pay_run_id)
    context = {"run": run, "lines": pay_lines_of(run), "total_with_credits": total_with_credits(run)}
    return render(request, "visits/portal/statement.html", context)


@provider_only
def statement_download_view(request: HttpRequest, pay_run_id: int, file_format: str) -> HttpResponse:
    if file_format not in (*FILE_FORMATS, "pdf"):
        raise Http404("No such format.")
    run = pay_run_get_for_provider(provider_user=request.user, pay_run_id=pay_run_id)
    if file_format == "pdf":
        return statement_pdf_response(run, pay_lines_of(run))
    return spreadsheet_response(
        header=STATEMENT_HEADER,
        rows=statement_rows(pay_lines_of(run)),
        file_format=file_format,
        filename_stem=f"statement-{run.reference}",
        sheet_title=run.reference,
        document_title=f"Statement {run.reference}",
    )


@provider_only
def dispute_raise_view(request: HttpRequest, line_id: int) -> HttpResponse:
    line = pay_line_get_for_provider(provider_user=request.user, line_id=line_id)
    form = DisputeForm(request.POST or None, initial={"amount_claimed": line.amount})
    if request.method == "POST" and form.is_valid():
        try:
            pay_dispute_raise(
                line_id=line.pk,
                provider_user=request_user(request),
                reason=form.cleaned_data["reason"],
                amount_claimed=form.cleaned_data["amount_claimed"],
            )
        except PayRunError as problem:
            form.add_error(None, str(problem))
        else:
            messages.success(request, "Your dispute has been sent to the council.")
            return redirect("portal:visits:statement", line.pay_run_id)
    status = 400 if form.errors else 200
    return render(request, "visits/portal/dispute.html", {"form": form, "line": line}, status=status)
