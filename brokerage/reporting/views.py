"""Officer reports (/commissioning/reports/): budget against commitments and DPS statistics, with exports."""

from __future__ import annotations

from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.utils import timezone

from brokerage.reporting.budget import budget_report
from brokerage.reporting.dps_statistics import dps_statistics
from brokerage.reporting.exports import table_response
from brokerage.reporting.panels import report_panels_render
from brokerage.reporting.tables import Table
from contracts.costing import NoRateInForce
from contracts.models import Agreement
from homecare.accounts.audiences import Audience, audience_required


@audience_required(Audience.OFFICER)
def index(request: HttpRequest) -> HttpResponse:
    agreements = Agreement.objects.order_by("-term_start", "name")
    panels = report_panels_render(request=request, today=timezone.localdate())
    return render(request, "reports/index.html", {"agreements": agreements, "panels": panels})


def _tables(agreement: Agreement) -> tuple[dict[str, Table], str]:
    """Every table of the agreement's report, and the reason the budget could not be costed (if so)."""
    statistics = dps_statistics(agreement=agreement)
    tables = [statistics.rounds, statistics.rejections, statistics.members]
    problem = ""
    try:
        budget = budget_report(agreement=agreement, as_of=timezone.localdate())
    except NoRateInForce as error:
        problem = str(error)
    else:
        tables = [budget.table, budget.areas, *tables]
    return {table.slug: table for table in tables}, problem


@audience_required(Audience.OFFICER)
def agreement_report(request: HttpRequest, agreement_id: int) -> HttpResponse:
    agreement = get_object_or_404(Agreement, pk=agreement_id)
    tables, problem = _tables(agreement)
    return render(
        request,
        "reports/agreement.html",
        {
            "agreement": agreement,
            "budget_tables": [t for slug, t in tables.items() if slug.startswith("budget")],
            "dps_tables": [t for slug, t in tables.items() if slug.startswith("dps-")],
            "problem": problem,
            "as_of": timezone.localdate(),
        },
    )


@audience_required(Audience.OFFICER)
def export(request: HttpRequest, agreement_id: int, slug: str, file_format: str) -> HttpResponse:
    agreement = get_object_or_404(Agreement, pk=agreement_id)
    tables, _ = _tables(agreement)
    if slug not in tables:
        raise Http404("This report has no table of that name.")
    return table_response(tables[slug], file_format=file_format)
