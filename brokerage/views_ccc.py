"""Care Communications Centre pages: the dashboard (its home), drill-downs, exports, alert acknowledgement,
and one package's page, where CCC staff note calls, refer it to an officer, re-broker it or award it.

Thin views: read the filters or a form, call ``brokerage.dashboard.metrics`` or a service, render.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_http_methods, require_POST

from brokerage import views_work
from brokerage.alerts.models import Alert
from brokerage.alerts.services import (
    AlertAcknowledgementInvalid,
    AlertAlreadyAcknowledged,
    alert_acknowledge,
    open_alerts,
)
from brokerage.dashboard import metrics
from brokerage.dashboard.drilldown import UnknownFigure, figure_title, packages_for_figure
from brokerage.dashboard.filters import DashboardFilterForm, DashboardFilters
from brokerage.dashboard.links import drill
from brokerage.forms_work import AlertAcknowledgeForm, CallNoteForm, ReferralForm
from brokerage.models import CarePackage, PackageNote, PersonDetailsAccess
from brokerage.reporting.exports import table_response
from brokerage.selectors import (
    award_choices,
    officers,
    package_get_for_officer,
    package_notes,
    person_details_for_officer,
    staff_who_can_own_work,
)
from brokerage.services.ccc import package_note_add, package_refer_to_officer
from brokerage.services.packages import PackageStateError
from homecare.accounts.audiences import Audience, audience_required, request_user

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


@audience_required(Audience.CCC)
@require_http_methods(["GET", "POST"])
def acknowledge(request: HttpRequest, alert_id: int) -> HttpResponse:
    """Acknowledge an alert with a note of what is being done and who owns it from here."""
    alert = Alert.objects.select_related("package", "provider").filter(pk=alert_id).first()
    if alert is None:
        raise Http404("No such alert.")
    if alert.acknowledged_at is not None:
        messages.info(request, alert.acknowledged_summary())
        return redirect("ccc:home")
    form = AlertAcknowledgeForm(request.POST or None, owners=staff_who_can_own_work())
    if request.method == "POST" and form.is_valid():
        try:
            alert = alert_acknowledge(
                alert_id=alert.pk,
                acknowledged_by=request_user(request),
                note=form.cleaned_data["note"],
                owner=form.cleaned_data["owner"],
            )
        except AlertAlreadyAcknowledged as error:
            messages.info(request, str(error))
            return redirect("ccc:home")
        except AlertAcknowledgementInvalid as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"Alert acknowledged: {alert.summary}")
            return redirect("ccc:home")
    return render(request, "ccc/acknowledge.html", {"form": form, "alert": alert}, status=400 if form.errors else 200)


# --- One package: open it, note calls, refer it, re-broker it, award it ---------------------------------------


def _package_url(package: CarePackage) -> str:
    return reverse("ccc:brokerage:package", args=[package.pk])


def _package_page(request: HttpRequest, package: CarePackage, note_form: CallNoteForm | None = None) -> HttpResponse:
    context = {
        "package": package,
        "person": person_details_for_officer(
            user=request.user, package=package, route=PersonDetailsAccess.Route.CCC_PAGE
        ),
        "notes": package_notes(user=request.user, package=package),
        "note_form": note_form or CallNoteForm(),
        "alerts": package.alerts.order_by("-raised_at")[:10],
        "choices": award_choices(user=request.user, package=package),
    }
    return render(request, "ccc/package.html", context, status=400 if note_form is not None else 200)


@audience_required(Audience.CCC)
def package_detail(request: HttpRequest, package_id: int) -> HttpResponse:
    return _package_page(request, package_get_for_officer(user=request.user, package_id=package_id))


@audience_required(Audience.CCC)
@require_POST
def package_note(request: HttpRequest, package_id: int) -> HttpResponse:
    package = package_get_for_officer(user=request.user, package_id=package_id)
    form = CallNoteForm(request.POST)
    if form.is_valid():
        try:
            package_note_add(
                package_id=package.pk,
                author=request_user(request),
                contact=form.cleaned_data["contact"],
                text=form.cleaned_data["text"],
                kind=PackageNote.Kind.CALL if form.cleaned_data["contact"] else PackageNote.Kind.NOTE,
            )
        except PackageStateError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, "Note saved.")
            return redirect(_package_url(package))
    return _package_page(request, package, note_form=form)


@audience_required(Audience.CCC)
@require_http_methods(["GET", "POST"])
def package_refer(request: HttpRequest, package_id: int) -> HttpResponse:
    package = package_get_for_officer(user=request.user, package_id=package_id)
    form = ReferralForm(request.POST or None, officers=officers())
    if request.method == "POST" and form.is_valid():
        try:
            package_refer_to_officer(
                package_id=package.pk,
                referred_by=request_user(request),
                reason=form.cleaned_data["reason"],
                officer=form.cleaned_data["officer"],
            )
        except PackageStateError as error:
            form.add_error(None, str(error))
        else:
            messages.success(request, f"{package.reference} referred: it is on the officers' to-do list.")
            return redirect(_package_url(package))
    return render(
        request,
        "brokerage/officer/decision_form.html",
        {
            "form": form,
            "package": package,
            "back_url": _package_url(package),
            "title": f"Refer {package.reference} to an officer",
        },
    )


@audience_required(Audience.CCC)
@require_http_methods(["GET", "POST"])
def package_rebroker(request: HttpRequest, package_id: int) -> HttpResponse:
    package = package_get_for_officer(user=request.user, package_id=package_id)
    return views_work.rebroker_page(request, package, detail_url=_package_url(package))


@audience_required(Audience.CCC)
@require_http_methods(["GET", "POST"])
def package_award(request: HttpRequest, package_id: int) -> HttpResponse:
    package = package_get_for_officer(user=request.user, package_id=package_id)
    return views_work.award_page(
        request,
        package,
        detail_url=_package_url(package),
        by_hand_url=reverse("ccc:brokerage:package_award_by_hand", args=[package.pk]),
    )


@audience_required(Audience.CCC)
@require_http_methods(["GET", "POST"])
def package_award_by_hand(request: HttpRequest, package_id: int) -> HttpResponse:
    package = package_get_for_officer(user=request.user, package_id=package_id)
    return views_work.award_by_hand_page(request, package, detail_url=_package_url(package))
