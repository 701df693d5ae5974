"""Officer pages: Backlog (propose, review and approve a batch allocation) and Simulator (run, compare)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_http_methods

from brokerage.forms_planning import BatchProposeForm, ScenarioForm
from brokerage.models import BatchProposal, SimulationRun
from brokerage.services.batch import BatchRefused, backlog, batch_lines_approve, batch_propose_request
from brokerage.services.simulation import SimulationRefused, simulation_request
from homecare.accounts.audiences import Audience, audience_required, request_user
from homecare.spreadsheets import spreadsheet_response

officer_only = audience_required(Audience.OFFICER)
REFRESH_SECONDS = 3
COMPARE_COLUMNS = (
    ("arrivals", "Packages arriving"),
    ("placed", "Placed"),
    ("unplaced", "Not placed by the end (including packages still in their round)"),
    ("discharge_within_24h", "Hospital discharge placed within 24 h (share)"),
    ("gini_awarded_hours", "Gini of awarded hours"),
    ("mean_miles", "Mean office distance of awards (miles)"),
    ("weekly_cost", "Weekly cost awarded (GBP)"),
    ("batch_awards", "Awarded through batch first refusal"),
)


@officer_only
@require_http_methods(["GET", "POST"])
def backlog_view(request: HttpRequest) -> HttpResponse:
    form = BatchProposeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            proposal = batch_propose_request(
                requested_by=request_user(request), fairness_weight=form.cleaned_data["fairness_weight"]
            )
        except BatchRefused as error:
            form.add_error("fairness_weight", str(error))
        else:
            return redirect("commissioning:planning:proposal", proposal_id=proposal.pk)
    waiting = backlog()
    return render(
        request,
        "brokerage/officer/backlog.html",
        {
            "form": form,
            "waiting": waiting,
            "waiting_hours": sum(package.hours_per_week for package in waiting),
            "proposals": BatchProposal.objects.order_by("-requested_at")[:10],
        },
    )


@officer_only
@require_http_methods(["GET", "POST"])
def proposal_view(request: HttpRequest, proposal_id: int) -> HttpResponse:
    proposal = get_object_or_404(BatchProposal, pk=proposal_id)
    if request.method == "POST":
        chosen = [int(value) for value in request.POST.getlist("line") if value.isascii() and value.isdigit()]
        approve_all = request.POST.get("action") == "all"
        if not approve_all and not chosen:
            messages.error(request, "Select the lines to approve, or approve them all.")
        else:
            try:
                counts = batch_lines_approve(
                    proposal_id=proposal.pk, line_ids=None if approve_all else chosen, approved_by=request_user(request)
                )
            except BatchRefused as error:
                messages.error(request, str(error))
            else:
                messages.success(
                    request,
                    f"{counts['offered']} offered first refusal, {counts['policy']} brokered by the policy, "
                    f"{counts['stale']} no longer waiting.",
                )
        return redirect("commissioning:planning:proposal", proposal_id=proposal.pk)
    lines = proposal.lines.select_related("package", "provider").order_by("pk")
    return render(
        request,
        "brokerage/officer/proposal.html",
        {
            "proposal": proposal,
            "lines": lines,
            "pending": any(line.decision == "proposed" and line.provider_id for line in lines),
            "refresh_seconds": REFRESH_SECONDS,
            "finished": proposal.status in (BatchProposal.Status.READY, BatchProposal.Status.FAILED),
        },
    )


@officer_only
@require_http_methods(["GET", "POST"])
def simulator_view(request: HttpRequest) -> HttpResponse:
    form = ScenarioForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            run = simulation_request(
                requested_by=request_user(request),
                scenario=form.scenario(),
                days=form.cleaned_data["days"],
                seed=form.cleaned_data["seed"],
                demand=form.cleaned_data["demand"],
            )
        except SimulationRefused as error:
            form.add_error(None, str(error))
        else:
            return redirect("commissioning:planning:simulation", simulation_id=run.pk)
    return render(
        request,
        "brokerage/officer/simulator.html",
        {"form": form, "runs": SimulationRun.objects.order_by("-requested_at")[:30]},
    )


@officer_only
def simulation_view(request: HttpRequest, simulation_id: int) -> HttpResponse:
    run = get_object_or_404(SimulationRun, pk=simulation_id)
    return render(
        request,
        "brokerage/officer/simulation.html",
        {"run": run, "refresh_seconds": REFRESH_SECONDS, "finished": run.status in ("done", "failed")},
    )


def _compared(request: HttpRequest) -> list[SimulationRun]:
    ids = [int(v) for v in request.GET.getlist("run") if v.isascii() and v.isdigit() and len(v) < 10]
    runs = SimulationRun.objects.filter(status=SimulationRun.Status.DONE)
    if ids:
        runs = runs.filter(pk__in=ids)
    return list(runs.order_by("pk")[:6])


def _comparison(runs: list[SimulationRun]) -> dict[str, Any]:
    rows = [[label, *[run.report.get(key) for run in runs]] for key, label in COMPARE_COLUMNS]
    urgency_rows = []
    for urgency in ("hospital_discharge", "urgent", "routine"):
        for key, label in (
            ("award_hours_median", "median hours to award"),
            ("award_hours_p90", "p90 hours to award"),
            ("start_days_median", "median days to start"),
            ("start_days_p90", "p90 days to start"),
        ):
            values = []
            for run in runs:
                row: dict[str, Any] = next((r for r in run.report.get("by_urgency", []) if r["urgency"] == urgency), {})
                values.append(row.get(key))
            urgency_rows.append([f"{urgency.replace('_', ' ').capitalize()}: {label}", *values])
    chart = {
        "labels": [run.name for run in runs],
        "award_hours_median": [
            [
                next((r["award_hours_median"] for r in run.report.get("by_urgency", []) if r["urgency"] == u), None)
                for run in runs
            ]
            for u in ("hospital_discharge", "urgent", "routine")
        ],
        "discharge_within_24h": [run.report.get("discharge_within_24h") for run in runs],
    }
    return {"rows": rows + urgency_rows, "chart": chart}


@officer_only
def compare_view(request: HttpRequest) -> HttpResponse:
    runs = _compared(request)
    return render(
        request,
        "brokerage/officer/compare.html",
        {"runs": runs, **_comparison(runs), "query": request.GET.urlencode()},
    )


@officer_only
def compare_download_view(request: HttpRequest, file_format: str) -> HttpResponse:
    if file_format not in ("csv", "xlsx"):
        raise Http404("Download as .csv or .xlsx.")
    runs = _compared(request)
    comparison = _comparison(runs)
    return spreadsheet_response(
        header=["Figure", *[run.name for run in runs]],
        rows=comparison["rows"],
        file_format=file_format,
        filename_stem="simulator-comparison",
        document_title="Policy simulator: scenarios compared",
    )
