"""The figures the Care Communications Centre is judged by, as tables with a drill-down link on every number.

Counts and sums are aggregated in the database, one query per table whatever the number of packages. The
medians and 90th percentiles of the waiting times are worked out in Python from one query that reads just
the four timestamps of the period's packages (``brokerage.dashboard.statistics``), so SQLite and PostgreSQL
give the same figures. Definitions (each matches a figure in ``brokerage.dashboard.drilldown``):

* time to first response: submission to the first accept or decline from any provider;
* time to award: submission to award (the latest award, after any hand-back);
* time to care starting: submission to the day care started (in days; the start is a date);
* offers: offers sent in the period, by what became of them; declines by the provider's reason code;
* unmet demand: hours per week requested by packages submitted in the period (not cancelled) against the
  hours of those now placed (awarded, care started or ended);
* a provider's response rate: offers answered (accepted or declined) out of offers received in the period;
  its speed: the average time from offer to answer;
* spread of awarded hours: hours per week awarded in the period to each provider that received an offer in
  the period (providers offered work but awarded none count as zero).
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal
from typing import Any, cast

from django.core.paginator import Page, Paginator
from django.db.models import Count, DurationField, ExpressionWrapper, F, IntegerField, OuterRef, Q, Subquery, Sum
from django.db.models.functions import Coalesce, TruncWeek
from django.urls import reverse
from django.utils import timezone

from brokerage.dashboard import rollups, statistics
from brokerage.dashboard.drilldown import ACCEPTED_OFFER_STATUSES, PLACED_STATUSES
from brokerage.dashboard.filters import DashboardFilters
from brokerage.dashboard.links import count_cell as _count
from brokerage.dashboard.links import drill
from brokerage.dashboard.models import NONE
from brokerage.dashboard.timings import timing_tables
from brokerage.models import CarePackage, DeclineReason, HandBack, Offer
from brokerage.reporting.tables import Cell, Column, Table, hours, percent
from contracts.models import Urgency
from providers.models import LocalityArea, Provider

WAITING_PAGE_SIZE = 50
TOP_PROVIDERS = 10


# The waiting list ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class WaitingSummary:
    waiting: int
    breached: int
    unplaced: int
    by_urgency: list[tuple[str, str, int]]
    hours_waiting: Decimal


def waiting_summary(filters: DashboardFilters) -> WaitingSummary:
    """How many are waiting now (whatever the period), past their deadline, escalated, and by urgency."""
    open_q = filters.scope() & Q(status__in=CarePackage.OPEN_STATUSES)
    totals = CarePackage.objects.filter(open_q).aggregate(
        waiting=Count("id"),
        breached=Count("id", filter=Q(deadline_at__lt=filters.now)),
        unplaced=Count("id", filter=Q(status=CarePackage.Status.UNPLACED)),
        hours=Sum("hours_per_week"),
        **{f"urgency_{u.value}": Count("id", filter=Q(urgency=u.value)) for u in Urgency},
    )
    return WaitingSummary(
        waiting=totals["waiting"],
        breached=totals["breached"],
        unplaced=totals["unplaced"],
        by_urgency=[(u.value, u.label, totals[f"urgency_{u.value}"]) for u in Urgency],
        hours_waiting=totals["hours"] or Decimal(0),
    )


def _current_offers(condition: Q | None = None) -> Coalesce:
    """How many offers of the package's current round (meeting ``condition``) there are."""
    offers = Offer.objects.filter(package=OuterRef("pk"), round_number=OuterRef("round_number"))
    if condition is not None:
        offers = offers.filter(condition)
    counted = offers.order_by().values("package").annotate(n=Count("id")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), 0)


def waiting_packages(filters: DashboardFilters, *, count: int, page_number: int | str = 1) -> Page[Any]:
    """One page of unplaced packages, nearest deadline first, with their current round's offers counted.

    Counted by a subquery per package of the page, not by joining and grouping every open package's offers:
    PostgreSQL works out the counts after the page's limit, and reads the page in order from its index."""
    packages = (
        CarePackage.objects.filter(filters.scope() & Q(status__in=CarePackage.OPEN_STATUSES))
        .select_related("locality_area", "agreement")
        .annotate(
            offers_out=_current_offers(),
            offers_pending=_current_offers(Q(status=Offer.Status.PENDING)),
            offers_accepted=_current_offers(Q(status__in=ACCEPTED_OFFER_STATUSES)),
            offers_declined=_current_offers(Q(status=Offer.Status.DECLINED)),
            offers_expired=_current_offers(Q(status=Offer.Status.EXPIRED)),
        )
        .order_by(F("deadline_at").asc(nulls_last=True), "submitted_at", "id")
    )
    return Paginator(cast(Any, _Counted(packages, count)), WAITING_PAGE_SIZE).get_page(page_number)


class _Counted:
    """A queryset whose length is already known (from the waiting summary), so paging does not count again."""

    ordered = True

    def __init__(self, queryset: Any, count: int) -> None:
        self.queryset, self._count = queryset, count

    def count(self) -> int:
        return self._count

    def __len__(self) -> int:
        return self._count

    def __getitem__(self, index: Any) -> Any:
        return self.queryset[index]


def waiting_table(filters: DashboardFilters, page: Page[Any]) -> Table:
    table = Table(
        "waiting-list",
        "Packages waiting to be placed, nearest deadline first",
        [
            Column("Package"),
            Column("Area"),
            Column("Urgency"),
            Column("Waiting for", numeric=True),
            Column("Deadline"),
            Column("Where it is"),
            Column("Offers out", numeric=True),
            Column("Awaiting answer", numeric=True),
            Column("Accepted", numeric=True),
            Column("Declined", numeric=True),
            Column("Expired", numeric=True),
        ],
        note="Offers are those of the current brokering round.",
    )
    for package in page.object_list:
        waited = None if package.submitted_at is None else (filters.now - package.submitted_at).total_seconds() / 3600
        if package.deadline_at is None:
            deadline = Cell(None, text="No deadline set")
        elif package.deadline_at < filters.now:
            overdue = (filters.now - package.deadline_at).total_seconds() / 3600
            deadline = Cell(
                package.deadline_at,
                text=f"{hours(overdue)} ago",
                tag="Deadline passed",
                tag_class="govuk-tag--red",
            )
        else:
            left = (package.deadline_at - filters.now).total_seconds() / 3600
            deadline = Cell(package.deadline_at, text=f"in {hours(left)}")
        if package.status == CarePackage.Status.UNPLACED:
            stage = Cell(
                "Unplaced",
                text=f"Escalated to the CCC after round {package.round_number}",
                tag="Unplaced",
                tag_class="govuk-tag--orange",
            )
        else:
            stage = Cell("Brokering", text=f"Brokering, round {package.round_number}")
        table.add(
            Cell(package.reference, href=reverse("ccc:brokerage:package", args=[package.pk])),  # the CCC's page
            Cell(package.locality_area.name if package.locality_area else "", text=""),
            Cell(package.get_urgency_display()),
            Cell(round(waited, 1) if waited is not None else None, text=hours(waited)),
            deadline,
            stage,
            Cell(package.offers_out),
            Cell(package.offers_pending),
            Cell(package.offers_accepted),
            Cell(package.offers_declined),
            Cell(package.offers_expired),
        )
    return table


# Offers and hand-backs -------------------------------------------------------------------------------------


@dataclass(frozen=True)
class OfferGroup:
    """Offers sent in the period to one provider with one outcome (and decline reason)."""

    provider_id: int
    status: str
    decline_reason: str
    offers: int
    answered: int
    time_to_answer: timedelta | None  # summed over the answered ones


def offer_groups(filters: DashboardFilters) -> list[OfferGroup]:
    """The period's offers counted by provider, outcome and decline reason: one grouped query that every
    offer figure (outcomes, decline reasons, each provider's responses) is summed from, so the offers are
    read once rather than once per table."""
    response_time = ExpressionWrapper(F("responded_at") - F("sent_at"), output_field=DurationField())
    answered = Q(responded_at__isnull=False)
    rows = (
        Offer.objects.filter(filters.scope("package__") & filters.within("sent_at"))
        .values_list("provider_id", "status", "decline_reason")
        .annotate(
            n=Count("id"),
            answered=Count("id", filter=answered),
            time_to_answer=Sum(response_time, filter=answered),
        )
        .order_by()
    )
    return [OfferGroup(pk, status, reason or "", n, m, total) for pk, status, reason, n, m, total in rows]


@dataclass(frozen=True)
class OfferFigures:
    """Every offer figure of the period: totals by outcome, declines by reason, each provider's responses."""

    totals: dict[str, int]
    reasons: dict[str, int]
    responses: list[dict[str, Any]]  # most offers first (then by provider id)


def _figures_from_groups(groups: list[OfferGroup]) -> OfferFigures:
    def count(*statuses: str) -> int:
        return sum(group.offers for group in groups if group.status in statuses)

    reasons: dict[str, int] = defaultdict(int)
    for group in groups:
        if group.status == Offer.Status.DECLINED:
            reasons[group.decline_reason] += group.offers
    totals = {
        "made": sum(group.offers for group in groups),
        "accepted": count(*ACCEPTED_OFFER_STATUSES),
        "declined": count(Offer.Status.DECLINED),
        "expired": count(Offer.Status.EXPIRED),
        "pending": count(Offer.Status.PENDING),
        "withdrawn": count(Offer.Status.WITHDRAWN),
    }
    return OfferFigures(totals, dict(reasons), _responses(groups))


def _figures_from_rollups(filters: DashboardFilters) -> OfferFigures:
    names = ("received", "answered", "time_to_answer", "accepted", "declined", "expired", "pending", "withdrawn")
    rows = [
        dict(zip(("provider_id", *names), row, strict=True))
        for row in rollups.read(rollups.OFFERS, filters, ["provider_id"])
    ]
    for row in rows:
        row["average"] = row["time_to_answer"] / row["answered"] if row["answered"] else None
    totals = {
        "made": sum(row["received"] for row in rows),
        **{
            name: sum(row[name] for row in rows) for name in ("accepted", "declined", "expired", "pending", "withdrawn")
        },
    }
    reasons = dict(rollups.read(rollups.DECLINES, filters, ["decline_reason"]))
    return OfferFigures(totals, reasons, sorted(rows, key=lambda row: (-row["received"], row["provider_id"])))


def offer_figures(filters: DashboardFilters) -> OfferFigures:
    """From the daily rollups on PostgreSQL, otherwise from one grouped query of the period's offers."""
    return _figures_from_rollups(filters) if rollups.in_use() else _figures_from_groups(offer_groups(filters))


def offer_tables(filters: DashboardFilters, figures: OfferFigures | None = None) -> tuple[Table, Table, dict[str, int]]:
    figures = offer_figures(filters) if figures is None else figures
    totals = figures.totals
    summary = Table(
        "offers",
        "Offers sent to providers in the period",
        [Column("Outcome"), Column("Offers", numeric=True)],
        note="Accepted includes offers accepted but not selected because a better-ranked provider also accepted.",
    )
    for label, name, figure in (
        ("Offers made", "made", "offers_made"),
        ("Accepted", "accepted", "offers_accepted"),
        ("Declined", "declined", "offers_declined"),
        ("Expired without a response", "expired", "offers_expired"),
        ("Awaiting an answer", "pending", ""),
        ("Withdrawn (package awarded or cancelled first)", "withdrawn", ""),
    ):
        value = totals[name]
        summary.add(Cell(label), _count(filters, value, figure) if figure else Cell(value))
    reasons = figures.reasons
    declines = Table(
        "decline-reasons",
        "Offers declined in the period, by reason",
        [Column("Reason"), Column("Offers", numeric=True)],
    )
    for reason in DeclineReason:
        declines.add(Cell(reason.label), _count(filters, reasons.get(reason.value, 0), "offers_declined", reason.value))
    declines.add(Cell("All reasons"), _count(filters, totals["declined"], "offers_declined"))
    return summary, declines, totals


def hand_back_table(filters: DashboardFilters) -> tuple[Table, int]:
    if rollups.in_use():
        by_reason = dict(rollups.read(rollups.HAND_BACKS, filters, ["reason"]))
    else:
        by_reason = dict(
            HandBack.objects.filter(filters.scope("package__") & filters.within("notice_given_at"))
            .values_list("reason")
            .annotate(n=Count("id"))
        )
    table = Table(
        "hand-backs",
        "Packages handed back in the period, by reason",
        [Column("Reason"), Column("Hand-backs", numeric=True)],
    )
    for reason in HandBack.Reason:
        table.add(Cell(reason.label), _count(filters, by_reason.get(reason.value, 0), "hand_backs", reason.value))
    total = sum(by_reason.values())
    table.add(Cell("All reasons"), _count(filters, total, "hand_backs"))
    return table, total


# Unmet demand ------------------------------------------------------------------------------------------------


def _unmet_from_rollups(filters: DashboardFilters) -> list[dict[str, Any]]:
    by_area: dict[int | None, dict[str, Any]] = {}
    rows = rollups.read(
        rollups.PACKAGES, filters, ["area", "status"], by_area=True, where=f"status <> '{CarePackage.Status.CANCELLED}'"
    )
    for area, status, packages, hours_per_week in rows:
        area_id = None if area == NONE else area
        row = by_area.setdefault(
            area_id,
            {
                "locality_area_id": area_id,
                "requested": 0,
                "requested_hours": Decimal(0),
                "placed": 0,
                "placed_hours": None,
            },
        )
        row["requested"] += packages
        row["requested_hours"] += hours_per_week
        if status in PLACED_STATUSES:
            row["placed"] += packages
            row["placed_hours"] = (row["placed_hours"] or Decimal(0)) + hours_per_week
    return list(by_area.values())


def unmet_demand_table(filters: DashboardFilters, areas: dict[int, str]) -> Table:
    placed = Q(status__in=PLACED_STATUSES)
    rows: Any = (
        _unmet_from_rollups(filters)
        if rollups.in_use()
        else (
            CarePackage.objects.filter(
                filters.scope() & filters.within("submitted_at") & ~Q(status=CarePackage.Status.CANCELLED)
            )
            .values("locality_area_id")
            .annotate(
                requested=Count("id"),
                requested_hours=Sum("hours_per_week"),
                placed=Count("id", filter=placed),
                placed_hours=Sum("hours_per_week", filter=placed),
            )
        )
    )
    table = Table(
        "unmet-demand",
        "Unmet demand by area: hours of care per week requested in the period against hours placed",
        [
            Column("Area"),
            Column("Packages requested", numeric=True),
            Column("Hours requested", numeric=True),
            Column("Packages placed", numeric=True),
            Column("Hours placed", numeric=True),
            Column("Hours not placed", numeric=True),
            Column("Share of hours placed", numeric=True),
        ],
    )
    total: dict[str, Any] = {"requested": 0, "requested_hours": Decimal(0), "placed": 0, "placed_hours": Decimal(0)}
    by_area = {row["locality_area_id"]: row for row in rows}

    def add(label: str, key: str, row: dict[str, Any]) -> None:
        asked, got = row["requested_hours"] or Decimal(0), row["placed_hours"] or Decimal(0)
        table.add(
            Cell(label),
            _count(filters, row["requested"], "requested", key),
            Cell(asked, text=f"{asked:,.1f}", href=drill(filters, "requested", key) if asked else ""),
            _count(filters, row["placed"], "placed", key),
            Cell(got, text=f"{got:,.1f}", href=drill(filters, "placed", key) if got else ""),
            Cell(asked - got, text=f"{asked - got:,.1f}", href=drill(filters, "unmet", key) if asked - got else ""),
            Cell(
                statistics.rate(int(got * 100), int(asked * 100)),
                text=percent(statistics.rate(int(got * 100), int(asked * 100))),
            ),
        )

    for area_id, name in areas.items():
        if area_id in by_area:
            add(name, f"area:{area_id}", by_area[area_id])
    if None in by_area:
        add("No area", "area:none", by_area[None])
    for row in by_area.values():
        for name in total:
            total[name] += row[name] or 0
    add("All areas", "", total)
    return table


# Providers: response and spread of awarded hours -------------------------------------------------------------


@dataclass(frozen=True)
class Spread:
    table: Table
    gini: float | None
    top_share: float | None
    providers: int
    hours_awarded: Decimal
    chart: list[tuple[str, float]]


def _responses(groups: list[OfferGroup]) -> list[dict[str, Any]]:
    """Each provider's offers received and answered, most offers first (then by provider id)."""
    by_provider: dict[int, dict[str, Any]] = {}
    for group in groups:
        row = by_provider.setdefault(
            group.provider_id,
            {
                "provider_id": group.provider_id,
                "received": 0,
                "answered": 0,
                "accepted": 0,
                "declined": 0,
                "expired": 0,
                "time_to_answer": timedelta(0),
            },
        )
        row["received"] += group.offers
        row["answered"] += group.answered
        if group.status in ACCEPTED_OFFER_STATUSES:
            row["accepted"] += group.offers
        elif group.status == Offer.Status.DECLINED:
            row["declined"] += group.offers
        elif group.status == Offer.Status.EXPIRED:
            row["expired"] += group.offers
        if group.time_to_answer is not None:
            row["time_to_answer"] += group.time_to_answer
    for row in by_provider.values():
        row["average"] = row["time_to_answer"] / row["answered"] if row["answered"] else None
    return sorted(by_provider.values(), key=lambda row: (-row["received"], row["provider_id"]))


def provider_tables(filters: DashboardFilters, figures: OfferFigures | None = None) -> tuple[Table, Spread]:
    # Grouped by provider id (names are read once, below): grouping hundreds of thousands of offers by a
    # joined name column would cost far more than the one small query for the names.
    responses = (offer_figures(filters) if figures is None else figures).responses
    if rollups.in_use():
        awarded = {
            pk: {"packages": n, "hours": total}
            for pk, n, total in rollups.read(rollups.AWARDS, filters, ["provider_id"])
        }
    else:
        awarded = {
            row["provider_id"]: row
            for row in Offer.objects.filter(
                filters.scope("package__") & filters.within("closed_at") & Q(status=Offer.Status.AWARDED)
            )
            .values("provider_id")
            .annotate(packages=Count("id"), hours=Sum("package__hours_per_week"))
            .order_by()
        }
    names = dict(
        Provider.objects.filter(pk__in={row["provider_id"] for row in responses} | set(awarded)).values_list(
            "pk", "name"
        )
    )
    response_table = Table(
        "provider-responses",
        "How each provider responded to offers in the period",
        [
            Column("Provider"),
            Column("Offers received", numeric=True),
            Column("Answered", numeric=True),
            Column("Response rate", numeric=True),
            Column("Average time to answer (hours)", numeric=True),
            Column("Accepted", numeric=True),
            Column("Declined", numeric=True),
            Column("Expired", numeric=True),
        ],
        note="Response rate: offers answered (accepted or declined) out of offers received.",
    )
    for row in responses:
        average: timedelta | None = row["average"]
        average_hours = None if average is None else average.total_seconds() / 3600
        response_rate = statistics.rate(row["answered"], row["received"])
        key = str(row["provider_id"])
        response_table.add(
            Cell(names[row["provider_id"]]),
            _count(filters, row["received"], "provider_offers", key),
            Cell(row["answered"]),
            Cell(None if response_rate is None else round(response_rate, 3), text=percent(response_rate)),
            Cell(None if average_hours is None else round(average_hours, 1), text=hours(average_hours)),
            Cell(row["accepted"]),
            Cell(row["declined"]),
            Cell(row["expired"]),
        )

    shares = sorted(
        ((names[pk], awarded[pk]["hours"] if pk in awarded else Decimal(0), pk) for pk in names),
        key=lambda item: (-item[1], item[0]),
    )
    total_hours = sum((item[1] for item in shares), Decimal(0))
    spread_table = Table(
        "awarded-hours",
        "Hours of care per week awarded to each provider in the period",
        [
            Column("Provider"),
            Column("Packages awarded", numeric=True),
            Column("Hours per week awarded", numeric=True),
            Column("Share of awarded hours", numeric=True),
        ],
        note="Every provider offered work in the period is listed, including those awarded none.",
    )
    for name, awarded_hours, pk in shares:
        count = awarded[pk]["packages"] if pk in awarded else 0
        share = statistics.rate(int(awarded_hours * 100), int(total_hours * 100))
        spread_table.add(
            Cell(name),
            _count(filters, count, "provider_awards", str(pk)),
            Cell(
                awarded_hours,
                text=f"{awarded_hours:,.1f}",
                href=drill(filters, "provider_awards", str(pk)) if count else "",
            ),
            Cell(None if share is None else round(share, 3), text=percent(share)),
        )
    values = [item[1] for item in shares]
    return response_table, Spread(
        table=spread_table,
        gini=statistics.gini(values),
        top_share=statistics.top_share(values, TOP_PROVIDERS),
        providers=len(shares),
        hours_awarded=total_hours,
        chart=[(name, float(value)) for name, value, _ in shares],
    )


# Weekly trends -------------------------------------------------------------------------------------------------


def _week_key(moment: datetime | date) -> date:
    if isinstance(moment, datetime):
        return timezone.localtime(moment).date() if timezone.is_aware(moment) else moment.date()
    return moment


def _weekly_from_rollups(filters: DashboardFilters, counts: dict[date, dict[str, int]]) -> None:
    """The weekly series summed from the daily rollups (Monday-start weeks of UK days, as ``TruncWeek``)."""
    for name, rollup in (
        ("week_submitted", rollups.PACKAGES),
        ("week_awarded", rollups.AWARDS),
        ("week_started", rollups.STARTS),
    ):
        for day, n, *_ in rollups.read(rollup, filters, ["day"]):
            week = day - timedelta(days=day.weekday())
            counts[week][name] = counts[week].get(name, 0) + n
    # Awarded counts packages, not awards: a package awarded again in the same week (after a hand-back, in
    # a later round) is one. Only a package past its first round can have two awards, so the few such
    # awards are read from the rows and the extra ones taken off.
    repeats = (
        Offer.objects.filter(
            filters.scope("package__")
            & filters.within("closed_at")
            & Q(status=Offer.Status.AWARDED, package__round_number__gt=1)
        )
        .annotate(week=TruncWeek("closed_at", tzinfo=timezone.get_current_timezone()))
        .values_list("week", "package_id")
        .annotate(n=Count("id"))
        .filter(n__gt=1)
        .order_by()
    )
    for week, _, n in repeats:
        counts[_week_key(week)]["week_awarded"] -= n - 1


def weekly_table(filters: DashboardFilters) -> Table:
    tz = timezone.get_current_timezone()
    series: dict[str, Callable[[], Any]] = {
        "week_submitted": lambda: (
            CarePackage.objects.filter(filters.scope() & filters.within("submitted_at"))
            .annotate(week=TruncWeek("submitted_at", tzinfo=tz))
            .values_list("week")
            .annotate(n=Count("id"))
        ),
        "week_awarded": lambda: (
            Offer.objects.filter(
                filters.scope("package__") & filters.within("closed_at") & Q(status=Offer.Status.AWARDED)
            )
            .annotate(week=TruncWeek("closed_at", tzinfo=tz))
            .values_list("week")
            .annotate(n=Count("package_id", distinct=True))
        ),
        "week_started": lambda: (
            CarePackage.objects.filter(
                filters.scope() & filters.within("care_started_on") & Q(care_started_on__isnull=False)
            )
            .annotate(week=TruncWeek("care_started_on"))
            .values_list("week")
            .annotate(n=Count("id"))
        ),
    }
    counts: dict[date, dict[str, int]] = defaultdict(dict)
    if rollups.in_use():
        _weekly_from_rollups(filters, counts)
    else:
        for name, query in series.items():
            for week, n in query():
                counts[_week_key(week)][name] = n
    table = Table(
        "weekly-trends",
        "Packages each week: submitted, awarded and care started",
        [
            Column("Week beginning"),
            Column("Submitted", numeric=True),
            Column("Awarded", numeric=True),
            Column("Care started", numeric=True),
        ],
    )
    for week in sorted(counts):
        key = week.isoformat()
        table.add(
            Cell(week, text=f"{week:%d %b %Y}"),
            *(_count(filters, counts[week].get(name, 0), name, key) for name in series),
        )
    return table


# The whole dashboard ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Dashboard:
    filters: DashboardFilters
    summary: WaitingSummary
    waiting_page: Page[Any]
    waiting: Table
    times_by_area: Table
    times_by_urgency: Table
    offers: Table
    offer_totals: dict[str, int]
    declines: Table
    hand_backs: Table
    hand_back_total: int
    unmet: Table
    responses: Table
    spread: Spread
    weekly: Table

    def tables(self) -> dict[str, Table]:
        return {
            table.slug: table
            for table in (
                self.waiting,
                self.times_by_area,
                self.times_by_urgency,
                self.offers,
                self.declines,
                self.hand_backs,
                self.unmet,
                self.responses,
                self.spread.table,
                self.weekly,
            )
        }


def area_names() -> dict[int, str]:
    return dict(LocalityArea.objects.order_by("display_order", "name").values_list("id", "name"))


def waiting_list(filters: DashboardFilters, *, page_number: int | str = 1) -> tuple[WaitingSummary, Page[Any], Table]:
    """The live part of the dashboard (refreshed most often)."""
    summary = waiting_summary(filters)
    page = waiting_packages(filters, count=summary.waiting, page_number=page_number)
    return summary, page, waiting_table(filters, page)


def dashboard(filters: DashboardFilters, *, page_number: int | str = 1) -> Dashboard:
    """Every figure on the dashboard, in a fixed number of queries whatever the size of the history."""
    areas = area_names()
    summary, page, waiting = waiting_list(filters, page_number=page_number)
    by_area, by_urgency = timing_tables(filters, areas)
    figures = offer_figures(filters)
    offers, declines, offer_totals = offer_tables(filters, figures)
    hand_backs, hand_back_total = hand_back_table(filters)
    responses, spread = provider_tables(filters, figures)
    return Dashboard(
        filters=filters,
        summary=summary,
        waiting_page=page,
        waiting=waiting,
        times_by_area=by_area,
        times_by_urgency=by_urgency,
        offers=offers,
        offer_totals=offer_totals,
        declines=declines,
        hand_backs=hand_backs,
        hand_back_total=hand_back_total,
        unmet=unmet_demand_table(filters, areas),
        responses=responses,
        spread=spread,
        weekly=weekly_table(filters),
    )
