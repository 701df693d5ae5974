"""The officer's ISA form: entering a new package, and editing a draft or a package still being brokered.

The visit rows' own buttons (add, remove, copy to every day, start from a pattern; ``brokerage.visit_rows``)
post the whole form back and come back with the rows changed, nothing checked and nothing saved.
"""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from brokerage import entry_errors, visit_rows
from brokerage.forms import PackageForm, VisitFormSet, filled_visit_forms, isa_from_forms, quietly_bound
from brokerage.models import CarePackage, PersonDetailsAccess
from brokerage.selectors import package_get_for_officer, person_details_for_officer
from brokerage.services.amendments import AMENDABLE_STATUSES, package_amend
from brokerage.services.packages import IsaConflict, IsaInvalid, PackageStateError, package_enter
from homecare.accounts.audiences import Audience, audience_required, request_user

officer_only = audience_required(Audience.OFFICER)


def _bound_forms(request: HttpRequest, initial: dict[str, Any] | None = None) -> tuple[PackageForm, Any, str | None]:
    """The page's forms for this request, and a sentence about a visit-row edit (None: not an edit)."""
    if request.method != "POST":
        rows = (initial or {}).pop("visits", None)
        return PackageForm(initial=initial), visit_rows.bound_rows(VisitFormSet, None, initial=rows)[0], None
    form = PackageForm(request.POST)
    visits, said = visit_rows.bound_rows(VisitFormSet, request.POST)
    if said is not None:
        quietly_bound(form, visits)
    return form, visits, said


def _page(request: HttpRequest, form: PackageForm, visits: Any, said: str | None, **context: Any) -> HttpResponse:
    return render(
        request,
        "brokerage/officer/package_form.html",
        {
            "form": form,
            "visits": visits,
            **visit_rows.page_context(said),
            **context,
        },
    )


@officer_only
@require_http_methods(["GET", "POST"])
def package_new_view(request: HttpRequest) -> HttpResponse:
    form, visits, said = _bound_forms(request)
    if request.method == "POST" and said is None and form.is_valid() and visits.is_valid():
        draft = "draft" in request.POST
        try:
            entered = package_enter(
                isa=isa_from_forms(form, visits), entered_by=request_user(request), submit=not draft
            )
        except IsaInvalid as invalid:
            entry_errors.add_to_form(invalid.errors, form=form, visit_forms=filled_visit_forms(visits))
        except IsaConflict as conflict:
            form.add_error("external_reference", str(conflict))
        else:
            package = entered.package
            if draft:
                messages.success(request, f"{package.reference} saved as a draft.")
            else:
                messages.success(request, f"{package.reference} submitted: providers are being ranked.")
            return redirect("commissioning:brokerage:detail", package.pk)
    return _page(request, form, visits, said)


def _initial(package: CarePackage, request: HttpRequest) -> dict[str, Any]:
    """The saved package as the form's starting values (the person's details are read, and logged, once)."""
    person = person_details_for_officer(
        user=request.user, package=package, route=PersonDetailsAccess.Route.OFFICER_PAGE
    )
    initial: dict[str, Any] = {
        "agreement": package.agreement_id,
        "lot_number": package.lot.number if package.lot else None,
        "external_reference": package.external_reference,
        "locality_area": package.locality_area_id,
        "requested_start_on": package.requested_start_on,
        "urgency": package.urgency,
        "housing_with_care": package.housing_with_care,
        "required_skills": package.required_skills,
        "language": package.language,
        "carer_gender": package.carer_gender,
        "care_needs": package.care_needs,
        "special_requirements": package.special_requirements,
        "funding": package.funding,
        "visits": [
            {
                "day_of_week": visit.day_of_week,
                "window_start": visit.window_start,
                "window_end": visit.window_end,
                "duration_minutes": visit.duration_minutes,
                "carers": visit.carers,
            }
            for visit in package.visits.all()
        ],
    }
    if person is not None:
        for name in entry_errors.PERSON_FIELDS:
            initial[name] = getattr(person, name)
    return initial


@officer_only
@require_http_methods(["GET", "POST"])
def package_edit_view(request: HttpRequest, package_id: int) -> HttpResponse:
    package = package_get_for_officer(user=request.user, package_id=package_id)
    if package.status not in AMENDABLE_STATUSES:
        messages.error(request, f"{package.reference} is {package.get_status_display().lower()}: it cannot be edited.")
        return redirect("commissioning:brokerage:detail", package.pk)
    form, visits, said = _bound_forms(request, _initial(package, request) if request.method != "POST" else None)
    if request.method == "POST" and said is None and form.is_valid() and visits.is_valid():
        try:
            amended = package_amend(
                package_id=package.pk, isa=isa_from_forms(form, visits), amended_by=request_user(request)
            )
        except IsaInvalid as invalid:
            entry_errors.add_to_form(invalid.errors, form=form, visit_forms=filled_visit_forms(visits))
        except PackageStateError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{package.reference} saved. {amended.outcome}")
            return redirect("commissioning:brokerage:detail", package.pk)
    return _page(request, form, visits, said, package=package)
