"""Care Communications Centre pages: the dashboard (its home), drill-downs, exports, alert acknowledgement.

Thin views: read the filters, call ``brokerage.dashboard.metrics`` or the alert services, render.
"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.models import User
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from brokerage.alerts.models import Alert
from brokerage.alerts.services import AlertAlreadyAcknowledged, alert_acknowledge, open_alerts
from brokerage.dashboard import metrics
from brokerage.dashboard.drilldown import UnknownFigure, figure_title, packages_for_figure
from brokerage.dashboard.filters import DashboardFilterForm, DashboardFilters
from brokerage.dashboard.links import drill
from brokerage.reporting.exports import table_response
from homecare.accounts.audiences import Audience, audience_required

REFRESH_SECONDS = 60


def _filters(request: HttpRequest) -> tuple[DashboardFilterForm, DashboardFilters]:
    form = DashboardFilterForm(request.GET or None)
    return form, form.filters()


def _live_context(request: HttpRequest, filters: DashboardFilters) -> dict[str, object]:
    summary, page, table = metrics.waiting_list(filters, page_number=request.GET.get("page", 1))
    alerts, alert_count = open_alerts()
    return {
        "filters": filters,
        "summary": summary,
        "page": page,
        "waiting": table,
        "alerts": alerts,
        "alert_count": alert_count,
        "refresh_seconds": REFRESH_SECONDS,
        "breached_href": drill(filters, "breached"),
        "waiting_href": drill(filters, "waiting"),
    }


def _figures_context(filters: DashboardFilters, board: metrics.Dashboard) -> dict[str, object]:
    return {
        "filters": filters,
        "board": board,
        "awards_href": drill(filters, "all_awards"),
        "board_spread_chart": {
            "labels": [name for name, _ in board.spread.chart],
            "hours": [value for _, value in board.spread.chart],
        },
        "board_weekly_chart": {
            "labels": [row[0].shown for row in board.weekly.rows],
            "submitted": [row[1].value for row in board.weekly.rows],
            "awarded": [row[2].value for row in board.weekly.rows],
            "started": [row[3].value for row in board.weekly.rows],
        },
    }


@audience_required(Audience.CCC)
def dashboard(request: HttpRequest) -> HttpResponse:
    form, filters = _filters(request)
    board = metrics.dashboard(filters, page_number=request.GET.get("page", 1))
    alerts, alert_count = open_alerts()
    context = {
        "form": form,
        "filters": filters,
        "board": board,
        "summary": board.summary,
        "page": board.waiting_page,
        "waiting": board.waiting,
        "alerts": alerts,
        "alert_count": alert_count,
        "refresh_seconds": REFRESH_SECONDS,
        "breached_href": drill(filters, "breached"),
        "waiting_href": drill(filters, "waiting"),
        **_figures_context(filters, board),
    }
    return render(request, "ccc/home.html", context)


@audience_required(Audience.CCC)
def dashboard_live(request: HttpRequest) -> HttpResponse:
    """The waiting list and alerts, polled by htmx so the page stays current without a reload."""
    _, filters = _filters(request)
    return render(request, "ccc/_live.html", _live_context(request, filters))


@audience_required(Audience.CCC)
def dashboard_figures(request: HttpRequest) -> HttpResponse:
    """The figures, polled by htmx less often than the waiting list."""
    _, filters = _filters(request)
    board = metrics.dashboard(filters)
    return render(request, "ccc/_figures.html", _figures_context(filters, board))


@audience_required(Audience.CCC)
def packages(request: HttpRequest) -> HttpResponse:
    """The packages behind one figure (the drill-down from every number on the dashboard)."""
    form, filters = _filters(request)
    figure, key = request.GET.get("figure", ""), request.GET.get("key", "")
    try:
        title = figure_title(figure)
        queryset = packages_for_figure(filters=filters, figure=figure, key=key)
    except UnknownFigure as error:
        raise Http404(str(error)) from error
    page = Paginator(queryset, 100).get_page(request.GET.get("page", 1))
    return render(
        request,
        "ccc/packages.html",
        {
            "form": form,
            "filters": filters,
            "title": title,
            "page": page,
            "figure": figure,
            "key": key,
            "query": filters.query(figure=figure, **({"key": key} if key else {})),
        },
    )


@audience_required(Audience.CCC)
def export(request: HttpRequest, slug: str, file_format: str) -> HttpResponse:
    """Any table on the dashboard, with the same filters, as CSV or XLSX."""
    _, filters = _filters(request)
    tables = metrics.dashboard(filters, page_number=request.GET.get("page", 1)).tables()
    if slug not in tables:
        raise Http404("The dashboard has no table of that name.")
    return table_response(tables[slug], file_format=file_format)


@require_POST
@audience_required(Audience.CCC)
def acknowledge(request: HttpRequest, alert_id: int) -> HttpResponse:
    assert isinstance(request.user, User)  # noqa: S101 - audience_required signs people in first
    try:
        alert = alert_acknowledge(alert_id=alert_id, acknowledged_by=request.user, note=request.POST.get("note", ""))
    except AlertAlreadyAcknowledged as error:
        messages.info(request, str(error))
    except Alert.DoesNotExist as error:
        raise Http404("No such alert.") from error
    else:
        messages.success(request, f"Alert acknowledged: {alert.summary}")
    return redirect("ccc:home")
