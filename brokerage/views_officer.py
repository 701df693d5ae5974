"""Officer pages for packages: list, entry, detail (history, offers, rankings), decisions, CSV import."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib import messages
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods

from brokerage import views_work
from brokerage.forms import (
    CsvImportForm,
    ReasonForm,
)
from brokerage.models import CarePackage, PersonDetailsAccess
from brokerage.selectors import (
    package_get_for_officer,
    package_import_job_get,
    package_import_jobs_recent,
    package_list,
    package_notes,
    person_details_for_officer,
    runs_for_package,
)
from brokerage.services.import_jobs import package_import_queue
from brokerage.services.imports import COLUMNS, csv_row_count, package_import_csv
from brokerage.services.packages import (
    PackageStateError,
    package_cancel,
    package_submit,
)
from brokerage.views_privacy import access_log_page
from brokerage.worklists import WORKLISTS, officer_todo
from contracts.models import Urgency
from homecare.accounts.audiences import Audience, audience_required, request_user
from homecare.uploads import TextFileRefused, read_text_file
from providers.models import LocalityArea

officer_only = audience_required(Audience.OFFICER)
REFRESH_SECONDS = 2  # how often a running import's page shows its progress anew


@officer_only
def home_view(request: HttpRequest) -> HttpResponse:
    """The officer's home: a to-do list, each count linking to the list of exactly those items."""
    return render(request, "commissioning/home.html", {"todo": officer_todo(request.user)})


@officer_only
def package_list_view(request: HttpRequest) -> HttpResponse:
    area = request.GET.get("area", "")
    worklist = request.GET.get("worklist", "")
    packages = package_list(
        user=request.user,
        status=request.GET.get("status", ""),
        area_id=int(area) if area.isascii() and area.isdigit() and len(area) < 10 else None,
        urgency=request.GET.get("urgency", ""),
        search=request.GET.get("q", "").strip(),
        worklist=worklist if worklist in WORKLISTS else "",
    )
    page = Paginator(packages, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "brokerage/officer/package_list.html",
        {
            "page": page,
            "statuses": CarePackage.Status.choices,
            "urgencies": Urgency.choices,
            "areas": LocalityArea.objects.all(),
            "filters": request.GET,
            "worklist_label": WORKLISTS.get(worklist, ""),
        },
    )


@officer_only
def package_detail_view(request: HttpRequest, package_id: int) -> HttpResponse:
    package = package_get_for_officer(user=request.user, package_id=package_id)
    return render(
        request,
        "brokerage/officer/package_detail.html",
        {
            "package": package,
            "person": person_details_for_officer(
                user=request.user, package=package, route=PersonDetailsAccess.Route.OFFICER_PAGE
            ),
            "runs": runs_for_package(user=request.user, package=package),
            "access_log": access_log_page(request, package),
            "notes": package_notes(user=request.user, package=package),
        },
    )


def _decision_page(request: HttpRequest, package: CarePackage, form: Any, title: str) -> HttpResponse:
    return render(
        request,
        "brokerage/officer/decision_form.html",
        {"form": form, "title": title, "package": package},
    )


@officer_only
@require_http_methods(["GET", "POST"])
def package_submit_view(request: HttpRequest, package_id: int) -> HttpResponse:
    package = package_get_for_officer(user=request.user, package_id=package_id)
    if request.method == "POST":
        try:
            package_submit(package_id=package.pk, submitted_by=request_user(request))
        except PackageStateError as error:
            messages.error(request, str(error))
        else:
            messages.success(request, f"{package.reference} submitted: providers are being ranked.")
    return redirect("commissioning:brokerage:detail", package.pk)


@officer_only
@require_http_methods(["GET", "POST"])
def package_cancel_view(request: HttpRequest, package_id: int) -> HttpResponse:
    package = package_get_for_officer(user=request.user, package_id=package_id)
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            package_cancel(
                package_id=package.pk, cancelled_by=request_user(request), reason=form.cleaned_data["reason"]
            )
        except PackageStateError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{package.reference} cancelled.")
            return redirect("commissioning:brokerage:detail", package.pk)
    return _decision_page(request, package, form, f"Cancel {package.reference}")


@officer_only
@require_http_methods(["GET", "POST"])
def package_award_view(request: HttpRequest, package_id: int) -> HttpResponse:
    package = package_get_for_officer(user=request.user, package_id=package_id)
    return views_work.award_page(
        request,
        package,
        detail_url=reverse("commissioning:brokerage:detail", args=[package.pk]),
        by_hand_url=reverse("commissioning:brokerage:award_by_hand", args=[package.pk]),
    )


@officer_only
@require_http_methods(["GET", "POST"])
def package_award_by_hand_view(request: HttpRequest, package_id: int) -> HttpResponse:
    package = package_get_for_officer(user=request.user, package_id=package_id)
    return views_work.award_by_hand_page(
        request, package, detail_url=reverse("commissioning:brokerage:detail", args=[package.pk])
    )


@officer_only
@require_http_methods(["GET", "POST"])
def package_rebroker_view(request: HttpRequest, package_id: int) -> HttpResponse:
    package = package_get_for_officer(user=request.user, package_id=package_id)
    return views_work.rebroker_page(
        request, package, detail_url=reverse("commissioning:brokerage:detail", args=[package.pk])
    )


@officer_only
@require_http_methods(["GET", "POST"])
def package_import_view(request: HttpRequest) -> HttpResponse:
    """Small files are imported within the request; larger ones become a job, followed on its own page."""
    form = CsvImportForm(request.POST or None, request.FILES or None)
    report = None
    if request.method == "POST" and form.is_valid():
        upload = form.cleaned_data["file"]
        try:
            text = read_text_file(upload)  # checks the declared size against HOMECARE_IMPORT_MAX_MB first
        except TextFileRefused as problem:
            form.add_error("file", str(problem))  # names the file and what was found
        else:
            if csv_row_count(text) > settings.HOMECARE_IMPORT_IN_REQUEST_MAX_ROWS:
                job = package_import_queue(
                    text=text, file_name=upload.name or "upload.csv", uploaded_by=request_user(request)
                )
                return redirect("commissioning:brokerage:import-job", job.pk)
            report = package_import_csv(text=text, imported_by=request_user(request))
            if report.ok:
                messages.success(request, f"Imported {report.saved} packages.")
                return redirect("commissioning:brokerage:list")
    context = {
        "form": form,
        "report": report,
        "columns": COLUMNS,
        "jobs": package_import_jobs_recent(user=request.user),
        "in_request_max_rows": settings.HOMECARE_IMPORT_IN_REQUEST_MAX_ROWS,
    }
    return render(request, "brokerage/officer/import.html", context)


@officer_only
def package_import_job_view(request: HttpRequest, job_id: int) -> HttpResponse:
    """One background import: its progress while it runs (polled by htmx), then its report."""
    job = package_import_job_get(user=request.user, job_id=job_id)
    return render(request, "brokerage/officer/import_job.html", {"job": job, "refresh_seconds": REFRESH_SECONDS})


@officer_only
def package_import_job_progress_view(request: HttpRequest, job_id: int) -> HttpResponse:
    """The progress part of the job page, for htmx; once the job ends, the whole page is loaded again."""
    job = package_import_job_get(user=request.user, job_id=job_id)
    response = render(
        request, "brokerage/officer/import_job_progress.html", {"job": job, "refresh_seconds": REFRESH_SECONDS}
    )
    if job.is_finished:
        response["HX-Refresh"] = "true"  # the report has its own error summary and title: a full page
    return response
