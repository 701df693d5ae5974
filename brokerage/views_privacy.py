"""Officer pages for personal data: a package's access log (panel and CSV), subject access and erasure."""

from __future__ import annotations

import json

from django.contrib import messages
from django.core.paginator import Page, Paginator
from django.core.serializers.json import DjangoJSONEncoder
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from brokerage.forms_privacy import ErasureForm, SubjectAccessForm
from brokerage.models import CarePackage, PersonDetailsAccess
from brokerage.selectors import package_get_for_officer, person_accesses_for_officer
from brokerage.services.privacy import CARE_IN_HAND, ErasureRefused, person_details_erase, subject_access_export
from homecare.accounts.audiences import Audience, audience_required, request_user
from homecare.spreadsheets import spreadsheet_response

officer_only = audience_required(Audience.OFFICER)
ACCESS_LOG_PAGE_SIZE = 20


def access_log_page(request: HttpRequest, package: CarePackage) -> Page[PersonDetailsAccess]:
    """The page of the package's access log asked for by ``?access_page=`` (newest first)."""
    accesses = person_accesses_for_officer(user=request.user, package=package)
    return Paginator(accesses, ACCESS_LOG_PAGE_SIZE).get_page(request.GET.get("access_page"))


@officer_only
def access_log_csv_view(request: HttpRequest, package_id: int) -> HttpResponse:
    package = package_get_for_officer(user=request.user, package_id=package_id)
    rows = (
        [
            timezone.localtime(access.accessed_at).strftime("%Y-%m-%d %H:%M:%S"),
            access.user_label,
            access.provider.name if access.provider else "",
            access.get_route_display(),
        ]
        for access in person_accesses_for_officer(user=request.user, package=package).iterator()
    )
    # The one formula-injection rule for downloads (homecare.spreadsheets): a name can never run as a formula.
    return spreadsheet_response(
        header=["When", "Who", "Provider", "Route"],
        rows=rows,
        file_format="csv",
        filename_stem=f"{package.reference}-access-log",
    )


@officer_only
@require_http_methods(["GET", "POST"])
def subject_access_view(request: HttpRequest) -> HttpResponse:
    """Find one person and export everything held about them: a printable page, or JSON to download.

    A POST, so the name and date of birth searched for never appear in a URL (or a server's access log).
    """
    form = SubjectAccessForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        export = subject_access_export(
            user=request_user(request),
            mosaic_person_id=data["mosaic_person_id"],
            family_name=data["family_name"],
            date_of_birth=data["date_of_birth"],
        )
        if request.POST.get("format") == "json":
            body = json.dumps(export.document, cls=DjangoJSONEncoder, indent=2)
            response = HttpResponse(body, content_type="application/json")
            response["Content-Disposition"] = f'attachment; filename="subject-access-{export.run.pk}.json"'
            return response
        # The JSON button posts the same search again (and is logged and audited again: it is another export).
        resubmit = [
            (name, value) for name, value in request.POST.items() if name not in ("csrfmiddlewaretoken", "format")
        ]
        return render(
            request, "brokerage/officer/subject_access_export.html", {"export": export.document, "resubmit": resubmit}
        )
    return render(request, "brokerage/officer/subject_access.html", {"form": form})


@officer_only
@require_http_methods(["GET", "POST"])
def erasure_view(request: HttpRequest, package_id: int) -> HttpResponse:
    package = package_get_for_officer(user=request.user, package_id=package_id)
    care_in_hand = package.status in CARE_IN_HAND
    form = ErasureForm(request.POST or None, care_in_hand=care_in_hand)
    if request.method == "POST" and form.is_valid():
        try:
            person_details_erase(
                package_id=package.pk,
                erased_by=request_user(request),
                reason=form.cleaned_data["reason"],
                confirm_care_in_hand=bool(form.cleaned_data.get("confirm_care_in_hand")),
            )
        except ErasureRefused as refused:
            form.add_error(refused.field if refused.field in form.fields else None, str(refused))
        else:
            messages.success(request, f"Erased the person's details of {package.reference}.")
            return redirect("commissioning:brokerage:detail", package.pk)
    return render(
        request, "brokerage/officer/erasure.html", {"form": form, "package": package, "care_in_hand": care_in_hand}
    )
