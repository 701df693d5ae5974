"""Officer and CCC pages for changes after award: vary, suspend, resume, end, review, decide requests.

Each view validates its form, calls one service in ``brokerage.services.changes`` and shows that service's
errors on the form; the API (``brokerage.api.changes``) calls the same services and reports the same errors.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django import forms
from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from brokerage import visit_rows
from brokerage.changes.selectors import (
    change_figures,
    change_get_for_officer,
    changes_for_package,
    changes_recent,
    review_due_on,
    reviews_due,
    variations_to_decide,
)
from brokerage.forms import quietly_bound
from brokerage.forms_changes import (
    DecideRequestForm,
    EndForm,
    ResumeForm,
    ReviewForm,
    SuspendForm,
    SuspensionRebrokerForm,
    VariationForm,
    WithdrawForm,
    add_change_errors,
    visit_formset,
    visits_from,
)
from brokerage.models import CarePackage, PackageChange
from brokerage.selectors import package_get_for_officer
from brokerage.services.changes import (
    ChangeClosed,
    ChangeInvalid,
    change_request_decide,
    package_change_end,
    package_resume,
    package_review_record,
    package_suspend,
    package_suspension_rebroker,
    package_vary,
    variation_withdraw,
)
from brokerage.services.packages import PackageStateError
from homecare.accounts.audiences import Audience, audience_required, request_user

officer_only = audience_required(Audience.OFFICER)
ccc_only = audience_required(Audience.CCC)


def _back(package: CarePackage) -> HttpResponse:
    return redirect("commissioning:brokerage:changes", package.pk)


def _page(request: HttpRequest, package: CarePackage, form: Any, title: str, *, status: int = 200) -> HttpResponse:
    return render(
        request,
        "brokerage/officer/change_form.html",
        {"form": form, "title": title, "package": package},
        status=status,
    )


@officer_only
def package_changes_view(request: HttpRequest, package_id: int) -> HttpResponse:
    """The package's changes after award, each with its status history, and what can be done next."""
    package = package_get_for_officer(user=request.user, package_id=package_id)
    changes = changes_for_package(user=request.user, package=package)
    open_kinds = {(c.kind, c.status) for c in changes}
    return render(
        request,
        "brokerage/officer/package_changes.html",
        {
            "package": package,
            "changes": changes,
            "review_due_on": review_due_on(package),
            "live": package.status in CarePackage.LIVE_STATUSES,
            "suspended": (PackageChange.Kind.SUSPENSION, PackageChange.Status.ACTIVE) in open_kinds,
            "variation_waiting": (PackageChange.Kind.VARIATION, PackageChange.Status.PROPOSED) in open_kinds,
            "endable": package.status
            not in (CarePackage.Status.DRAFT, CarePackage.Status.ENDED, CarePackage.Status.CANCELLED),
        },
    )


def _change_page(
    request: HttpRequest,
    package_id: int,
    form_class: type[forms.Form],
    make: Callable[[CarePackage, Any, dict[str, Any]], object],
    *,
    done: str,
    title: str,
) -> HttpResponse:
    """One change to a package from its form: the service's refusals shown on the form, success back to the
    package's changes. ``make(package, actor, cleaned_data)`` calls the service."""
    package = package_get_for_officer(user=request.user, package_id=package_id)
    form = form_class(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            make(package, request_user(request), form.cleaned_data)
        except ChangeInvalid as invalid:
            add_change_errors(invalid.errors, form=form)
        except PackageStateError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, done.format(reference=package.reference))
            return _back(package)
    return _page(request, package, form, title.format(reference=package.reference))


@officer_only
@require_http_methods(["GET", "POST"])
def package_vary_view(request: HttpRequest, package_id: int) -> HttpResponse:
    package = package_get_for_officer(user=request.user, package_id=package_id)
    form = VariationForm(
        request.POST or None,
        initial={"required_skills": package.required_skills, "carer_gender": package.carer_gender},
    )
    visits, said = visit_formset(request.POST or None, package)
    if said is not None:
        quietly_bound(form, visits)
    if request.method == "POST" and said is None and form.is_valid() and visits.is_valid():
        try:
            package_vary(
                package_id=package.pk,
                requested_by=request_user(request),
                effective_from=form.cleaned_data["effective_from"],
                visits=visits_from(visits),
                respond_within_hours=form.cleaned_data["respond_within_hours"],
                exclude_current_provider=form.cleaned_data["exclude_current_provider"],
                required_skills=form.cleaned_data["required_skills"],
                carer_gender=form.cleaned_data["carer_gender"],
                note=form.cleaned_data["note"],
            )
        except ChangeInvalid as invalid:
            add_change_errors(invalid.errors, form=form, formset=visits)
        except PackageStateError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Variation of {package.reference} sent to the provider to answer.")
            return _back(package)
    return render(
        request,
        "brokerage/officer/variation_form.html",
        {"form": form, "visits": visits, "package": package, **visit_rows.page_context(said)},
    )


@officer_only
@require_http_methods(["GET", "POST"])
def package_suspend_view(request: HttpRequest, package_id: int) -> HttpResponse:
    return _change_page(
        request,
        package_id,
        SuspendForm,
        lambda package, actor, data: package_suspend(package_id=package.pk, suspended_by=actor, **data),
        done="Care for {reference} suspended.",
        title="Suspend care for {reference}",
    )


@officer_only
@require_http_methods(["GET", "POST"])
def package_resume_view(request: HttpRequest, package_id: int) -> HttpResponse:
    return _change_page(
        request,
        package_id,
        ResumeForm,
        lambda package, actor, data: package_resume(
            package_id=package.pk, resumed_by=actor, resumed_on=data["resumed_on"]
        ),
        done="Care for {reference} resumes.",
        title="Resume care for {reference}",
    )


@officer_only
@require_http_methods(["GET", "POST"])
def package_suspension_rebroker_view(request: HttpRequest, package_id: int) -> HttpResponse:
    return _change_page(
        request,
        package_id,
        SuspensionRebrokerForm,
        lambda package, actor, data: package_suspension_rebroker(package_id=package.pk, requested_by=actor, **data),
        done="{reference} is being re-brokered.",
        title="Re-broker {reference} after its suspension",
    )


@officer_only
@require_http_methods(["GET", "POST"])
def package_end_view(request: HttpRequest, package_id: int) -> HttpResponse:
    return _change_page(
        request,
        package_id,
        EndForm,
        lambda package, actor, data: package_change_end(package_id=package.pk, ended_by=actor, **data),
        done="Care for {reference} ends.",
        title="End care for {reference}",
    )


@officer_only
@require_http_methods(["GET", "POST"])
def package_review_view(request: HttpRequest, package_id: int) -> HttpResponse:
    return _change_page(
        request,
        package_id,
        ReviewForm,
        lambda package, actor, data: package_review_record(package_id=package.pk, reviewed_by=actor, **data),
        done="Review of {reference} recorded.",
        title="Record a review of {reference}",
    )


@officer_only
@require_http_methods(["GET", "POST"])
def change_withdraw_view(request: HttpRequest, change_id: int) -> HttpResponse:
    change = change_get_for_officer(user=request.user, change_id=change_id)
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            variation_withdraw(
                change_id=change.pk, withdrawn_by=request_user(request), reason=form.cleaned_data["reason"]
            )
        except ChangeInvalid as invalid:
            add_change_errors(invalid.errors, form=form)
        except (PackageStateError, ChangeClosed) as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Variation withdrawn.")
            return _back(change.package)
    return _page(request, change.package, form, f"Withdraw the variation of {change.package.reference}")


@officer_only
@require_http_methods(["GET", "POST"])
def change_request_decide_view(request: HttpRequest, change_id: int) -> HttpResponse:
    change = change_get_for_officer(user=request.user, change_id=change_id)
    form = DecideRequestForm(request.POST or None)
    visits, said = visit_formset(request.POST or None, change.package, prefill=False)
    if said is not None:
        quietly_bound(form, visits)
    if request.method == "POST" and said is None and form.is_valid() and visits.is_valid():
        try:
            change_request_decide(
                change_id=change.pk,
                decided_by=request_user(request),
                approve=form.cleaned_data["decision"] == "approve",
                note=form.cleaned_data["note"],
                effective_from=form.cleaned_data["effective_from"],
                visits=visits_from(visits),
            )
        except ChangeInvalid as invalid:
            add_change_errors(invalid.errors, form=form, formset=visits)
        except (PackageStateError, ChangeClosed) as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Decision saved and the provider told.")
            return _back(change.package)
    return render(
        request,
        "brokerage/officer/request_decide.html",
        {"form": form, "visits": visits, "change": change, "package": change.package, **visit_rows.page_context(said)},
    )


@officer_only
def reviews_due_view(request: HttpRequest) -> HttpResponse:
    packages = list(reviews_due(user=request.user)[:500])
    return render(
        request,
        "brokerage/officer/reviews_due.html",
        {"rows": [(package, review_due_on(package)) for package in packages]},
    )


@officer_only
def requests_to_decide_view(request: HttpRequest) -> HttpResponse:
    return render(
        request, "brokerage/officer/requests_to_decide.html", {"changes": list(variations_to_decide(user=request.user))}
    )


@ccc_only
def ccc_changes_view(request: HttpRequest) -> HttpResponse:
    """Every change after award, newest first, with the figures of what is waiting and in effect."""
    kind = request.GET.get("kind", "")
    kind = kind if kind in PackageChange.Kind.values else ""
    return render(
        request,
        "ccc/changes.html",
        {
            "changes": changes_recent(user=request.user, kind=kind),
            "figures": change_figures(user=request.user),
            "kinds": PackageChange.Kind.choices,
            "kind": kind,
        },
    )
