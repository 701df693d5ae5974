"""Appointment and rejection letters, generated from the recorded decision (printable HTML and plain text)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.utils import timezone

from dps.models import ApplicationDecision, DecisionOutcome, ProviderApplication


def letter_context(*, application: ProviderApplication) -> dict[str, Any]:
    """Everything a letter says, from the decision; refuses an application with no decision yet."""
    decision: ApplicationDecision | None = getattr(application, "decision", None)
    if decision is None:
        raise Http404("There is no decision to write a letter about yet.")
    results = list(application.criterion_results.all())
    return {
        "application": application,
        "decision": decision,
        "appointed": decision.outcome == DecisionOutcome.APPOINT,
        "agreement": application.dps_round.agreement,
        "dps_round": application.dps_round,
        "provider": application.provider,
        "failed_results": [result for result in results if not result.passed],
        "results": results,
        "council_name": application.dps_round.agreement.council_name or settings.COUNCIL_NAME,
        "letter_date": timezone.localtime(decision.decided_at).date(),
        "membership": decision.membership,
    }


def letter_response(request: HttpRequest, *, application: ProviderApplication, fmt: str) -> HttpResponse:
    context = letter_context(application=application)
    if fmt == "txt":
        kind = "appointment" if context["appointed"] else "rejection"
        response = HttpResponse(render_to_string("dps/letter.txt", context), content_type="text/plain; charset=utf-8")
        response["Content-Disposition"] = f'attachment; filename="dps-{kind}-letter-{application.pk}.txt"'
        return response
    return render(request, "dps/letter.html", context)
