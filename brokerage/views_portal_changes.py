"""Provider portal pages for changes after award: answer a variation, ask for a change, see them all."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from brokerage import visit_rows
from brokerage.changes.patterns import pattern_from_json, pattern_of, same_visits
from brokerage.changes.selectors import change_get_for_provider, changes_for_provider, variations_to_answer
from brokerage.forms import quietly_bound
from brokerage.forms_changes import (
    AnswerVariationForm,
    ProviderRequestForm,
    add_change_errors,
    visit_formset,
    visits_from,
)
from brokerage.isa import VisitData
from brokerage.models import Visit
from brokerage.selectors import offer_get_for_provider, offer_is_awarded_to_provider
from brokerage.services.changes import (
    ChangeClosed,
    ChangeInvalid,
    package_change_request,
    variation_accept,
    variation_answer_refusal,
    variation_decline,
)
from brokerage.services.packages import PackageStateError
from homecare.accounts.audiences import Audience, audience_required, request_user

provider_only = audience_required(Audience.PROVIDER)


@provider_only
def change_list_view(request: HttpRequest) -> HttpResponse:
    return render(
        request,
        "brokerage/portal/change_list.html",
        {
            "to_answer": list(variations_to_answer(provider_user=request.user)),
            "changes": list(changes_for_provider(provider_user=request.user)[:200]),
        },
    )


@provider_only
@require_http_methods(["GET", "POST"])
def change_detail_view(request: HttpRequest, change_id: int) -> HttpResponse:
    """One change to the provider's package; a variation waiting for its answer has the answer form."""
    change = change_get_for_provider(change_id=change_id, provider_user=request.user)
    refusal = variation_answer_refusal(change, at=timezone.now())
    form = AnswerVariationForm(request.POST or None) if refusal is None else None
    status = 200
    if request.method == "POST":
        if form is None:
            messages.error(request, refusal or "This change cannot be answered.")
            return redirect("portal:brokerage:change", change.pk)
        if form.is_valid():
            try:
                if form.cleaned_data["answer"] == "accept":
                    variation_accept(
                        change_id=change.pk, provider_user=request_user(request), note=form.cleaned_data["note"]
                    )
                else:
                    variation_decline(
                        change_id=change.pk, provider_user=request_user(request), note=form.cleaned_data["note"]
                    )
            except ChangeInvalid as invalid:
                add_change_errors(invalid.errors, form=form)
            except (ChangeClosed, PackageStateError) as error:
                form.add_error(None, str(error))
            else:
                messages.success(request, "Answer sent to the council.")
                return redirect("portal:brokerage:changes")
        status = 400
    return render(
        request,
        "brokerage/portal/change_detail.html",
        {
            "change": change,
            "form": form,
            "refusal": refusal,
            "new_visits": _labelled(change.pattern),
            "old_visits": _labelled(change.previous),
        },
        status=status,
    )


def _labelled(document: dict[str, Any]) -> list[tuple[str, VisitData]]:
    if not document:
        return []
    return [(Visit.Day(v.day_of_week).label, v) for v in pattern_from_json(document).visits]


@provider_only
@require_http_methods(["GET", "POST"])
def change_request_view(request: HttpRequest, offer_id: int) -> HttpResponse:
    """The awarded provider asks the council for a change ("needs more time"), optionally with new visits."""
    offer = offer_get_for_provider(offer_id=offer_id, provider_user=request.user)
    if not offer_is_awarded_to_provider(offer):
        messages.error(request, f"{offer.package.reference} is not awarded to you.")
        return redirect("portal:brokerage:detail", offer.pk)
    form = ProviderRequestForm(request.POST or None)
    visits, said = visit_formset(request.POST or None, offer.package)
    if said is not None:
        quietly_bound(form, visits)
    if request.method == "POST" and said is None and form.is_valid() and visits.is_valid():
        proposed = visits_from(visits)
        unchanged = same_visits(proposed, pattern_of(offer.package).visits)
        try:
            package_change_request(
                package_id=offer.package_id,
                provider_user=request_user(request),
                note=form.cleaned_data["note"],
                effective_from=form.cleaned_data["effective_from"],
                visits=() if unchanged else proposed,
            )
        except ChangeInvalid as invalid:
            add_change_errors(invalid.errors, form=form, formset=visits)
        except PackageStateError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Request sent. An officer will decide and you will be emailed.")
            return redirect("portal:brokerage:changes")
    return render(
        request,
        "brokerage/portal/change_request.html",
        {"form": form, "visits": visits, "offer": offer, **visit_rows.page_context(said)},
    )
